package io.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.config.TargetConfig;
import io.sluice.core.kinds.Kinds;
import io.sluice.engine.targets.EngineTargets;
import io.sluice.testkit.ConfigProblems;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lake's target kinds as the config loader reads them, with every mistake named. */
class LakeTargetConfigTest {

  static final Path BASE = Path.of("/srv/sluice");
  static final Kinds KINDS = Kinds.of(EngineTargets.kinds(), LakeTargets.kinds(null));

  static List<String> problems(String yaml) {
    return ConfigProblems.of(yaml, KINDS);
  }

  @Test
  void lakeTargetsAreReadAndTheirMistakesNamed() {
    SluiceConfig c =
        ConfigLoader.parse(
            "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, lake: {table: orders,"
                + " buffer: {interval: 2s}, partitionBy: ['dt=${time:yyyy-MM-dd}']}}]}]",
            "test.yaml",
            BASE,
            KINDS);
    TargetConfig t = c.rules().get(0).targets().get(0);
    LakeTarget lake = (LakeTarget) t.spec();
    assertThat(lake.table()).isEqualTo("orders");
    assertThat(lake.bufferBytes()).isEqualTo(8L << 20);
    assertThat(lake.bufferInterval()).isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(lake.partitionBy().get(0).spec()).isEqualTo("dt=${time:yyyy-MM-dd}");
    assertThat(lake.compression()).isEqualTo("zstd");
    assertThat(t.concurrency()).isEqualTo(1);
    String prefix = "/rules/0/targets/0";
    assertThat(
            problems(
                "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, ordered: true,"
                    + " concurrency: 3, lake: {table: 1x, buffer: {interval: 500ms, size: 10},"
                    + " partitionBy: [dt, 'a=${b}', 'a=${c}'], compression: lz4}}]}]"))
        .containsExactlyInAnyOrder(
            prefix
                + "/lake/table: expected a table name of 1-63 characters a-z 0-9 _, starting with"
                + " a letter, got \"1x\"",
            prefix + "/lake/buffer/size: expected a size between 1KB and 1GB, got 10B",
            prefix + "/lake/buffer/interval: expected a duration from 1s to 15m, got 500ms",
            prefix
                + "/lake/partitionBy/0: expected a partition key like dt=${time:yyyy-MM-dd} or"
                + " region=${detail.region}, got \"dt\"",
            prefix + "/lake/partitionBy/2: names partition key a twice",
            prefix
                + "/lake/compression: expected one of zstd, snappy, gzip, uncompressed, got \"lz4\"",
            prefix
                + "/ordered: does not apply to a lake target: it writes each bus partition in order"
                + " with one writer and flushes by its buffer settings",
            prefix
                + "/concurrency: does not apply to a lake target: it writes each bus partition in"
                + " order with one writer and flushes by its buffer settings");
  }

  @Test
  void settingsThatCannotBeReadAreOneProblemNotMore() {
    assertThat(
            problems(
                "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, lake: orders,"
                    + " concurrency: 2, batch: {size: 5}}]}]"))
        .containsExactly(
            "/rules/0/targets/0/lake: expected a mapping with table, buffer, partitionBy,"
                + " compression, got string \"orders\"");
  }
}

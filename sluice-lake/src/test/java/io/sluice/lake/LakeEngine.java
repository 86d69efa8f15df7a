package io.sluice.lake;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.kinds.Kinds;
import io.sluice.engine.Engine;
import io.sluice.engine.targets.EngineTargets;
import io.sluice.log.EmbeddedEventLog;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * A real event log, engine and lake over {@code <dir>/data}, as the server wires them (the lake
 * opens first, closes last), for the lake's tests. Compaction is off.
 */
final class LakeEngine implements AutoCloseable {

  final Lake lake;
  final Engine engine;

  private LakeEngine(Lake lake, Engine engine) {
    this.lake = lake;
    this.engine = engine;
  }

  static LakeEngine start(Path dir, String yaml, MeterRegistry meters) {
    SluiceConfig c =
        ConfigLoader.parse(yaml, "test.yaml", dir, LakeTargetConfigTest.KINDS)
            .withDataDir(dir.resolve("data"));
    Clock clock = Clock.systemUTC();
    Lake lake =
        Lake.open(
            dir.resolve("data/lake"),
            clock,
            meters,
            LakeSettings.DEFAULTS.withCompactionInterval(Duration.ZERO));
    Engine engine =
        Engine.start(
            c,
            EmbeddedEventLog.open(dir.resolve("data/log"), clock),
            clock,
            meters,
            Kinds.of(EngineTargets.kinds(), LakeTargets.kinds(lake)));
    return new LakeEngine(lake, engine);
  }

  /** A one-value query's answer as a number, or -1 while it cannot be answered. */
  long count(String sql) {
    try {
      Rows r = new Rows();
      lake.query(sql, r);
      return ((Number) r.single()).longValue();
    } catch (Exception e) {
      return -1;
    }
  }

  @Override
  public void close() {
    engine.close();
    lake.close();
  }
}

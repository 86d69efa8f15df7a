package io.sluice.log;

import static io.sluice.log.LogFiles.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Format version 1 files, checked in, must stay readable by every later version. */
class GoldenFormatTest {

  /** Checked-in golden file → where it belongs in a log directory named "golden". */
  private static final Map<String, String> FILES =
      Map.of(
          "golden-log-v1.json", "golden/log.json",
          "golden-segment-v1.log", "golden/0/00000000000000000000.log",
          "golden-segment-v1.idx", "golden/0/00000000000000000000.idx",
          "golden-segment-v1.tix", "golden/0/00000000000000000000.tix",
          "golden-recovery-point-v1", "golden/0/recovery-point",
          "golden-cursor-v1.cursor", "golden/cursors/router.cursor");

  @TempDir Path dir;

  private Path copyGolden() throws IOException {
    for (Map.Entry<String, String> f : FILES.entrySet()) {
      Path target = dir.resolve(f.getValue());
      Files.createDirectories(target.getParent());
      try (InputStream in = GoldenFormatTest.class.getResourceAsStream("/golden/" + f.getKey())) {
        assertThat(in).as("golden file %s", f.getKey()).isNotNull();
        Files.copy(in, target);
      }
    }
    return dir;
  }

  @Test
  void goldenSegmentScansToExactlyTheRecordsWritten() throws IOException {
    Path root = copyGolden();

    SegmentScan.Result scan =
        SegmentScan.scan(root.resolve("golden/0/00000000000000000000.log"), 0);

    assertThat(scan.failure()).isNull();
    assertThat(scan.batches()).isEqualTo(2);
    assertThat(scan.nextOffset()).isEqualTo(3);
    assertThat(scan.validBytes())
        .isEqualTo(scan.fileBytes())
        .isEqualTo(30 + 8 + 2 + 7 + 8 + 7 + 30 + 8);
    assertThat(scan.firstTimestampMs()).isEqualTo(GoldenFiles.TIME.toEpochMilli());
  }

  @Test
  void goldenLogOpensWithoutRepairAndReadsBack() throws IOException {
    Path root = copyGolden();

    try (EmbeddedEventLog log = EmbeddedEventLog.open(root, Clock.systemUTC())) {
      assertThat(log.recoveryReport().truncations()).isEmpty();
      assertThat(log.recoveryReport().partitions().get(0).segmentsTrusted()).isEqualTo(1);
      List<LogEntry> all = LogFiles.readAll(log, "golden", 0);
      assertThat(all).hasSize(3);
      assertThat(text(all.get(0).key())).isEqualTo("k1");
      assertThat(text(all.get(0).value())).isEqualTo("{\"n\":1}");
      assertThat(all.get(1).key()).isNull();
      assertThat(text(all.get(1).value())).isEqualTo("{\"n\":2}");
      assertThat(all.get(2).key()).isEmpty();
      assertThat(all.get(2).value()).isEmpty();
      assertThat(all)
          .allSatisfy(e -> assertThat(e.timestampMs()).isEqualTo(GoldenFiles.TIME.toEpochMilli()));
      assertThat(log.cursor("golden", "router")).isEqualTo(Map.of(0, 2L));
      assertThat(log.info("golden").spec()).isEqualTo(LogSpec.defaults(1));
    }
  }

  @Test
  void goldenCheckpointsParse() throws IOException {
    Path root = copyGolden();

    assertThat(CheckpointFile.read(root.resolve("golden/cursors/router.cursor"), "cursor"))
        .containsExactly(Map.entry("0", "2"));
    assertThat(CheckpointFile.read(root.resolve("golden/0/recovery-point"), "recovery-point"))
        .containsKey("segment.0");
  }
}

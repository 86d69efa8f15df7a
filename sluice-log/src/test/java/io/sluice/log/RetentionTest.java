package io.sluice.log;

import static io.sluice.log.LogFiles.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {

  @TempDir Path dir;
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

  private static Clock at(Instant t) {
    return Clock.fixed(t, ZoneOffset.UTC);
  }

  private static void appendAt(Path dir, Instant t, LogSpec spec, String... values) {
    try (EmbeddedEventLog log = EmbeddedEventLog.open(dir, at(t))) {
      log.create("ret", spec);
      for (String v : values) {
        assertThat(log.append("ret", List.of(LogRecord.of(bytes(v)))).join().get(0).isOk())
            .isTrue();
      }
    }
  }

  @Test
  void ageRetentionRemovesOnlySegmentsWhoseNewestRecordIsOutsideTheWindow() {
    LogSpec spec =
        LogSpec.defaults(1)
            .withRetention(new Retention(Duration.ofDays(7), -1))
            .withSegmentAge(Duration.ofHours(1));
    appendAt(dir, T0, spec, "day0-a", "day0-b");
    appendAt(dir, T0.plus(Duration.ofDays(2)), spec, "day2");
    appendAt(dir, T0.plus(Duration.ofDays(6)), spec, "day6");

    try (EmbeddedEventLog log = EmbeddedEventLog.open(dir, at(T0.plus(Duration.ofDays(8))))) {
      assertThat(log.info("ret").partitions().get(0).segments()).isEqualTo(3);

      RetentionResult removed = log.enforceRetention();

      assertThat(removed.segmentsRemoved()).isEqualTo(1);
      assertThat(removed.recordsRemoved()).isEqualTo(2);
      assertThat(LogFiles.readAll(log, "ret", 0))
          .extracting(e -> LogFiles.text(e.value()))
          .containsExactly("day2", "day6");
      assertThat(log.info("ret").partitions().get(0).startOffset()).isEqualTo(2);
      assertThat(log.enforceRetention()).isEqualTo(RetentionResult.NONE);
    }
  }

  @Test
  void activeSegmentIsNeverRemovedEvenWhenOld() {
    LogSpec spec = LogSpec.defaults(1).withRetention(new Retention(Duration.ofHours(1), -1));
    appendAt(dir, T0, spec, "only");

    try (EmbeddedEventLog log = EmbeddedEventLog.open(dir, at(T0.plus(Duration.ofDays(30))))) {
      assertThat(log.enforceRetention().segmentsRemoved()).isZero();
      assertThat(LogFiles.readAll(log, "ret", 0)).hasSize(1);
    }
  }

  @Test
  void sizeRetentionRemovesOldestWholeSegmentsWhileAtLeastTheLimitRemains() {
    LogSpec spec =
        LogSpec.defaults(1).withSegmentBytes(2048).withRetention(new Retention(null, 5000));
    String[] values = new String[200];
    for (int i = 0; i < values.length; i++) {
      values[i] = String.format("size-%03d-%s", i, "z".repeat(20));
    }
    appendAt(dir, T0, spec, values);

    try (EmbeddedEventLog log = EmbeddedEventLog.open(dir, at(T0))) {
      long before = log.info("ret").sizeBytes();
      int segmentsBefore = log.info("ret").partitions().get(0).segments();

      RetentionResult removed = log.enforceRetention();

      long after = log.info("ret").sizeBytes();
      assertThat(before).isGreaterThan(5000);
      assertThat(after).isGreaterThanOrEqualTo(5000);
      assertThat(after).isLessThan(5000 + 2048 + 100);
      assertThat(removed.bytesRemoved()).isEqualTo(before - after);
      assertThat(log.info("ret").partitions().get(0).segments())
          .isEqualTo(segmentsBefore - removed.segmentsRemoved());
      List<LogEntry> left = LogFiles.readAll(log, "ret", 0);
      assertThat(left.get(0).offset()).isEqualTo(removed.recordsRemoved());
      assertThat(left.get(left.size() - 1).offset()).isEqualTo(199);
    }
  }

  @Test
  void readerBehindRetentionContinuesAtTheStartAndCountsWhatItMissed() {
    LogSpec spec =
        LogSpec.defaults(1)
            .withRetention(new Retention(Duration.ofDays(1), -1))
            .withSegmentAge(Duration.ofMinutes(1));
    appendAt(dir, T0, spec, "old-1", "old-2", "old-3");
    appendAt(dir, T0.plus(Duration.ofDays(3)), spec, "new");

    try (EmbeddedEventLog log = EmbeddedEventLog.open(dir, at(T0.plus(Duration.ofDays(3))))) {
      LogReader r = log.reader("ret", 0, 1);
      log.enforceRetention();
      List<LogEntry> got = r.poll(10, Duration.ZERO);
      assertThat(got).extracting(e -> LogFiles.text(e.value())).containsExactly("new");
      assertThat(r.skippedByRetention()).isEqualTo(2);
      r.close();
    }
  }
}

package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.log.EmbeddedEventLog;
import io.sluice.log.LogRecord;
import io.sluice.log.LogSpec;
import io.sluice.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A target's cursor over a real log, on a clock the test moves. */
class TargetCursorTest {

  @TempDir Path dir;
  final MutableClock clock = MutableClock.atDefaultStart();
  EmbeddedEventLog log;

  @BeforeEach
  void open() {
    log = EmbeddedEventLog.open(dir, clock);
    log.create("orders", LogSpec.defaults(2));
  }

  @AfterEach
  void close() {
    log.close();
  }

  void append(int partition, int n) {
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      records.add(
          new LogRecord(partition, null, ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
    }
    log.append("orders", records).join();
  }

  @Test
  void aNewTargetStartsAtTheEndOfTheBusAndThatIsCommittedAtOnce() {
    append(0, 5);
    append(1, 2);
    TargetCursor c = TargetCursor.open(log, "orders", "target:r:t");

    assertThat(c.start(0)).isEqualTo(5);
    assertThat(c.start(1)).isEqualTo(2);
    assertThat(c.wants(0, 4)).isFalse();
    assertThat(c.wants(0, 5)).isTrue();
    assertThat(log.cursor("orders", "target:r:t")).isEqualTo(Map.of(0, 5L, 1, 2L));
    assertThat(c.lagEvents()).isZero();
  }

  @Test
  void theCommittedCursorMovesOnlyPastSettledOffsetsAndSurvivesReopening() {
    TargetCursor c = TargetCursor.open(log, "orders", "target:r:t");
    append(0, 3);
    c.owe(0, 0, clock.millis());
    c.owe(0, 1, clock.millis());
    c.owe(0, 2, clock.millis());
    c.scanned(0, 3);
    c.settled(0, 1);
    c.settled(0, 2);
    c.commit();
    assertThat(log.cursor("orders", "target:r:t")).containsEntry(0, 0L);
    assertThat(c.lagEvents()).isEqualTo(3);
    assertThat(c.owed()).isEqualTo(1);

    c.settled(0, 0);
    c.commit();
    assertThat(log.cursor("orders", "target:r:t")).containsEntry(0, 3L);
    assertThat(c.lagEvents()).isZero();

    TargetCursor again = TargetCursor.open(log, "orders", "target:r:t");
    assertThat(again.start(0)).isEqualTo(3);
  }

  @Test
  void theOldestOwedAgeIsMeasuredOnTheGivenClock() {
    TargetCursor c = TargetCursor.open(log, "orders", "target:r:t");
    assertThat(c.oldestOwedAgeMs(clock.millis())).isZero();
    long t0 = clock.millis();
    c.owe(1, 0, t0);
    clock.advance(Duration.ofSeconds(3));
    c.owe(0, 0, clock.millis());
    clock.advance(Duration.ofSeconds(2));
    assertThat(c.oldestOwedAgeMs(clock.millis())).isEqualTo(5000);
    c.settled(1, 0);
    assertThat(c.oldestOwedAgeMs(clock.millis())).isEqualTo(2000);
    // an ingestion time ahead of the clock (a clock that went back) is no negative age
    assertThat(c.oldestOwedAgeMs(t0)).isZero();
  }

  @Test
  void deleteForgetsTheDurableCursorAndALaterCommitDoesNotBringItBack() {
    TargetCursor c = TargetCursor.open(log, "orders", "target:r:t");
    append(0, 2);
    c.scanned(0, 2);
    c.delete();
    assertThat(log.cursor("orders", "target:r:t")).isEmpty();
    c.commit(); // a committer that still held the removed target's cursor
    assertThat(log.cursor("orders", "target:r:t")).isEmpty();
  }
}

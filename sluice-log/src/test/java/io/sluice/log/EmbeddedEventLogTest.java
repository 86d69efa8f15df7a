package io.sluice.log;

import static io.sluice.log.LogFiles.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedEventLogTest {

  @TempDir Path dir;

  @Test
  void sequentialAppendsAreEachAcknowledgedAfterTheirOwnFsync() {
    try (EmbeddedEventLog log = EmbeddedEventLog.open(dir, Clock.systemUTC())) {
      log.create("s", LogSpec.defaults(1));
      for (int i = 0; i < 20; i++) {
        long before = log.fsyncCount("s");
        AppendResult r = log.append("s", List.of(LogRecord.of(bytes("e" + i)))).join().get(0);
        assertThat(r.isOk()).isTrue();
        assertThat(log.fsyncCount("s"))
            .as("an fsync happened before append %d was acknowledged", i)
            .isGreaterThan(before);
      }
    }
  }

  @Test
  void concurrentAppendersShareFsyncs() throws Exception {
    try (EmbeddedEventLog log = EmbeddedEventLog.open(dir, Clock.systemUTC())) {
      log.create("g", LogSpec.defaults(1));
      ExecutorService pool = Executors.newFixedThreadPool(50);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 50; t++) {
        fs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 20; i++) {
                    assertThat(
                            log.append("g", List.of(LogRecord.of(bytes("x")))).join().get(0).isOk())
                        .isTrue();
                  }
                }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      pool.shutdown();

      assertThat(log.info("g").records()).isEqualTo(1000);
      assertThat(log.fsyncCount("g")).isLessThan(1000).isPositive();
    }
  }

  @Test
  void intervalPolicyAcknowledgesWithoutWaitingForFsync() {
    try (EmbeddedEventLog log = EmbeddedEventLog.open(dir, Clock.systemUTC())) {
      log.create("i", LogSpec.defaults(1).withFsync(new FsyncIntervalPolicy(Duration.ofHours(1))));
      for (int i = 0; i < 10; i++) {
        assertThat(log.append("i", List.of(LogRecord.of(bytes("v")))).join().get(0).isOk())
            .isTrue();
      }
      assertThat(log.fsyncCount("i")).isZero();
      assertThat(LogFiles.readAll(log, "i", 0)).hasSize(10);
    }
  }

  /** A clock that stalls the writer thread while armed, so the queue fills deterministically. */
  static final class StallingClock extends Clock {
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch writerStalled = new CountDownLatch(1);
    volatile boolean armed;

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      if (armed && Thread.currentThread().getName().startsWith("sluice-log-writer")) {
        writerStalled.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return Instant.now();
    }
  }

  @Test
  void fullWriteQueueRefusesAppendsInsteadOfGrowingAndNothingRefusedIsStored() throws Exception {
    StallingClock clock = new StallingClock();
    EmbeddedEventLog.Options small =
        new EmbeddedEventLog.Options(
            Duration.ofMinutes(1), 10_000, DurabilityListener.NONE, Duration.ZERO);
    try (EmbeddedEventLog log = EmbeddedEventLog.open(dir, clock, small)) {
      log.create("bp", LogSpec.defaults(1));
      clock.armed = true;
      CompletableFuture<List<AppendResult>> stalled =
          log.append("bp", List.of(LogRecord.of(new byte[100])));
      assertThat(clock.writerStalled.await(30, TimeUnit.SECONDS)).isTrue();

      List<CompletableFuture<List<AppendResult>>> queued = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        queued.add(
            log.append("bp", List.of(LogRecord.of(bytes("q" + i + "-" + "p".repeat(3000))))));
      }
      clock.armed = false;
      clock.release.countDown();

      assertThat(stalled.join().get(0).isOk()).isTrue();
      List<AppendResult> results = queued.stream().map(f -> f.join().get(0)).toList();
      assertThat(results.subList(0, 3)).allSatisfy(r -> assertThat(r.isOk()).isTrue());
      assertThat(results.subList(3, 5))
          .allSatisfy(
              r -> {
                assertThat(r.error()).isInstanceOf(LogOverloadedException.class);
                assertThat(r.error().getMessage())
                    .startsWith("log bp partition 0 has ")
                    .endsWith(
                        "bytes waiting for the disk, over the limit of 10000 bytes; retry shortly");
              });
      assertThat(LogFiles.readAll(log, "bp", 0)).hasSize(4);
    }
  }

  @Test
  void oversizeBatchIsRefusedNamingTheLimit() {
    try (EmbeddedEventLog log = EmbeddedEventLog.open(dir, Clock.systemUTC())) {
      log.create("big", LogSpec.defaults(1));
      AppendResult r =
          log.append("big", List.of(LogRecord.of(new byte[RecordBatch.MAX_BATCH_BYTES])))
              .join()
              .get(0);

      assertThat(r.isOk()).isFalse();
      assertThat(r.error())
          .hasMessage(
              "/: batch for one partition is 16777254 bytes, over the limit of 16777216 bytes");
      assertThat(log.info("big").records()).isZero();
    }
  }

  @Test
  void closeFinishesQueuedAppendsAndLaterAppendsFail() {
    EmbeddedEventLog log = EmbeddedEventLog.open(dir, Clock.systemUTC());
    log.create("c", LogSpec.defaults(1));
    List<CompletableFuture<List<AppendResult>>> fs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      fs.add(log.append("c", List.of(LogRecord.of(bytes("c" + i)))));
    }
    log.close();

    long acked = fs.stream().filter(f -> f.join().get(0).isOk()).count();
    assertThat(acked).isEqualTo(100);
    try (EmbeddedEventLog again = EmbeddedEventLog.open(dir, Clock.systemUTC())) {
      assertThat(LogFiles.readAll(again, "c", 0)).hasSize(100);
      assertThat(again.recoveryReport().partitions().get(0).segmentsTrusted()).isEqualTo(1);
      assertThat(again.recoveryReport().partitions().get(0).segmentsValidated()).isZero();
    }
  }

  @Test
  void segmentsRollBySizeAndReadsCrossSegments() {
    try (EmbeddedEventLog log = EmbeddedEventLog.open(dir, Clock.systemUTC())) {
      log.create("roll", LogSpec.defaults(1).withSegmentBytes(1024));
      List<LogRecord> batch = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        log.append("roll", List.of(LogRecord.of(bytes(String.format("roll-%03d", i))))).join();
      }
      assertThat(log.info("roll").partitions().get(0).segments()).isGreaterThan(10);
      List<LogEntry> all = LogFiles.readAll(log, "roll", 0);
      assertThat(all).hasSize(300);
      for (int i = 0; i < 300; i++) {
        assertThat(LogFiles.text(all.get(i).value())).isEqualTo(String.format("roll-%03d", i));
      }
      try (LogReader r = log.reader("roll", 0, 123)) {
        assertThat(LogFiles.text(r.poll(1, Duration.ZERO).get(0).value())).isEqualTo("roll-123");
      }
      assertThat(batch).isEmpty();
    }
  }

  @Test
  void keyedPartitioningMatchesKafkasDefaultPartitioner() {
    // Values from Kafka's murmur2 (Utils.murmur2) on these exact key bytes.
    assertThat(Partitioner.murmur2(bytes("21"))).isEqualTo(-973932308);
    assertThat(Partitioner.murmur2(bytes("foobar"))).isEqualTo(-790332482);
    assertThat(Partitioner.murmur2(bytes("a-little-bit-long-string"))).isEqualTo(-985981536);
    assertThat(Partitioner.murmur2(bytes("a-little-bit-longer-string"))).isEqualTo(-1486304829);
    assertThat(Partitioner.murmur2(bytes("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")))
        .isEqualTo(-58897971);
    assertThat(Partitioner.murmur2(new byte[] {'a', 'b', 'c'})).isEqualTo(479470107);
  }

  @Test
  void aSecondOpenOfTheSameDirectoryIsRefusedUntilTheFirstCloses() {
    EmbeddedEventLog first = EmbeddedEventLog.open(dir, Clock.systemUTC());
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> EmbeddedEventLog.open(dir, Clock.systemUTC()))
          .isInstanceOf(io.sluice.core.TransientException.class)
          .hasMessage(
              "the event log at "
                  + dir
                  + " is in use by another process (pid "
                  + ProcessHandle.current().pid()
                  + "); stop it first, or use the HTTP API of the running server");
    } finally {
      first.close();
    }
    EmbeddedEventLog.open(dir, Clock.systemUTC()).close();
  }

  @Test
  void aDamagedCursorIsReplacedByItsSafePointSoAStopBeforeTheNextCommitKeepsIt() throws Exception {
    try (EmbeddedEventLog log = EmbeddedEventLog.open(dir, Clock.systemUTC())) {
      log.create("c", LogSpec.defaults(2));
      log.commitCursor("c", "k", Map.of(0, 3L, 1, 4L)); // no previous commit
    }
    Path file = dir.resolve("c/cursors/k.cursor");
    byte[] b = Files.readAllBytes(file);
    b[b.length - 3] ^= 0x01; // the CRC's hex
    Files.write(file, b);
    try (EmbeddedEventLog log = EmbeddedEventLog.open(dir, Clock.systemUTC())) {
      assertThat(log.cursor("c", "k")).isEqualTo(Map.of(0, 0L, 1, 0L));
      assertThat(log.incidents())
          .singleElement()
          .extracting(LogIncident::kind)
          .isEqualTo("damaged-cursor");
    }
    // stopped before the consumer committed anything: the safe point holds, not "never committed"
    try (EmbeddedEventLog log = EmbeddedEventLog.open(dir, Clock.systemUTC())) {
      assertThat(log.cursor("c", "k")).isEqualTo(Map.of(0, 0L, 1, 0L));
      assertThat(log.incidents()).isEmpty();
      assertThat(log.cursorNames("c")).containsExactly("k");
    }
  }
}

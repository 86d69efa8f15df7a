package io.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.InvalidInputException;
import io.sluice.log.AppendResult;
import io.sluice.log.EventLog;
import io.sluice.log.LogEntry;
import io.sluice.log.LogInfo;
import io.sluice.log.LogReader;
import io.sluice.log.LogRecord;
import io.sluice.log.LogSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link EventLog} implementation must do. Subclass it in one line per implementation:
 *
 * <pre>{@code
 * class EmbeddedEventLogContractTest extends EventLogContract {
 *   protected EventLog open(Path dir, Clock clock) { return EmbeddedEventLog.open(dir, clock); }
 * }
 * }</pre>
 *
 * <p>{@link #open} is called again on the same directory to check that everything acknowledged
 * survives a restart.
 */
public abstract class EventLogContract {

  @TempDir protected Path dir;
  protected final MutableClock clock = MutableClock.atDefaultStart();
  protected EventLog log;

  /** Opens the implementation over {@code dir}; appends take their time from {@code clock}. */
  protected abstract EventLog open(Path dir, Clock clock);

  @BeforeEach
  void openLog() {
    log = open(dir, clock);
  }

  @AfterEach
  void closeLog() {
    if (log != null) {
      log.close();
    }
  }

  protected EventLog reopen() {
    log.close();
    log = open(dir, clock);
    return log;
  }

  protected static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  protected static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  protected static List<AppendResult> ok(List<AppendResult> results) {
    assertThat(results).allSatisfy(r -> assertThat(r.error()).isNull());
    return results;
  }

  protected List<LogEntry> readAll(String name, int partition, long from) {
    List<LogEntry> out = new ArrayList<>();
    try (LogReader r = log.reader(name, partition, from)) {
      while (true) {
        List<LogEntry> batch = r.poll(500, Duration.ZERO);
        if (batch.isEmpty()) {
          return out;
        }
        out.addAll(batch);
      }
    }
  }

  @Test
  void createdLogReportsItsPartitionsEmpty() {
    LogInfo info = log.create("orders", LogSpec.defaults(3));

    assertThat(info.name()).isEqualTo("orders");
    assertThat(info.partitions()).hasSize(3);
    assertThat(info.partitions())
        .allSatisfy(
            p -> {
              assertThat(p.startOffset()).isZero();
              assertThat(p.endOffset()).isZero();
            });
    assertThat(log.names()).containsExactly("orders");
  }

  @Test
  void appendReturnsContiguousOffsetsInRequestOrderAndReadsThemBack() {
    log.create("orders", LogSpec.defaults(1));

    List<AppendResult> first =
        ok(
            log.append("orders", List.of(LogRecord.of(bytes("a")), LogRecord.of(bytes("b"))))
                .join());
    List<AppendResult> second = ok(log.append("orders", List.of(LogRecord.of(bytes("c")))).join());

    assertThat(first).extracting(AppendResult::offset).containsExactly(0L, 1L);
    assertThat(second).extracting(AppendResult::offset).containsExactly(2L);
    List<LogEntry> read = readAll("orders", 0, 0);
    assertThat(read).extracting(e -> text(e.value())).containsExactly("a", "b", "c");
    assertThat(read).extracting(LogEntry::offset).containsExactly(0L, 1L, 2L);
    assertThat(readAll("orders", 0, 1)).extracting(e -> text(e.value())).containsExactly("b", "c");
    assertThat(log.info("orders").partitions().get(0).endOffset()).isEqualTo(3);
  }

  @Test
  void keysAndExplicitPartitionsChooseThePartitionAndKeepOrderWithinIt() {
    log.create("orders", LogSpec.defaults(4));
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      records.add(LogRecord.keyed(bytes("customer-" + (i % 5)), bytes("v" + i)));
    }
    records.add(new LogRecord(2, null, bytes("pinned")));

    List<AppendResult> results = ok(log.append("orders", records).join());

    Map<String, Integer> partitionOfKey = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      String key = "customer-" + (i % 5);
      Integer seen = partitionOfKey.putIfAbsent(key, results.get(i).partition());
      if (seen != null) {
        assertThat(results.get(i).partition()).as("same key, same partition").isEqualTo(seen);
      }
    }
    assertThat(results.get(40).partition()).isEqualTo(2);
    for (int p = 0; p < 4; p++) {
      List<LogEntry> entries = readAll("orders", p, 0);
      List<Integer> order =
          entries.stream()
              .map(e -> text(e.value()))
              .filter(v -> v.startsWith("v"))
              .map(v -> Integer.parseInt(v.substring(1)))
              .toList();
      assertThat(order).isSorted();
    }
  }

  @Test
  void unkeyedRecordsOfOneAppendShareAPartitionAndAppendsSpreadEvenly() {
    log.create("spread", LogSpec.defaults(4));

    List<AppendResult> batch =
        ok(
            log.append(
                    "spread",
                    List.of(
                        LogRecord.of(bytes("a")),
                        LogRecord.of(bytes("b")),
                        LogRecord.of(bytes("c"))))
                .join());
    for (int i = 0; i < 400; i++) {
      ok(log.append("spread", List.of(LogRecord.of(bytes("r" + i)))).join());
    }

    assertThat(batch).extracting(AppendResult::partition).containsOnly(batch.get(0).partition());
    assertThat(batch).extracting(AppendResult::offset).containsExactly(0L, 1L, 2L);
    assertThat(log.info("spread").partitions())
        .allSatisfy(p -> assertThat(p.endOffset()).isBetween(90L, 115L));
    assertThat(log.info("spread").records()).isEqualTo(403);
  }

  @Test
  void everyAcknowledgedRecordOfConcurrentAppendersIsReadBackOnce() throws Exception {
    log.create("busy", LogSpec.defaults(2));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<List<AppendResult>>> futures = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      futures.add(
          pool.submit(
              () -> {
                List<AppendResult> mine = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                  mine.addAll(
                      ok(
                          log.append("busy", List.of(LogRecord.of(bytes(thread + ":" + i))))
                              .join()));
                }
                return mine;
              }));
    }
    Set<String> acked = new HashSet<>();
    for (Future<List<AppendResult>> f : futures) {
      for (AppendResult r : f.get()) {
        assertThat(acked.add(r.partition() + "@" + r.offset())).as("offsets are unique").isTrue();
      }
    }
    pool.shutdown();

    Set<String> values = new HashSet<>();
    for (int p = 0; p < 2; p++) {
      for (LogEntry e : readAll("busy", p, 0)) {
        assertThat(values.add(text(e.value()))).isTrue();
        assertThat(acked).contains(p + "@" + e.offset());
      }
    }
    assertThat(values).hasSize(1600);
  }

  @Test
  void acknowledgedRecordsAndCursorsSurviveAReopen() {
    log.create("keep", LogSpec.defaults(2));
    ok(
        log.append(
                "keep",
                List.of(new LogRecord(0, null, bytes("x")), new LogRecord(1, null, bytes("y"))))
            .join());
    log.commitCursor("keep", "router", Map.of(0, 1L, 1, 0L));

    reopen();

    assertThat(log.names()).containsExactly("keep");
    assertThat(readAll("keep", 0, 0)).extracting(e -> text(e.value())).containsExactly("x");
    assertThat(readAll("keep", 1, 0)).extracting(e -> text(e.value())).containsExactly("y");
    assertThat(log.cursor("keep", "router"))
        .containsExactlyInAnyOrderEntriesOf(Map.of(0, 1L, 1, 0L));
    assertThat(log.cursorNames("keep")).containsExactly("router");
    ok(log.append("keep", List.of(new LogRecord(0, null, bytes("z")))).join());
    assertThat(readAll("keep", 0, 0)).extracting(LogEntry::offset).containsExactly(0L, 1L);
  }

  @Test
  void cursorCommitsMergeByPartitionAndCanBeDeleted() {
    log.create("c", LogSpec.defaults(3));

    log.commitCursor("c", "t1", Map.of(0, 5L));
    log.commitCursor("c", "t1", Map.of(2, 7L));
    log.commitCursor("c", "t2", Map.of(1, 1L));

    assertThat(log.cursor("c", "t1")).containsExactlyInAnyOrderEntriesOf(Map.of(0, 5L, 2, 7L));
    assertThat(log.cursor("c", "never")).isEmpty();
    log.deleteCursor("c", "t2");
    assertThat(log.cursorNames("c")).containsExactly("t1");
  }

  @Test
  void offsetForTimeFindsTheFirstRecordAppendedAtOrAfterIt() {
    log.create("timed", LogSpec.defaults(1));
    ok(log.append("timed", List.of(LogRecord.of(bytes("early")))).join());
    clock.advance(Duration.ofMinutes(10));
    java.time.Instant middle = clock.instant();
    ok(
        log.append("timed", List.of(LogRecord.of(bytes("late-1")), LogRecord.of(bytes("late-2"))))
            .join());
    clock.advance(Duration.ofMinutes(10));

    assertThat(log.offsetForTime("timed", 0, middle.minusSeconds(1))).isEqualTo(1);
    assertThat(log.offsetForTime("timed", 0, middle)).isEqualTo(1);
    assertThat(log.offsetForTime("timed", 0, middle.minus(Duration.ofHours(1)))).isZero();
    assertThat(log.offsetForTime("timed", 0, clock.instant())).isEqualTo(3);
    assertThat(readAll("timed", 0, 0))
        .extracting(LogEntry::timestampMs)
        .containsExactly(
            middle.toEpochMilli() - 600_000, middle.toEpochMilli(), middle.toEpochMilli());
  }

  @Test
  void pollWaitsForARecordAppendedLater() throws Exception {
    log.create("wait", LogSpec.defaults(1));
    try (LogReader r = log.reader("wait", 0, 0)) {
      assertThat(r.poll(10, Duration.ZERO)).isEmpty();
      CompletableFuture<List<LogEntry>> polled =
          CompletableFuture.supplyAsync(() -> r.poll(10, Duration.ofSeconds(30)));

      ok(log.append("wait", List.of(LogRecord.of(bytes("late")))).join());

      assertThat(polled.get()).extracting(e -> text(e.value())).containsExactly("late");
      assertThat(r.position()).isEqualTo(1);
    }
  }

  @Test
  void pollReturnsAtMostTheAskedNumberAndContinuesWhereItStopped() {
    log.create("paged", LogSpec.defaults(1));
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      records.add(LogRecord.of(bytes("p" + i)));
    }
    ok(log.append("paged", records).join());

    try (LogReader r = log.reader("paged", 0, 3)) {
      assertThat(r.poll(10, Duration.ZERO))
          .extracting(LogEntry::offset)
          .containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
      assertThat(r.poll(10, Duration.ZERO))
          .extracting(LogEntry::offset)
          .startsWith(13L)
          .hasSize(10);
      assertThat(r.poll(10, Duration.ZERO)).extracting(LogEntry::offset).containsExactly(23L, 24L);
      r.seek(1);
      assertThat(r.poll(1, Duration.ZERO)).extracting(e -> text(e.value())).containsExactly("p1");
    }
  }

  @Test
  void partitionsGrowButNeverShrink() {
    log.create("g", LogSpec.defaults(2));

    assertThat(log.create("g", LogSpec.defaults(3)).partitions()).hasSize(3);
    assertThatThrownBy(() -> log.create("g", LogSpec.defaults(1)))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            e -> {
              assertThat(e.code()).isEqualTo("CONFLICT");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "/partitions: log g has 3 partitions; partitions can grow but not shrink, got 1");
            });
  }

  @Test
  void unknownLogsAndPartitionsAreClearErrors() {
    log.create("known", LogSpec.defaults(2));

    assertThatThrownBy(() -> log.append("nope", List.of(LogRecord.of(bytes("x")))))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("NOT_FOUND"))
        .hasMessage("/name: no log named \"nope\"");
    assertThatThrownBy(() -> log.append("known", List.of(new LogRecord(5, null, bytes("x")))))
        .hasMessage("/0/partition: log known has partitions 0..1, got 5");
    assertThatThrownBy(() -> log.reader("known", 2, 0))
        .hasMessage("/partition: log known has partitions 0..1, got 2");
    assertThatThrownBy(() -> log.create("bad/name", LogSpec.defaults(1)))
        .hasMessage(
            "/name: expected 1-128 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit, got \"bad/name\"");
    assertThat(log.append("known", List.of()).join()).isEmpty();
  }
}

package io.sluice.log;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Named, partitioned, append-only, retained logs: the durable core under every bus.
 *
 * <p>Two implementations pass one contract suite ({@code EventLogContract} in sluice-testkit): the
 * embedded segmented log ({@link EmbeddedEventLog}) and, later, Kafka (a log is a topic, a cursor
 * is a consumer-group offset). The shapes here are chosen so both fit.
 *
 * <ul>
 *   <li>{@link #append} completes only once the records are durable as the log's {@link
 *       FsyncPolicy} defines it, and returns the partition and offset of each record in order.
 *   <li>Readers see only records whose append has been acknowledged.
 *   <li>Cursors are named, committed positions per partition; a commit returns once it is durable.
 *   <li>Retention removes whole segments (Kafka: whole segments too) outside the window.
 * </ul>
 *
 * <p>Usage:
 *
 * <pre>{@code
 * try (EventLog log = EmbeddedEventLog.open(dir, Clock.systemUTC())) {
 *   log.create("orders", LogSpec.defaults(4));
 *   List<AppendResult> acks = log.append("orders", List.of(LogRecord.of(bytes))).join();
 *   try (LogReader r = log.reader("orders", 0, 0)) {
 *     List<LogEntry> batch = r.poll(100, Duration.ofSeconds(1));
 *   }
 * }
 * }</pre>
 *
 * <p>Thread-safe. Unknown log names throw {@link io.sluice.core.InvalidInputException} with code
 * {@code NOT_FOUND}.
 */
public interface EventLog extends AutoCloseable {

  /**
   * Creates the log, or opens the existing one and applies {@code spec}'s retention and fsync
   * policy. The partition count of an existing log can grow but never shrink.
   */
  LogInfo create(String name, LogSpec spec);

  /** Names of all logs. */
  Set<String> names();

  /** Partitions, offsets and sizes of one log. */
  LogInfo info(String name);

  /**
   * Appends records, each to its given partition, else to the partition of its key's hash; the
   * records without either go together to one partition, chosen round-robin per append (Kafka's
   * "sticky" partitioning: one write and one fsync per append, even spread over appends). The
   * future completes with one result per record, in order, once all are durable; it fails with
   * {@link io.sluice.core.TransientException} when the log is overloaded, closed or the disk failed
   * (nothing of a failed append is visible to readers), and with {@link
   * io.sluice.core.InvalidInputException} for a bad partition or an oversize batch.
   */
  CompletableFuture<List<AppendResult>> append(String name, List<LogRecord> records);

  /** A reader of one partition positioned at {@code offset} (clamped to the retained range). */
  LogReader reader(String name, int partition, long offset);

  /**
   * The first offset in {@code partition} whose append time is at or after {@code time}, or the end
   * offset when there is none.
   */
  long offsetForTime(String name, int partition, Instant time);

  /** Durably stores a cursor's positions (partition → next offset to read). */
  void commitCursor(String name, String cursor, Map<Integer, Long> offsets);

  /**
   * A cursor's committed positions; empty when it was never committed. A damaged cursor is not an
   * error: the log answers with a safe point at or before what was committed (its previous commit,
   * else the start of each partition), so a consumer delivers again rather than skips, and records
   * a {@link LogIncident}.
   */
  Map<Integer, Long> cursor(String name, String cursor);

  /** Names of the committed cursors of a log. */
  List<String> cursorNames(String name);

  /** Forgets a cursor. */
  void deleteCursor(String name, String cursor);

  /** Applies retention to every log now; returns what was removed. */
  RetentionResult enforceRetention();

  /** What recovery found and repaired when the log was opened. */
  RecoveryReport recoveryReport();

  /** Damaged batches found so far (by readers or a scrub); each is read around. */
  default long corruptBatches() {
    return 0;
  }

  /** What the log found wrong since it opened and worked around, oldest first (at most 100). */
  default List<LogIncident> incidents() {
    return List.of();
  }

  /** Stops accepting appends, finishes in-flight ones (including their fsync) and closes files. */
  @Override
  void close();
}

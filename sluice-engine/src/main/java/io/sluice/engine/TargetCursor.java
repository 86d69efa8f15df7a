package io.sluice.engine;

import io.sluice.log.EventLog;
import io.sluice.log.LogInfo;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far one target is on each partition of its bus: what it owes ({@link OffsetTracker} per
 * partition) and the durable cursor {@code target:<rule>:<id>} that records it. The cursor moves
 * only past offsets whose deliveries are settled, so a restart delivers again whatever was owed.
 *
 * <p>Thread-safe.
 */
final class TargetCursor {

  private static final Logger LOG = LoggerFactory.getLogger(TargetCursor.class);

  private final EventLog log;
  private final String bus;
  private final String name;
  private final OffsetTracker[] trackers;
  private final long[] start;
  private final Map<Integer, Long> lastCommitted = new TreeMap<>();
  private boolean deleted;

  private TargetCursor(EventLog log, String bus, String name, long[] start) {
    this.log = log;
    this.bus = bus;
    this.name = name;
    this.start = start.clone();
    this.trackers = new OffsetTracker[start.length];
    for (int p = 0; p < start.length; p++) {
      trackers[p] = new OffsetTracker(start[p]);
      lastCommitted.put(p, start[p]);
    }
  }

  /**
   * The cursor {@code name} of {@code bus}: where it was committed, or, for a target seen for the
   * first time (or a partition it has no position in), the current end of the bus, committed at
   * once, so a new target sees only new events (as a new EventBridge rule does).
   */
  static TargetCursor open(EventLog log, String bus, String name) {
    LogInfo info = log.info(bus);
    Map<Integer, Long> committed = log.cursor(bus, name);
    long[] start = new long[info.partitions().size()];
    Map<Integer, Long> commit = new HashMap<>();
    for (LogInfo.PartitionInfo p : info.partitions()) {
      Long c = committed.get(p.partition());
      start[p.partition()] = c != null ? c : p.endOffset();
      if (c == null) {
        commit.put(p.partition(), p.endOffset());
      }
    }
    if (!commit.isEmpty()) {
      log.commitCursor(bus, name, commit);
    }
    if (committed.isEmpty()) {
      LOG.info("cursor {} on bus {} starts at the end of the bus", name, bus);
    }
    return new TargetCursor(log, bus, name, start);
  }

  String name() {
    return name;
  }

  /** Whether the target takes the event at {@code offset}: not before where it (re)started. */
  boolean wants(int partition, long offset) {
    return offset >= start[partition];
  }

  long start(int partition) {
    return start[partition];
  }

  /** One more delivery owed for {@code offset}. */
  void owe(int partition, long offset, long ingestionTimeMs) {
    trackers[partition].add(offset, ingestionTimeMs);
  }

  /** A delivery owed for {@code offset} is settled. */
  void settled(int partition, long offset) {
    trackers[partition].done(offset);
  }

  /** The router looked at everything in {@code partition} below {@code next}. */
  void scanned(int partition, long next) {
    trackers[partition].scanned(next);
  }

  /**
   * Durably commits how far the target is, if that moved since the last commit; never after {@link
   * #delete} (a committer still holding this cursor must not bring it back).
   */
  synchronized void commit() {
    if (deleted) {
      return;
    }
    Map<Integer, Long> now = committable();
    if (!now.equals(lastCommitted)) {
      log.commitCursor(bus, name, now);
      lastCommitted.putAll(now);
    }
  }

  /** Per partition, the offset nothing below which is owed. */
  Map<Integer, Long> committable() {
    Map<Integer, Long> m = new TreeMap<>();
    for (int p = 0; p < trackers.length; p++) {
      m.put(p, trackers[p].committable());
    }
    return m;
  }

  /** Events of the bus the target has not settled: from its cursor to the end of the bus. */
  long lagEvents() {
    long lag = 0;
    for (LogInfo.PartitionInfo p : log.info(bus).partitions()) {
      lag += Math.max(0, p.endOffset() - trackers[p.partition()].committable());
    }
    return lag;
  }

  /** Deliveries owed right now (queued, in flight, waiting for an in-memory retry). */
  int owed() {
    int n = 0;
    for (OffsetTracker t : trackers) {
      n += t.inFlightCount();
    }
    return n;
  }

  /** Age at {@code nowMs} of the oldest event still owed, in ms (0 when nothing is owed). */
  long oldestOwedAgeMs(long nowMs) {
    long oldest = Long.MAX_VALUE;
    for (OffsetTracker t : trackers) {
      long o = t.oldestIngestionTimeMs();
      if (o >= 0) {
        oldest = Math.min(oldest, o);
      }
    }
    return oldest == Long.MAX_VALUE ? 0 : Math.max(0, nowMs - oldest);
  }

  /** Forgets the durable cursor (the target was removed); later commits do nothing. */
  synchronized void delete() {
    deleted = true;
    log.deleteCursor(bus, name);
  }
}

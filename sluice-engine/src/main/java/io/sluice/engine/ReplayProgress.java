package io.sluice.engine;

import java.util.Map;
import java.util.TreeMap;

/**
 * A replay's progress through one bus partition, kept so that a checkpoint can say both where to
 * resume and how many deliveries are wholly done before that point: the position is the lowest
 * offset with a delivery still owed (or how far the scan went), and {@link #doneBelow()} counts the
 * deliveries of every offset below it. After a restart the replay resumes at the position with its
 * counters set to that count, so they agree with a run that was never interrupted.
 *
 * <p>Offsets stay tracked until every offset below them is settled; {@link #retained()} is how many
 * deliveries that is, which the replay bounds (its window). Thread-safe.
 */
final class ReplayProgress {

  /** offset → {deliveries owed, deliveries in all} */
  private final TreeMap<Long, int[]> open = new TreeMap<>();

  private long scanned;
  private long doneBelow;
  private int retained;

  ReplayProgress(long start, long doneBelow) {
    this.scanned = start;
    this.doneBelow = doneBelow;
  }

  /** One more delivery owed for {@code offset}. */
  synchronized void add(long offset) {
    int[] v = open.computeIfAbsent(offset, k -> new int[2]);
    v[0]++;
    v[1]++;
    retained++;
  }

  /**
   * One delivery for {@code offset} is settled; returns how many deliveries stopped being retained
   * (their offset and everything below is settled), for the caller's window.
   */
  synchronized int done(long offset) {
    int[] v = open.get(offset);
    if (v != null) {
      v[0]--;
    }
    return compact();
  }

  /** The scan looked at everything below {@code next}. */
  synchronized int scanned(long next) {
    scanned = Math.max(scanned, next);
    return compact();
  }

  private int compact() {
    int freed = 0;
    while (!open.isEmpty()) {
      Map.Entry<Long, int[]> first = open.firstEntry();
      if (first.getValue()[0] > 0 || first.getKey() >= scanned) {
        break;
      }
      doneBelow += first.getValue()[1];
      freed += first.getValue()[1];
      open.pollFirstEntry();
    }
    retained -= freed;
    return freed;
  }

  /** Where to resume: nothing below it is owed. */
  synchronized long position() {
    return open.isEmpty() ? scanned : Math.min(scanned, open.firstKey());
  }

  /** Deliveries of the offsets below {@link #position()}, all settled. */
  synchronized long doneBelow() {
    return doneBelow;
  }

  /** Deliveries still tracked: owed ones, and settled ones above an owed one. */
  synchronized int retained() {
    return retained;
  }

  synchronized boolean isSettled() {
    for (int[] v : open.values()) {
      if (v[0] > 0) {
        return false;
      }
    }
    return true;
  }

  /** A consistent pair, for a checkpoint. */
  synchronized long[] checkpoint() {
    return new long[] {open.isEmpty() ? scanned : Math.min(scanned, open.firstKey()), doneBelow};
  }
}

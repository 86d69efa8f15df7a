package io.sluice.engine;

import java.util.TreeMap;

/**
 * Which offsets of one partition a consumer still owes, to tell how far its cursor may move: the
 * lowest offset still in flight, or (when none is) how far the router has scanned. Deliveries
 * finish out of order; the cursor only moves past an offset once everything below it is done.
 *
 * <p>Thread-safe (synchronized; every operation is O(log n)).
 */
final class OffsetTracker {

  private final TreeMap<Long, long[]> inFlight =
      new TreeMap<>(); // offset -> {ingestion time, count}
  private long scanned;

  OffsetTracker(long start) {
    this.scanned = start;
  }

  /** One more delivery owed for {@code offset} (an event can be owed to several targets). */
  synchronized void add(long offset, long ingestionTimeMs) {
    long[] v = inFlight.get(offset);
    if (v == null) {
      inFlight.put(offset, new long[] {ingestionTimeMs, 1});
    } else {
      v[1]++;
    }
  }

  /** One delivery owed for {@code offset} is settled. */
  synchronized void done(long offset) {
    long[] v = inFlight.get(offset);
    if (v != null && --v[1] <= 0) {
      inFlight.remove(offset);
    }
  }

  /** Everything below {@code next} was looked at by the router. */
  synchronized void scanned(long next) {
    scanned = Math.max(scanned, next);
  }

  /** The cursor value: nothing below it is owed. */
  synchronized long committable() {
    return inFlight.isEmpty() ? scanned : Math.min(scanned, inFlight.firstKey());
  }

  synchronized long scannedUpTo() {
    return scanned;
  }

  synchronized int inFlightCount() {
    return inFlight.size();
  }

  /** Ingestion time of the oldest event still owed, or -1. */
  synchronized long oldestIngestionTimeMs() {
    return inFlight.isEmpty() ? -1 : inFlight.firstEntry().getValue()[0];
  }
}

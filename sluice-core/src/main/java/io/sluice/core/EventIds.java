package io.sluice.core;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Event ids assigned at ingest: UUID version 7 (RFC 9562), whose first 48 bits are the Unix time in
 * milliseconds, so ids sort by ingestion time. The other 74 bits are random (not secret: ids are
 * identifiers, not tokens).
 */
public final class EventIds {

  private EventIds() {}

  public static String next(Clock clock) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long ms = clock.millis();
    long hi = (ms << 16) | 0x7000L | (r.nextLong() & 0x0fffL);
    long lo = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }
}

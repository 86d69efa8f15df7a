package io.sluice.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that tests move by hand, so time-dependent behaviour (retention, segment age,
 * retries, windows) is tested without sleeping. Thread-safe; millisecond resolution.
 */
public final class MutableClock extends Clock {

  private final AtomicLong millis;
  private final ZoneId zone;

  public MutableClock(Instant start) {
    this(start.toEpochMilli(), ZoneOffset.UTC);
  }

  private MutableClock(long millis, ZoneId zone) {
    this.millis = new AtomicLong(millis);
    this.zone = zone;
  }

  /** A clock at 2026-11-23T10:00:00Z. */
  public static MutableClock atDefaultStart() {
    return new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  }

  public void advance(Duration d) {
    millis.addAndGet(d.toMillis());
  }

  public void set(Instant t) {
    millis.set(t.toEpochMilli());
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId z) {
    MutableClock c = new MutableClock(millis.get(), z);
    return c;
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }
}

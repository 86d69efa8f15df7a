package io.sluice.engine;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A target's {@code rateLimit}: a token bucket holding up to one second of deliveries (at least
 * one), refilled continuously. A batch larger than the bucket goes once the bucket is full, so
 * batches never wait forever. Callers wait by parking (cheap on virtual threads). Thread-safe.
 */
final class RateLimiter {

  private final LongSupplier nanos;
  private double ratePerSecond;
  private double tokens;
  private long lastNanos;

  /**
   * @param nanos a monotonic time source in nanoseconds ({@code System::nanoTime})
   */
  RateLimiter(LongSupplier nanos) {
    this.nanos = nanos;
    this.lastNanos = nanos.getAsLong();
  }

  /** Deliveries per second; 0 or less for no limit. */
  synchronized void setRate(double r) {
    ratePerSecond = r;
    tokens = Math.min(tokens, capacity());
  }

  private double capacity() {
    return Math.max(ratePerSecond, 1);
  }

  /**
   * Takes {@code n} tokens if the bucket allows it now and returns 0; otherwise takes nothing and
   * returns how many nanoseconds to wait before asking again.
   */
  synchronized long tryTake(int n) {
    if (ratePerSecond <= 0) {
      return 0;
    }
    long now = nanos.getAsLong();
    tokens = Math.min(capacity(), tokens + (now - lastNanos) / 1e9 * ratePerSecond);
    lastNanos = now;
    if (tokens >= n || tokens >= capacity()) {
      tokens -= n;
      return 0;
    }
    return Math.max((long) ((Math.min(n, capacity()) - tokens) / ratePerSecond * 1e9), 1);
  }

  /** Waits until {@code n} deliveries may go. */
  void acquire(int n) throws InterruptedException {
    long wait;
    while ((wait = tryTake(n)) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.max(wait, 100_000));
    }
  }
}

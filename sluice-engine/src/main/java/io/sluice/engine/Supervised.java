package io.sluice.engine;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Runs a long-running part (a bus router's partition, the retry loader) so that it never stops
 * silently: an unexpected error is reported to {@link Health} (logged once, counted, shown by
 * {@code /health/ready}) with where the part was, and the part runs again after a backoff that
 * doubles from {@link #FIRST_BACKOFF} to {@link #MAX_BACKOFF}. The part reports itself well to
 * {@link Health#ok} once it works again.
 */
public final class Supervised {

  static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /** The part: runs until it is stopped (then it returns), or throws. */
  @FunctionalInterface
  public interface Part {
    void run() throws InterruptedException;
  }

  private Supervised() {}

  /**
   * Runs {@code part} until it returns, the thread is interrupted, or {@code stopped} says so.
   *
   * @param where where the part was when it failed (an offset), for the report
   */
  public static void run(
      String component, Health health, BooleanSupplier stopped, Supplier<String> where, Part part) {
    long backoffMs = FIRST_BACKOFF.toMillis();
    while (!stopped.getAsBoolean()) {
      try {
        part.run();
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (stopped.getAsBoolean()) {
          return;
        }
        health.failed(component, where.get() + ": " + e);
        try {
          Thread.sleep(backoffMs);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
      }
    }
  }
}

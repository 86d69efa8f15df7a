package io.sluice.engine;

import io.sluice.core.config.Durations;
import io.sluice.core.config.TargetConfig.RetryConfig;
import io.sluice.core.targets.DeliveryException;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * What to do with a failed delivery: dead-letter it, try again from memory after a delay, or queue
 * it durably for later. EventBridge's rules: an error that says retrying cannot help (a 4xx other
 * than 408/429, an event the target cannot take) is dead-lettered at once; so is a delivery past
 * {@code maxAttempts} or {@code maxAge}; the first {@value TargetRunner#QUICK_ATTEMPTS} attempts
 * (and every attempt of an ordered target, which must keep its group's order) are retried from
 * memory, later ones through the durable retry queue, so a failing target never holds back its
 * partition. Delays grow exponentially from {@code initialBackoff} to {@code maxBackoff} with
 * jitter (half to all of the step), and honour the target's Retry-After within {@code maxBackoff}.
 *
 * <p>Pure: time comes in as {@code nowMs}, randomness from the given supplier. Thread-safe.
 */
final class RetryPolicy {

  /** A decision for one failed delivery. */
  sealed interface Decision {}

  /** Give up: store it as a dead letter with {@code reason}. */
  record DeadLetter(String reason) implements Decision {}

  /** Try again from memory after {@code delayMs}. */
  record RetryInMemory(long delayMs) implements Decision {}

  /** Queue it durably; its next attempt is due at {@code dueMs}. */
  record RetryDurably(long dueMs, long delayMs) implements Decision {}

  private final DoubleSupplier random;

  RetryPolicy(DoubleSupplier random) {
    this.random = random;
  }

  /**
   * @param d the delivery with the failed attempt counted ({@code attempts} ≥ 1, {@code
   *     firstAttemptMs} set)
   */
  Decision decide(Delivery d, DeliveryException e, RetryConfig r, boolean ordered, long nowMs) {
    if (!e.retryable()) {
      return new DeadLetter(e.getMessage());
    }
    long age = nowMs - d.firstAttemptMs();
    if (d.attempts() >= r.maxAttempts() || age >= r.maxAge().toMillis()) {
      return new DeadLetter(
          "gave up after "
              + d.attempts()
              + (d.attempts() == 1 ? " attempt" : " attempts")
              + " over "
              + Durations.format(Duration.ofMillis(Math.max(age, 0)))
              + " (retry: maxAttempts "
              + r.maxAttempts()
              + ", maxAge "
              + Durations.format(r.maxAge())
              + "); last error: "
              + e.getMessage());
    }
    long delay = backoffMs(r, d.attempts(), e.retryAfter());
    if (ordered || d.attempts() < TargetRunner.QUICK_ATTEMPTS) {
      return new RetryInMemory(delay);
    }
    return new RetryDurably(nowMs + delay, delay);
  }

  /**
   * The wait before attempt {@code attempts + 1}: {@code initialBackoff · 2^(attempts-1)}, capped
   * at {@code maxBackoff}, times a jitter in [0.5, 1); at least 1 ms; at least the target's
   * Retry-After, itself capped at {@code maxBackoff}.
   */
  long backoffMs(RetryConfig r, int attempts, Duration retryAfter) {
    double base = r.initialBackoff().toMillis() * Math.pow(2, Math.max(0, attempts - 1));
    long capped = (long) Math.min(base, r.maxBackoff().toMillis());
    long jittered = (long) (capped * (0.5 + 0.5 * random.getAsDouble()));
    long hint = retryAfter == null ? 0 : retryAfter.toMillis();
    return Math.max(Math.max(jittered, 1), Math.min(hint, r.maxBackoff().toMillis()));
  }
}

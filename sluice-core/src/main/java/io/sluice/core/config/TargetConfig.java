package io.sluice.core.config;

import io.sluice.core.transform.Transform;
import java.time.Duration;

/**
 * One target of a rule: where matched events go and how delivery behaves.
 *
 * @param id unique within the rule
 * @param spec the kind of target and its settings
 * @param transform input transformer or jq, {@link Transform#IDENTITY} when none
 * @param concurrency deliveries in flight at once
 * @param rateLimit deliveries per second, 0 for no limit
 * @param timeout one delivery attempt's limit
 * @param ordered FIFO per group key: a failing event holds back only later events of its group
 * @param batch for kinds that batch (http): several events per delivery; {@code null} for one each
 */
public record TargetConfig(
    String id,
    TargetSpec spec,
    Transform transform,
    int concurrency,
    double rateLimit,
    Duration timeout,
    RetryConfig retry,
    boolean ordered,
    BatchConfig batch) {

  /**
   * A target kind's settings; each kind ({@link io.sluice.core.kinds.TargetKind}) declares its own
   * record in the module that implements it.
   */
  public interface TargetSpec {
    /** The kind's name, as registered. */
    String kind();
  }

  /**
   * Retries: exponential backoff from {@code initialBackoff} doubling to {@code maxBackoff}, with
   * jitter; give up (dead letter) after {@code maxAttempts} attempts in all or {@code maxAge} since
   * the first. Defaults as EventBridge: 185 attempts, 24 hours.
   */
  public record RetryConfig(
      int maxAttempts, Duration maxAge, Duration initialBackoff, Duration maxBackoff) {
    public static final RetryConfig DEFAULTS =
        new RetryConfig(185, Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofMinutes(5));
  }

  /** Up to {@code size} events per request, waiting at most {@code interval} to fill one. */
  public record BatchConfig(int size, Duration interval) {}
}

package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.config.TargetConfig.RetryConfig;
import io.sluice.core.targets.DeliveryException;
import io.sluice.engine.RetryPolicy.DeadLetter;
import io.sluice.engine.RetryPolicy.RetryDurably;
import io.sluice.engine.RetryPolicy.RetryInMemory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The retry decisions on their own: no threads, no clock but the {@code now} passed in. */
class RetryPolicyTest {

  static final RetryConfig RETRY =
      new RetryConfig(10, Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofSeconds(30));
  static final long NOW = 1_000_000_000L;

  static Delivery attempted(int attempts, long firstAttemptMs) {
    return new Delivery("b", 0, 7, NOW, null, null, attempts, firstAttemptMs, "boom", null, -1);
  }

  static final RetryPolicy LOWEST = new RetryPolicy(() -> 0.0);
  static final RetryPolicy HIGHEST = new RetryPolicy(() -> 0.999_999);

  @Test
  void backoffDoublesFromTheInitialStepWithJitterOfHalfToAllOfIt() {
    assertThat(LOWEST.backoffMs(RETRY, 1, null)).isEqualTo(500);
    assertThat(HIGHEST.backoffMs(RETRY, 1, null)).isBetween(999L, 1000L);
    assertThat(LOWEST.backoffMs(RETRY, 2, null)).isEqualTo(1000);
    assertThat(LOWEST.backoffMs(RETRY, 4, null)).isEqualTo(4000);
    assertThat(HIGHEST.backoffMs(RETRY, 4, null)).isBetween(7999L, 8000L);
  }

  @Test
  void backoffStopsGrowingAtMaxBackoffEvenAfterManyAttempts() {
    for (int attempts : new int[] {6, 7, 50, 1000, Integer.MAX_VALUE}) {
      assertThat(LOWEST.backoffMs(RETRY, attempts, null)).isEqualTo(15_000);
      assertThat(HIGHEST.backoffMs(RETRY, attempts, null)).isBetween(29_999L, 30_000L);
    }
  }

  @Test
  void backoffIsAtLeastOneMillisecondWhenTheStepIsZero() {
    RetryConfig zero = new RetryConfig(5, Duration.ofHours(1), Duration.ZERO, Duration.ZERO);
    assertThat(LOWEST.backoffMs(zero, 1, null)).isEqualTo(1);
  }

  @Test
  void retryAfterIsHonouredButNeverBeyondMaxBackoff() {
    assertThat(LOWEST.backoffMs(RETRY, 1, Duration.ofSeconds(12))).isEqualTo(12_000);
    assertThat(LOWEST.backoffMs(RETRY, 1, Duration.ofHours(2))).isEqualTo(30_000);
    // a hint shorter than the backoff does not shorten it
    assertThat(LOWEST.backoffMs(RETRY, 4, Duration.ofMillis(10))).isEqualTo(4000);
  }

  @Test
  void anErrorThatRetryingCannotHelpIsDeadLetteredAtOnceWithItsMessage() {
    var decision =
        LOWEST.decide(
            attempted(1, NOW),
            DeliveryException.permanent("HTTP 400 from http://t/: bad field"),
            RETRY,
            false,
            NOW);
    assertThat(decision).isEqualTo(new DeadLetter("HTTP 400 from http://t/: bad field"));
  }

  @Test
  void theFirstQuickAttemptsAreRetriedInMemoryThenDurably() {
    var e = DeliveryException.retryable("HTTP 503");
    for (int attempts = 1; attempts < TargetRunner.QUICK_ATTEMPTS; attempts++) {
      assertThat(LOWEST.decide(attempted(attempts, NOW), e, RETRY, false, NOW))
          .isInstanceOf(RetryInMemory.class);
    }
    var durable =
        LOWEST.decide(attempted(TargetRunner.QUICK_ATTEMPTS, NOW), e, RETRY, false, NOW + 5);
    assertThat(durable).isInstanceOf(RetryDurably.class);
    RetryDurably d = (RetryDurably) durable;
    assertThat(d.delayMs()).isEqualTo(LOWEST.backoffMs(RETRY, TargetRunner.QUICK_ATTEMPTS, null));
    assertThat(d.dueMs()).isEqualTo(NOW + 5 + d.delayMs());
  }

  @Test
  void anOrderedTargetAlwaysRetriesInMemorySoItsGroupKeepsItsOrder() {
    var e = DeliveryException.retryable("timeout");
    assertThat(LOWEST.decide(attempted(8, NOW), e, RETRY, true, NOW))
        .isEqualTo(new RetryInMemory(LOWEST.backoffMs(RETRY, 8, null)));
  }

  @Test
  void maxAttemptsEndsTheRetriesAndTheReasonNamesTheLimitAndTheLastError() {
    var decision =
        LOWEST.decide(
            attempted(10, NOW - 90_000),
            DeliveryException.retryable("HTTP 502"),
            RETRY,
            false,
            NOW);
    assertThat(decision).isInstanceOf(DeadLetter.class);
    String reason = ((DeadLetter) decision).reason();
    assertThat(reason)
        .startsWith("gave up after 10 attempts over 90s")
        .contains("maxAttempts 10", "maxAge 1h")
        .endsWith("last error: HTTP 502");
  }

  @Test
  void maxAgeEndsTheRetriesEvenWithAttemptsLeft() {
    var decision =
        LOWEST.decide(
            attempted(1, NOW - Duration.ofHours(1).toMillis()),
            DeliveryException.retryable("connection refused"),
            RETRY,
            false,
            NOW);
    assertThat(decision).isInstanceOf(DeadLetter.class);
    assertThat(((DeadLetter) decision).reason())
        .startsWith("gave up after 1 attempt over 1h")
        .endsWith("last error: connection refused");
  }

  @Test
  void aClockThatWentBackwardsDoesNotReportANegativeAge() {
    RetryConfig one =
        new RetryConfig(1, Duration.ofHours(1), Duration.ofSeconds(1), RETRY.maxBackoff());
    var decision =
        LOWEST.decide(attempted(1, NOW + 5000), DeliveryException.retryable("x"), one, false, NOW);
    assertThat(((DeadLetter) decision).reason()).startsWith("gave up after 1 attempt over 0s");
  }

  @Test
  void onlyTimeoutsTooManyRequestsAndServerErrorsAreRetryableStatuses() {
    for (int s : new int[] {408, 429, 500, 502, 503, 504, 599}) {
      assertThat(DeliveryException.isRetryableStatus(s)).as("HTTP %d", s).isTrue();
    }
    for (int s : new int[] {400, 401, 403, 404, 409, 410, 413, 422, 499}) {
      assertThat(DeliveryException.isRetryableStatus(s)).as("HTTP %d", s).isFalse();
    }
  }
}

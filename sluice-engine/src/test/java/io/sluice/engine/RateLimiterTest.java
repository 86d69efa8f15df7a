package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket on a time source the test moves (no waiting). */
class RateLimiterTest {

  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final RateLimiter limiter = new RateLimiter(nanos::get);

  void advanceMs(long ms) {
    nanos.addAndGet(ms * 1_000_000);
  }

  @Test
  void withoutARateEverythingGoesAtOnce() {
    for (int i = 0; i < 1000; i++) {
      assertThat(limiter.tryTake(100)).isZero();
    }
  }

  @Test
  void aRateLetsThatManyDeliveriesGoPerSecondAndSaysHowLongToWait() {
    limiter.setRate(10);
    advanceMs(1000); // a full bucket: 10 tokens
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.tryTake(1)).as("delivery %d", i).isZero();
    }
    long wait = limiter.tryTake(1);
    assertThat(wait).isEqualTo(100_000_000L); // one token comes every 100 ms
    advanceMs(99);
    assertThat(limiter.tryTake(1)).isPositive();
    advanceMs(1);
    assertThat(limiter.tryTake(1)).isZero();
  }

  @Test
  void theBucketHoldsAtMostOneSecondOfDeliveries() {
    limiter.setRate(5);
    advanceMs(60_000); // idle for a minute: still only 5 tokens
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.tryTake(1)).isZero();
    }
    assertThat(limiter.tryTake(1)).isPositive();
  }

  @Test
  void aBatchLargerThanTheBucketGoesOnceTheBucketIsFullAndIsPaidFor() {
    limiter.setRate(2);
    advanceMs(1000);
    assertThat(limiter.tryTake(10)).isZero(); // full bucket: the batch goes
    // it cost 10 tokens: the next delivery waits until the debt of 8 is paid and one more came
    long wait = limiter.tryTake(1);
    assertThat(wait).isEqualTo(4_500_000_000L);
  }

  @Test
  void loweringTheRateDropsTokensAboveTheNewBucket() {
    limiter.setRate(100);
    advanceMs(1000);
    limiter.setRate(1);
    assertThat(limiter.tryTake(1)).isZero();
    assertThat(limiter.tryTake(1)).isPositive();
  }
}

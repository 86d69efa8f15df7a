package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.testkit.MutableClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SupervisedTest {

  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final Health health = new Health(MutableClock.atDefaultStart(), meters);

  @Test
  void aFailingPartIsReportedAndRunAgainUntilItWorks() {
    AtomicInteger runs = new AtomicInteger();
    List<String> seenWhileFailing = new ArrayList<>();
    Supervised.run(
        "router orders/0",
        health,
        () -> false,
        () -> "at offset 42",
        () -> {
          if (runs.incrementAndGet() < 3) {
            throw new IllegalStateException("disk said no");
          }
          seenWhileFailing.add(health.failing().toString());
          health.ok("router orders/0");
        });

    assertThat(runs).hasValue(3);
    assertThat(seenWhileFailing.get(0)).contains("router orders/0", "at offset 42", "disk said no");
    assertThat(health.isHealthy()).isTrue();
    assertThat(
            meters
                .get("sluice.component.errors")
                .tag("component", "router orders/0")
                .counter()
                .count())
        .isEqualTo(2);
  }

  @Test
  void aStoppedPartIsNotRunAgainAfterItsError() {
    AtomicInteger runs = new AtomicInteger();
    boolean[] stopped = {false};
    Supervised.run(
        "retry loader",
        health,
        () -> stopped[0],
        () -> "at offset 0",
        () -> {
          runs.incrementAndGet();
          stopped[0] = true; // stopping makes the part fail, as a closed reader does
          throw new IllegalStateException("closed");
        });
    assertThat(runs).hasValue(1);
    assertThat(health.isHealthy()).isTrue();
  }

  @Test
  void anInterruptEndsThePartAndKeepsTheInterruptFlag() {
    Supervised.run(
        "retry loader",
        health,
        () -> false,
        () -> "",
        () -> {
          throw new InterruptedException();
        });
    assertThat(Thread.interrupted()).isTrue();
  }
}

package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.config.TargetConfig.BatchConfig;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingDeque;
import org.junit.jupiter.api.Test;

class BatchesTest {

  static Delivery at(long offset) {
    return new Delivery("b", 0, offset, 0, null, null, 0, 0, null, null, -1);
  }

  final LinkedBlockingDeque<Delivery> ready = new LinkedBlockingDeque<>();

  @Test
  void withoutBatchingEachDeliveryIsItsOwnRequest() throws Exception {
    ready.add(at(2));
    assertThat(Batches.collect(ready, at(1), null))
        .extracting(Delivery::offset)
        .containsExactly(1L);
    assertThat(ready).hasSize(1);
  }

  @Test
  void aBatchStopsAtItsSizeAndLeavesTheRestQueuedInOrder() throws Exception {
    for (int i = 2; i <= 20; i++) {
      ready.add(at(i));
    }
    var batch = Batches.collect(ready, at(1), new BatchConfig(5, Duration.ofMinutes(1)));
    assertThat(batch).extracting(Delivery::offset).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(ready.peek().offset()).isEqualTo(6);
  }

  @Test
  void aZeroIntervalTakesOnlyWhatIsAlreadyQueued() throws Exception {
    ready.add(at(2));
    var batch = Batches.collect(ready, at(1), new BatchConfig(10, Duration.ZERO));
    assertThat(batch).extracting(Delivery::offset).containsExactly(1L, 2L);
  }

  @Test
  void aDeliveryArrivingWithinTheIntervalJoinsTheBatch() throws Exception {
    Thread producer =
        Thread.ofVirtual()
            .start(
                () -> {
                  ready.add(at(2));
                  ready.add(at(3));
                });
    var batch = Batches.collect(ready, at(1), new BatchConfig(3, Duration.ofMinutes(1)));
    producer.join();
    // the batch is full once both arrived; it does not wait out the minute
    assertThat(batch).extracting(Delivery::offset).containsExactly(1L, 2L, 3L);
  }

  @Test
  void aWorkerStoppedWhileFillingABatchStillHoldsWhatItTook() throws Exception {
    ready.add(at(2));
    java.util.List<Delivery> out = new java.util.ArrayList<>(java.util.List.of(at(1)));
    Thread filler =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    Batches.fill(ready, out, new BatchConfig(10, Duration.ofHours(1)));
                  } catch (InterruptedException expected) {
                    // what was taken stays in out for the caller to hand back
                  }
                });
    io.sluice.testkit.Await.until(
        Duration.ofSeconds(10), ready::isEmpty, () -> "not taken: " + ready);
    filler.interrupt();
    filler.join();
    assertThat(out).extracting(Delivery::offset).containsExactly(1L, 2L);
  }
}

package io.sluice.engine;

import io.sluice.core.config.TargetConfig.BatchConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A target's {@code batch}: after the first delivery of a request, take more from the queue until
 * the batch has {@code size} or {@code interval} has passed since the first, whichever comes first
 * (as Firehose's buffering hints). Without {@code batch}, each delivery is its own request.
 */
final class Batches {

  private Batches() {}

  /** The batch that starts with {@code first}, filled from {@code ready}. */
  static List<Delivery> collect(BlockingQueue<Delivery> ready, Delivery first, BatchConfig batch)
      throws InterruptedException {
    List<Delivery> out = new ArrayList<>(batch == null ? 1 : batch.size());
    out.add(first);
    fill(ready, out, batch);
    return out;
  }

  /**
   * Fills {@code out} (which holds the batch's first delivery) from {@code ready}. When
   * interrupted, what was taken so far is in {@code out}, so the caller can hand it back.
   */
  static void fill(BlockingQueue<Delivery> ready, List<Delivery> out, BatchConfig batch)
      throws InterruptedException {
    if (batch == null) {
      return;
    }
    long deadline = System.nanoTime() + batch.interval().toNanos(); // elapsed time, not wall time
    while (out.size() < batch.size()) {
      long left = deadline - System.nanoTime();
      Delivery next = left <= 0 ? ready.poll() : ready.poll(left, TimeUnit.NANOSECONDS);
      if (next == null) {
        break;
      }
      out.add(next);
    }
  }
}

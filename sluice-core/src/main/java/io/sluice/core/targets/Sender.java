package io.sluice.core.targets;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Hands deliveries to one target. {@link #send} gets one item, or several when the target batches
 * (http with {@code batch}); it returns once the target has them (2xx, written and fsynced, stored
 * on the bus) or throws. Must be thread-safe: the target's workers call it concurrently.
 *
 * <p>A target that buffers (a lake table) implements {@link #sendAsync} instead: the future
 * completes once the items are durable, and the worker goes on meanwhile, with a {@link Receipt}
 * saying how many went to the target's error location rather than the target.
 */
public interface Sender extends AutoCloseable {

  void send(List<Outbound> items) throws DeliveryException;

  /**
   * Delivers without holding the calling worker: the future completes when the items are durable
   * (with how many of them the target kept in its error location instead), or exceptionally with a
   * {@link DeliveryException}. By default {@link #send} on the caller, every item delivered.
   */
  default CompletableFuture<Receipt> sendAsync(List<Outbound> items) {
    try {
      send(items);
      return CompletableFuture.completedFuture(Receipt.DELIVERED);
    } catch (DeliveryException e) {
      return CompletableFuture.failedFuture(e);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new DeliveryException(true, "sender failed: " + e, null, e));
    }
  }

  /**
   * Deliveries a target may owe at once (queued, in flight, buffered) before routing waits for it.
   * A buffering sender flushes before it holds this many.
   */
  default int maxOwed() {
    return 10_000;
  }

  @Override
  default void close() {}

  /**
   * Whether this target keeps items a transform refused ({@link
   * io.sluice.core.transform.TransformOutput.Rejected}) in its own error location, settled and
   * counted as errors; when not, such items are dead letters.
   */
  default boolean keepsRejected() {
    return false;
  }
}

package io.sluice.engine.targets;

import java.util.List;

/**
 * Hands deliveries to one target. {@link #send} gets one item, or several when the target batches
 * (http with {@code batch}); it returns once the target has them (2xx, written and fsynced, stored
 * on the bus) or throws. Must be thread-safe: the target's workers call it concurrently.
 */
public interface Sender extends AutoCloseable {

  void send(List<Outbound> items) throws DeliveryException;

  @Override
  default void close() {}
}

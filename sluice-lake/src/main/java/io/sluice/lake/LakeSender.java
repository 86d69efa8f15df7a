package io.sluice.lake;

import io.sluice.core.targets.DeliveryException;
import io.sluice.core.targets.Outbound;
import io.sluice.core.targets.Receipt;
import io.sluice.core.targets.Sender;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** The routing's handle on a {@link LakeWriter}; several handles may share one writer. */
final class LakeSender implements Sender {

  private final Lake lake;
  private final LakeWriter writer;
  private boolean closed;

  LakeSender(Lake lake, LakeWriter writer) {
    this.lake = lake;
    this.writer = writer;
  }

  /** Rows a function transform failed go to {@code _errors} with the reason, as other bad rows. */
  @Override
  public boolean keepsRejected() {
    return true;
  }

  @Override
  public CompletableFuture<Receipt> sendAsync(List<Outbound> items) {
    return writer.add(items);
  }

  @Override
  public void send(List<Outbound> items) throws DeliveryException {
    try {
      sendAsync(items).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DeliveryException.retryable("interrupted while waiting for the lake commit");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DeliveryException d) {
        throw d;
      }
      throw DeliveryException.retryable("lake commit failed: " + e.getCause());
    }
  }

  /**
   * Above {@link LakeSettings#maxBufferedRows()}, so a full buffer flushes before routing waits.
   */
  @Override
  public int maxOwed() {
    return lake.settings().maxBufferedRows() + lake.settings().maxBufferedRows() / 4;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      lake.release(writer);
    }
  }
}

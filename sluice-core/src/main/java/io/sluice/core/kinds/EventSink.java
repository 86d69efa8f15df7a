package io.sluice.core.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Where a target can put events back on a bus of the same node (a bus target, a result). */
public interface EventSink {

  /** What became of one event: stored, or refused with why and whether trying again can help. */
  record Result(String error, boolean retryable) {
    public static final Result STORED = new Result(null, false);

    public boolean stored() {
      return error == null;
    }
  }

  /**
   * Validates and stores {@code events} (EventBridge envelopes) on {@code bus}, all in one append;
   * completes with one result per event, in order, once the stored ones are durable.
   */
  CompletableFuture<List<Result>> put(String bus, List<JsonNode> events);
}

package io.sluice.core.config;

import io.sluice.core.EventLimits;

/**
 * What one request may carry. A violation is refused with the limit and the actual value.
 *
 * @param maxBodyBytes largest request body (default 10 MB)
 * @param maxEventBytes largest stored event (default 256 KB, as EventBridge)
 * @param maxDepth deepest JSON nesting of an event, counting the event object as 1 (default 128)
 * @param maxBatchEntries most events in one native or CloudEvents batch request (default 1000)
 * @param memoryBudget heap that requests in progress may use at once, each counted as 4 times its
 *     body, before new requests get 503 (default 256 MB), so memory stays bounded under any load
 * @param idleTimeout how long the server waits for more bytes of a request it is reading before
 *     answering 408 (default 30 s)
 */
public record LimitsConfig(
    long maxBodyBytes,
    int maxEventBytes,
    int maxDepth,
    int maxBatchEntries,
    long memoryBudget,
    java.time.Duration idleTimeout) {

  public static final LimitsConfig DEFAULTS =
      new LimitsConfig(
          10L << 20,
          EventLimits.DEFAULT_MAX_EVENT_BYTES,
          EventLimits.DEFAULT_MAX_DEPTH,
          1000,
          256L << 20,
          java.time.Duration.ofSeconds(30));

  public EventLimits eventLimits() {
    return new EventLimits(maxEventBytes, maxDepth);
  }
}

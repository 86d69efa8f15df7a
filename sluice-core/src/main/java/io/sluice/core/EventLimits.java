package io.sluice.core;

/**
 * Limits every ingested event must keep. A violation is rejected with a {@link Problem} naming the
 * limit and the actual value; nothing is ever truncated.
 *
 * @param maxEventBytes largest stored event, in bytes of its UTF-8 JSON (EventBridge: 256 KB)
 * @param maxDepth deepest nesting of objects and arrays, counting the event object itself as 1
 */
public record EventLimits(int maxEventBytes, int maxDepth) {

  public static final int DEFAULT_MAX_EVENT_BYTES = 256 * 1024;
  public static final int DEFAULT_MAX_DEPTH = 128;
  public static final EventLimits DEFAULTS =
      new EventLimits(DEFAULT_MAX_EVENT_BYTES, DEFAULT_MAX_DEPTH);

  public EventLimits {
    if (maxEventBytes < 64) {
      throw new IllegalArgumentException("maxEventBytes must be at least 64, got " + maxEventBytes);
    }
    if (maxDepth < 2) {
      throw new IllegalArgumentException("maxDepth must be at least 2, got " + maxDepth);
    }
  }
}

package io.sluice.core.targets;

import java.time.Duration;

/**
 * A delivery attempt failed. {@code retryable} says whether trying again can help (5xx, 408, 429,
 * timeouts, refused connections: yes; other 4xx, an event the target cannot take: no). {@code
 * retryAfter} is the target's own hint (HTTP Retry-After), or {@code null}.
 */
public final class DeliveryException extends Exception {

  private static final long serialVersionUID = 1L;

  private final boolean retryable;
  private final transient Duration retryAfter;

  public DeliveryException(
      boolean retryable, String message, Duration retryAfter, Throwable cause) {
    super(message, cause, false, false);
    this.retryable = retryable;
    this.retryAfter = retryAfter;
  }

  public static DeliveryException retryable(String message) {
    return new DeliveryException(true, message, null, null);
  }

  public static DeliveryException permanent(String message) {
    return new DeliveryException(false, message, null, null);
  }

  /**
   * Whether an HTTP answer with {@code status} is worth trying again: 408 (timeout), 429 (too many
   * requests) and 5xx are; any other status says the request itself is wrong (EventBridge's rule).
   */
  public static boolean isRetryableStatus(int status) {
    return status == 408 || status == 429 || status >= 500;
  }

  public boolean retryable() {
    return retryable;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}

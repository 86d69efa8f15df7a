package io.sluice.core.functions;

import io.sluice.core.functions.InvocationResult.Failure;
import io.sluice.core.functions.InvocationResult.Kind;
import java.time.Duration;
import java.util.List;

/** Lambda's error types, and how a handler's error becomes a {@link Failure}. */
public final class FunctionErrors {

  /**
   * A handler error whose type is, or ends with, this is permanent: {@code class
   * PermanentError(Exception)} in Python, {@code class OrderPermanentError extends Error} in Node.
   */
  public static final String PERMANENT_SUFFIX = "PermanentError";

  public static final String TIMEOUT = "Sandbox.Timedout";
  public static final String EXIT = "Runtime.ExitError";
  public static final String INIT = "Runtime.InitError";
  public static final String INVALID_RESPONSE = "Runtime.InvalidResponse";
  public static final String THROTTLED = "TooManyRequestsException";

  private FunctionErrors() {}

  /** A handler's own error: permanent when its type says so, else retried. */
  public static Failure handler(
      String errorType, String errorMessage, List<String> stackTrace, Duration duration) {
    String type = errorType == null || errorType.isBlank() ? "Error" : errorType;
    Kind kind = type.endsWith(PERMANENT_SUFFIX) ? Kind.PERMANENT : Kind.HANDLER;
    return new Failure(type, errorMessage == null ? "" : errorMessage, stackTrace, kind, duration);
  }

  /** Lambda's message for a handler stopped at its timeout. */
  public static Failure timeout(Duration timeout, Duration duration) {
    return new Failure(
        TIMEOUT,
        String.format(
            java.util.Locale.ROOT,
            "Task timed out after %.2f seconds",
            timeout.toMillis() / 1000.0),
        List.of(),
        Kind.TIMEOUT,
        duration);
  }
}

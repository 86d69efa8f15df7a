package io.sluice.core.functions;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * How an invocation ended: the handler's result, or a failure with Lambda's error shape ({@code
 * errorType}, {@code errorMessage}, {@code stackTrace}) and what kind of failure it was, which says
 * whether trying again can help.
 */
public sealed interface InvocationResult {

  /** How long the invocation ran (for the duration metric and the logs). */
  Duration duration();

  /** The handler returned {@code payload} (JSON bytes; {@code null} from the handler is "null"). */
  record Success(byte[] payload, Duration duration) implements InvocationResult {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  /**
   * The invocation failed.
   *
   * @param errorType Lambda's {@code errorType}: the exception class for a handler error ({@code
   *     ValueError}, {@code TypeError}), {@code Sandbox.Timedout}, {@code Runtime.ExitError},
   *     {@code Runtime.InitError}, {@code Runtime.InvalidResponse}, {@code
   *     TooManyRequestsException}
   * @param stackTrace the handler's frames, outermost first, when the runtime gave them
   */
  record Failure(
      String errorType, String errorMessage, List<String> stackTrace, Kind kind, Duration duration)
      implements InvocationResult {
    public Failure {
      stackTrace = List.copyOf(stackTrace);
    }

    /** Whether retrying the same payload can succeed: not for init errors or permanent ones. */
    public boolean isRetryable() {
      return kind.retryable;
    }

    /** {@code errorType: errorMessage}, as a dead letter's error says it. */
    public String describe() {
      return errorType + ": " + errorMessage;
    }
  }

  /** The kinds of failure, each with whether a retry can help. */
  enum Kind {
    /** The handler raised or returned an error. Retried. */
    HANDLER(true),
    /**
     * The handler raised an error it marked as permanent: its type is, or ends with, {@value
     * FunctionErrors#PERMANENT_SUFFIX}. Not retried: a dead letter at once.
     */
    PERMANENT(false),
    /** The handler ran past its timeout and was stopped. Retried. */
    TIMEOUT(true),
    /** The runtime process crashed or ran out of memory during the invocation. Retried. */
    CRASH(true),
    /** The function could not initialise (bad handler, import error). Not retried. */
    INIT(false),
    /** The handler's result is not JSON, or too large. Not retried: it would be the same again. */
    INVALID_RESPONSE(false),
    /** Every worker was busy for longer than the caller waits. Retried. */
    THROTTLED(true);

    final boolean retryable;

    Kind(boolean retryable) {
      this.retryable = retryable;
    }
  }
}

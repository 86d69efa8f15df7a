package io.sluice.core.functions;

import java.time.Duration;
import java.util.List;

/**
 * The functions of a node, by name: what targets, transforms, the Invoke API and the CLI call.
 * Limits each function to its {@code concurrency} invocations at once (a caller waits for a worker
 * at most {@code maxWait}, then gets a {@code THROTTLED} failure), counts invocations, errors,
 * durations and throttles, and keeps recent log lines.
 *
 * <p>Thread-safe.
 */
public interface Functions {

  /** A function as listings show it. */
  record Info(
      String name,
      String runtime,
      String state,
      int concurrency,
      int warmWorkers,
      int running,
      long invocations,
      long errors,
      String lastError) {}

  /**
   * Calls function {@code name} with {@code payload} (JSON bytes); its timeout starts now.
   *
   * @param maxWait how long to wait for a free worker before answering {@code THROTTLED}
   * @throws io.sluice.core.InvalidInputException {@code NOT_FOUND} when there is no such function
   */
  default InvocationResult invoke(String name, byte[] payload, String caller, Duration maxWait) {
    return invoke(name, payload, caller, maxWait, java.util.UUID.randomUUID().toString());
  }

  /**
   * As above, with the invocation's request id chosen by the caller (the Invoke API answers with
   * it, and finds the invocation's own log lines by it).
   */
  InvocationResult invoke(
      String name, byte[] payload, String caller, Duration maxWait, String requestId);

  /**
   * Accepts an asynchronous invocation (Lambda's {@code Event}): stored durably before this
   * returns, then run in order, retried twice when it fails in a way that can pass, and set aside
   * with its error when it never does.
   *
   * @return the request id
   * @throws io.sluice.core.InvalidInputException {@code NOT_FOUND} when there is no such function
   * @throws java.io.UncheckedIOException when it could not be stored (nothing was accepted)
   */
  String invokeAsync(String name, byte[] payload);

  /** Whether a function of that name is declared. */
  boolean has(String name);

  /** Every function, in config order. */
  List<Info> list();

  /** The last {@code limit} log lines of {@code name}, oldest first, each with its sequence. */
  List<LogLine> logs(String name, long afterSequence, int limit);

  /**
   * Names this start of the node: log sequences start again from 1 at every start, so a follower
   * that sees another boot id asks again from the beginning.
   */
  String bootId();

  /** One log line, numbered per function from 1 so a follower can ask for what came after. */
  record LogLine(
      long sequence, long timeMs, String function, String requestId, String stream, String text) {}
}

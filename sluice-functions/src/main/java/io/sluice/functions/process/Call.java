package io.sluice.functions.process;

import io.sluice.core.functions.InvocationResult;
import java.util.concurrent.CompletableFuture;

/**
 * One invocation handed to a worker: what {@code next} serves, and the result the worker's {@code
 * response} or {@code error} (or its death) completes; the first completion wins.
 *
 * @param deadlineMs epoch milliseconds, as {@code Lambda-Runtime-Deadline-Ms} says it
 * @param startNanos when the invocation began, for its duration
 */
record Call(
    String requestId,
    byte[] payload,
    long deadlineMs,
    long startNanos,
    CompletableFuture<InvocationResult> result) {

  java.time.Duration elapsed() {
    return java.time.Duration.ofNanos(System.nanoTime() - startNanos);
  }
}

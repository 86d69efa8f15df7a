package io.sluice.core.functions;

/**
 * One running function of a runtime kind: its warm workers (processes, wasm instances, HTTP
 * connections) and how an invocation reaches one. Started by {@link RuntimeKind#start}, closed when
 * the node stops or the function is removed.
 *
 * <p>Thread-safe. The host never asks for more than the function's {@code concurrency} invocations
 * at once, so a runtime may keep exactly that many workers. {@link #invoke} never throws for
 * anything the handler or its process does: a handler error, a crash, a timeout, a result that is
 * not JSON all come back as a {@link InvocationResult.Failure}, and a worker that died or was
 * stopped is replaced (with backoff when it keeps dying) without affecting others.
 */
public interface FunctionRuntime extends AutoCloseable {

  /**
   * Runs one invocation and waits for its end, at the latest at its deadline (then the handler is
   * stopped, its worker replaced, and the answer is a {@code TIMEOUT} failure).
   */
  InvocationResult invoke(Invocation invocation);

  /** Workers started and idle or busy now (0 for a runtime that keeps none). */
  default int warmWorkers() {
    return 0;
  }

  /** Stops every worker; invocations still running end as {@code CRASH} failures. */
  @Override
  void close();
}

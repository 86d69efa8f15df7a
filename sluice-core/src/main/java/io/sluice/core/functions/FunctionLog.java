package io.sluice.core.functions;

/**
 * Where a runtime puts what a function prints (its process's stdout and stderr, a wasm module's
 * WASI output, an llm call's summary), line by line, like CloudWatch Logs.
 *
 * <p>Thread-safe; never blocks for long (lines are kept in a bounded buffer and logged).
 */
@FunctionalInterface
public interface FunctionLog {

  /**
   * @param function the function's name
   * @param requestId the invocation the line belongs to, or {@code null} (start-up, between calls)
   * @param stream {@code stdout}, {@code stderr} or {@code sluice} (the runtime's own notes)
   */
  void line(String function, String requestId, String stream, String text);

  /** Drops every line (for reading config, and tests that do not look). */
  FunctionLog NONE = (f, r, s, t) -> {};
}

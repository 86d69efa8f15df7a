package io.sluice.functions.llm;

import io.sluice.core.functions.InvocationResult.Kind;

/**
 * Why an {@code llm} invocation failed, as the {@code errorType} and kind its {@link
 * io.sluice.core.functions.InvocationResult.Failure} gets. The error types (a compatibility
 * promise: dead letters, {@code onFailure} events and the {@code sluice.function.errors} metric
 * carry them):
 *
 * <ul>
 *   <li>{@value #BUDGET_EXHAUSTED}: the day's {@code budget.tokensPerDay} is spent ({@code
 *       PERMANENT});
 *   <li>{@value #RESPONSE_SCHEMA_MISMATCH}: the answer is not JSON or does not match {@code
 *       responseSchema} ({@code INVALID_RESPONSE});
 *   <li>{@value #INVALID_RESPONSE}: the model answered no message text (a refusal, a tool call) or
 *       the answer is too large ({@code INVALID_RESPONSE});
 *   <li>{@value #REQUEST_REJECTED}: the server answered a 4xx other than 408 and 429 ({@code
 *       PERMANENT});
 *   <li>{@value #TOO_MANY_REQUESTS}, {@value #SERVER_UNAVAILABLE}: 429, or 408/5xx/no connection,
 *       still so when the deadline left no time for another attempt; or a 2xx that is not a chat
 *       completion (not JSON, no {@code choices}), which is not cached ({@code HANDLER}, retried);
 *   <li>{@value #PROMPT_ERROR}: the payload is not JSON, or lacks a value the prompt needs ({@code
 *       PERMANENT});
 *   <li>{@value #STORAGE_ERROR}: the answer could not be kept in the cache or the budget file
 *       ({@code HANDLER}, retried).
 * </ul>
 */
final class LlmCallException extends Exception {

  private static final long serialVersionUID = 1L;

  static final String BUDGET_EXHAUSTED = "Llm.BudgetExhausted";
  static final String RESPONSE_SCHEMA_MISMATCH = "Llm.ResponseSchemaMismatch";
  static final String INVALID_RESPONSE = "Llm.InvalidResponse";
  static final String REQUEST_REJECTED = "Llm.RequestRejected";
  static final String TOO_MANY_REQUESTS = "Llm.TooManyRequests";
  static final String SERVER_UNAVAILABLE = "Llm.ServerUnavailable";
  static final String PROMPT_ERROR = "Llm.PromptError";
  static final String STORAGE_ERROR = "Llm.StorageError";

  private final String errorType;
  private final Kind kind;

  LlmCallException(String errorType, Kind kind, String message) {
    super(message);
    this.errorType = errorType;
    this.kind = kind;
  }

  String errorType() {
    return errorType;
  }

  Kind kind() {
    return kind;
  }
}

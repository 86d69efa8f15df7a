package io.sluice.functions.llm;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.config.FunctionConfig;
import java.net.URI;

/**
 * The settings of one {@code llm} function (see {@link LlmRuntimeKind} for the config keys).
 *
 * @param endpoint the server's OpenAI-compatible base URL, without a trailing slash ({@code
 *     http://localhost:11434/v1}); requests go to {@code <endpoint>/chat/completions}
 * @param apiKey sent as {@code Authorization: Bearer <apiKey>}; {@code null} for none
 * @param system the system message, or {@code null} for none
 * @param prompt the user message
 * @param responseSchema the JSON Schema the answer must match, or {@code null} for a text answer
 * @param strict {@code json_schema.strict} of the request (servers that honour it constrain the
 *     answer to the schema; OpenAI then supports only a subset of JSON Schema)
 * @param tokensPerDay the budget, tokens per UTC day; 0 for none
 */
public record LlmFunction(
    URI endpoint,
    String model,
    String apiKey,
    PromptTemplate system,
    PromptTemplate prompt,
    JsonNode responseSchema,
    boolean strict,
    int maxTokens,
    double temperature,
    long tokensPerDay)
    implements FunctionConfig.RuntimeSpec {

  @Override
  public String runtime() {
    return LlmRuntimeKind.NAME;
  }

  /** Whether a day's tokens are limited. */
  public boolean hasBudget() {
    return tokensPerDay > 0;
  }

  /** Without the API key, so the settings can be logged. */
  @Override
  public String toString() {
    return "LlmFunction[endpoint="
        + endpoint
        + ", model="
        + model
        + ", apiKey="
        + (apiKey == null ? "none" : "(set)")
        + ", system="
        + system
        + ", prompt="
        + prompt
        + ", responseSchema="
        + responseSchema
        + ", strict="
        + strict
        + ", maxTokens="
        + maxTokens
        + ", temperature="
        + temperature
        + ", tokensPerDay="
        + tokensPerDay
        + "]";
  }
}

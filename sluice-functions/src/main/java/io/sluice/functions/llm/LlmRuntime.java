package io.sluice.functions.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.core.Json;
import io.sluice.core.config.FunctionConfig;
import io.sluice.core.functions.FunctionErrors;
import io.sluice.core.functions.FunctionRuntime;
import io.sluice.core.functions.Invocation;
import io.sluice.core.functions.InvocationResult;
import io.sluice.core.functions.InvocationResult.Failure;
import io.sluice.core.functions.InvocationResult.Kind;
import io.sluice.core.functions.RuntimeContext;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * One running {@code llm} function: renders the prompt from the payload, answers from its {@link
 * ResponseCache} when the same request was answered before (no request, no tokens), else checks its
 * {@link TokenBudget}, asks the server through {@link ChatCompletions}, charges the tokens and
 * keeps the answer (both durably) before it returns the result.
 *
 * <p>The result is, with {@code responseSchema}, the JSON value the model answered, checked against
 * the schema; without, {@code {"text": <the answer>, "model": <the server's model>, "finishReason":
 * <finish_reason>, "usage": {"promptTokens", "completionTokens", "totalTokens"}}}. Both are the
 * same for an answer from the cache, so a replay is deterministic.
 *
 * <p>Meters (tag {@code function}): {@code sluice.function.llm.tokens} ({@code type=prompt|
 * completion}, what the server reported), {@code sluice.function.llm.cache} ({@code
 * result=hit|miss}), {@code sluice.function.llm.requests} ({@code status}: the HTTP status, or
 * {@code none} when no answer came) and, with a budget, the gauge {@code
 * sluice.function.llm.budget.remaining}. Failures are counted by the host by {@code errorType}
 * ({@code sluice.function.errors{type=Llm.BudgetExhausted}} …).
 *
 * <p>Thread-safe: invocations share nothing but the cache, the budget and the HTTP client, which
 * are thread-safe.
 */
final class LlmRuntime implements FunctionRuntime {

  private final FunctionConfig function;
  private final LlmFunction spec;
  private final RuntimeContext context;
  private final ChatCompletions chat;
  private final ResponseSchema schema;
  private final ResponseCache cache;
  private final TokenBudget budget;
  private final String initError;
  private final Counter promptTokens;
  private final Counter completionTokens;
  private final Counter hits;
  private final Counter misses;
  private final Gauge remaining;

  LlmRuntime(
      FunctionConfig function,
      LlmFunction spec,
      RuntimeContext context,
      ChatCompletions.Pause pause) {
    this.function = function;
    this.spec = spec;
    this.context = context;
    this.chat = new ChatCompletions(spec.endpoint(), spec.apiKey(), context.clock(), pause);
    this.schema =
        spec.responseSchema() == null ? null : ResponseSchema.compile(spec.responseSchema());
    ResponseCache c = null;
    TokenBudget b = null;
    String error = null;
    try {
      c = new ResponseCache(context.workDir());
      if (spec.hasBudget()) {
        b = new TokenBudget(context.workDir(), spec.tokensPerDay(), context.clock());
      }
    } catch (IOException e) {
      error =
          "function "
              + function.name()
              + " cannot open its cache or budget in "
              + context.workDir()
              + ": "
              + e.getMessage()
              + " (a damaged "
              + TokenBudget.FILE
              + " can be deleted: that day's count starts again)";
      context.log().line(function.name(), null, "sluice", error);
    }
    this.cache = c;
    this.budget = b;
    this.initError = error;
    MeterRegistry meters = context.meters();
    String n = function.name();
    this.promptTokens = tokens(meters, n, "prompt");
    this.completionTokens = tokens(meters, n, "completion");
    this.hits = cache(meters, n, "hit");
    this.misses = cache(meters, n, "miss");
    this.remaining =
        b == null
            ? null
            : Gauge.builder("sluice.function.llm.budget.remaining", b, TokenBudget::remaining)
                .description(
                    "Tokens the function may still use today (UTC) under budget.tokensPerDay")
                .tag("function", n)
                .strongReference(true)
                .register(meters);
  }

  private static Counter tokens(MeterRegistry meters, String function, String type) {
    return Counter.builder("sluice.function.llm.tokens")
        .description("Tokens the chat-completions server reported using (cached answers use none)")
        .tag("function", function)
        .tag("type", type)
        .register(meters);
  }

  private static Counter cache(MeterRegistry meters, String function, String result) {
    return Counter.builder("sluice.function.llm.cache")
        .description("Invocations answered from the response cache (hit) or by the server (miss)")
        .tag("function", function)
        .tag("result", result)
        .register(meters);
  }

  @Override
  public InvocationResult invoke(Invocation inv) {
    long t0 = System.nanoTime();
    try {
      byte[] result = call(inv);
      return new InvocationResult.Success(result, Duration.ofNanos(System.nanoTime() - t0));
    } catch (LlmCallException e) {
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      context
          .log()
          .line(function.name(), inv.requestId(), "sluice", e.errorType() + ": " + e.getMessage());
      if (e.kind() == Kind.TIMEOUT) {
        return FunctionErrors.timeout(function.timeout(), took);
      }
      return new Failure(e.errorType(), e.getMessage(), List.of(), e.kind(), took);
    }
  }

  private byte[] call(Invocation inv) throws LlmCallException {
    if (initError != null) {
      throw new LlmCallException(FunctionErrors.INIT, Kind.INIT, initError);
    }
    ObjectNode request = request(inv.payload());
    String key = ResponseCache.key(spec.endpoint(), request);
    JsonNode answer = null;
    try {
      answer = cache.get(key);
    } catch (IOException e) {
      context
          .log()
          .line(
              function.name(),
              inv.requestId(),
              "sluice",
              "cache entry " + cache.file(key) + " cannot be read, asking the server again: " + e);
    }
    if (answer != null) {
      hits.increment();
      context
          .log()
          .line(function.name(), inv.requestId(), "sluice", "answered from the cache " + key);
      return result(answer);
    }
    misses.increment();
    if (budget != null) {
      String refusal = budget.refusal();
      if (refusal != null) {
        throw new LlmCallException(LlmCallException.BUDGET_EXHAUSTED, Kind.PERMANENT, refusal);
      }
    }
    answer =
        chat.post(
            request,
            inv.deadline(),
            (status, note) -> {
              Counter.builder("sluice.function.llm.requests")
                  .description("Requests to the chat-completions server, by the HTTP status")
                  .tag("function", function.name())
                  .tag("status", status == 0 ? "none" : Integer.toString(status))
                  .register(context.meters())
                  .increment();
              context
                  .log()
                  .line(
                      function.name(),
                      inv.requestId(),
                      "sluice",
                      "POST " + chat.uri() + " " + (status == 0 ? "" : status + " ") + note);
            });
    long used = charge(answer, inv);
    JsonNode choices = answer.path("choices");
    if (!choices.isArray() || choices.isEmpty()) { // not an answer to keep: a retry asks again
      throw new LlmCallException(
          LlmCallException.SERVER_UNAVAILABLE,
          Kind.HANDLER,
          "POST "
              + chat.uri()
              + " answered without choices: "
              + ChatCompletions.cut(answer.toString()));
    }
    try {
      cache.put(key, request, answer);
    } catch (IOException e) {
      throw new LlmCallException(
          LlmCallException.STORAGE_ERROR,
          Kind.HANDLER,
          "the answer could not be kept in " + cache.file(key) + ": " + e);
    }
    context
        .log()
        .line(
            function.name(),
            inv.requestId(),
            "sluice",
            used
                + " tokens"
                + (budget == null
                    ? ""
                    : " (" + budget.usedToday() + " of " + budget.tokensPerDay() + " today)")
                + ", kept as "
                + key);
    return result(answer);
  }

  /** The chat-completions request body for {@code payload}. */
  private ObjectNode request(byte[] payload) throws LlmCallException {
    JsonNode input;
    try {
      input = Json.MAPPER.readTree(payload);
    } catch (IOException e) {
      input = null;
    }
    if (input == null || input.isMissingNode()) {
      throw new LlmCallException(
          LlmCallException.PROMPT_ERROR,
          Kind.PERMANENT,
          "the payload is not JSON: "
              + ChatCompletions.cut(new String(payload, java.nio.charset.StandardCharsets.UTF_8)));
    }
    ObjectNode r = Json.MAPPER.createObjectNode();
    r.put("model", spec.model());
    ArrayNode messages = r.putArray("messages");
    try {
      if (spec.system() != null) {
        messages.addObject().put("role", "system").put("content", spec.system().render(input));
      }
      messages.addObject().put("role", "user").put("content", spec.prompt().render(input));
    } catch (PromptTemplate.MissingValueException e) {
      throw new LlmCallException(LlmCallException.PROMPT_ERROR, Kind.PERMANENT, e.getMessage());
    }
    r.put("max_tokens", spec.maxTokens());
    r.put("temperature", spec.temperature());
    if (spec.responseSchema() != null) {
      ObjectNode format = r.putObject("response_format");
      format.put("type", "json_schema");
      ObjectNode js = format.putObject("json_schema");
      js.put("name", function.name());
      js.set("schema", spec.responseSchema());
      js.put("strict", spec.strict());
    }
    return r;
  }

  /** Counts what the server says the answer used; returns the total. */
  private long charge(JsonNode answer, Invocation inv) throws LlmCallException {
    JsonNode usage = answer.path("usage");
    long prompt = usage.path("prompt_tokens").asLong(0);
    long completion = usage.path("completion_tokens").asLong(0);
    long total =
        usage.path("total_tokens").canConvertToLong()
            ? usage.path("total_tokens").asLong()
            : prompt + completion;
    promptTokens.increment(prompt);
    completionTokens.increment(completion);
    if (!usage.isObject()) {
      total = spec.maxTokens();
      context
          .log()
          .line(
              function.name(),
              inv.requestId(),
              "sluice",
              "the answer has no usage: charged maxTokens " + total + " against the budget");
    }
    if (budget != null) {
      try {
        budget.charge(total);
      } catch (IOException e) {
        throw new LlmCallException(
            LlmCallException.STORAGE_ERROR,
            Kind.HANDLER,
            "the tokens used could not be counted in " + TokenBudget.FILE + ": " + e);
      }
    }
    return total;
  }

  /** What the function returns for the server's {@code answer}. */
  private byte[] result(JsonNode answer) throws LlmCallException {
    JsonNode choice = answer.path("choices").path(0);
    JsonNode message = choice.path("message");
    String finish =
        choice.path("finish_reason").isTextual() ? choice.get("finish_reason").asText() : null;
    if (!message.path("content").isTextual()) {
      String why =
          message.path("refusal").isTextual()
              ? "the model refused: " + ChatCompletions.cut(message.get("refusal").asText())
              : "the answer has no choices[0].message.content text"
                  + (finish == null ? "" : " (finish_reason " + finish + ")")
                  + ": "
                  + ChatCompletions.cut(answer.toString());
      throw new LlmCallException(LlmCallException.INVALID_RESPONSE, Kind.INVALID_RESPONSE, why);
    }
    String text = message.get("content").asText();
    try {
      if (schema == null) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("text", text);
        out.put("model", answer.path("model").asText(spec.model()));
        out.put("finishReason", finish);
        ObjectNode u = out.putObject("usage");
        JsonNode usage = answer.path("usage");
        u.put("promptTokens", usage.path("prompt_tokens").asLong(0));
        u.put("completionTokens", usage.path("completion_tokens").asLong(0));
        u.put("totalTokens", usage.path("total_tokens").asLong(0));
        return Json.MAPPER.writeValueAsBytes(out);
      }
      JsonNode value;
      try {
        value = Json.MAPPER.readTree(text);
      } catch (IOException e) {
        value = null;
      }
      if (value == null || value.isMissingNode()) {
        throw new LlmCallException(
            LlmCallException.RESPONSE_SCHEMA_MISMATCH,
            Kind.INVALID_RESPONSE,
            "the answer is not JSON"
                + ("length".equals(finish)
                    ? " (finish_reason length: it reached maxTokens " + spec.maxTokens() + ")"
                    : "")
                + ": "
                + ChatCompletions.cut(text));
      }
      String mismatch = schema.check(value);
      if (mismatch != null) {
        throw new LlmCallException(
            LlmCallException.RESPONSE_SCHEMA_MISMATCH,
            Kind.INVALID_RESPONSE,
            "the answer does not match responseSchema: "
                + mismatch
                + "; answer: "
                + ChatCompletions.cut(value.toString()));
      }
      return Json.MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree always writes", e);
    }
  }

  @Override
  public void close() {
    chat.close();
    if (remaining != null) {
      context.meters().remove(remaining); // a restarted function registers its own budget
    }
  }
}

package io.sluice.functions.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.config.FunctionConfig;
import io.sluice.core.functions.FunctionRuntime;
import io.sluice.core.functions.RuntimeContext;
import io.sluice.core.functions.RuntimeKind;
import io.sluice.core.kinds.ReadContext;
import io.sluice.core.kinds.Schemas;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code runtime: llm}: a function whose body is a prompt, answered by any OpenAI-compatible
 * chat-completions server (Ollama, vLLM, llama.cpp's server, OpenAI, a Bedrock gateway).
 *
 * <pre>{@code
 * functions:
 *   - name: triage
 *     runtime: llm
 *     timeout: 60s                              # the whole call, retries included
 *     endpoint: http://localhost:11434/v1       # POST <endpoint>/chat/completions
 *     model: llama3.2
 *     apiKey: ${env:LLM_API_KEY}                # optional: Authorization: Bearer …
 *     system: You triage patient vitals.        # optional; a template too
 *     prompt: "Heart rate {{detail.heart_rate}}, notes: {{detail.notes?}}. Is this urgent?"
 *     responseSchema:                           # optional: the answer is this JSON, checked
 *       type: object
 *       properties: {urgent: {type: boolean}, reason: {type: string}}
 *       required: [urgent, reason]
 *       additionalProperties: false
 *     strict: true                              # json_schema.strict (default true)
 *     maxTokens: 512                            # default 1024
 *     temperature: 0                            # default 0
 *     budget: {tokensPerDay: 200000}            # optional
 * }</pre>
 *
 * Templates ({@link PromptTemplate}) and the schema are checked when the config is read. The
 * request, the cache, the budget and the errors: {@link LlmRuntime}, {@link ResponseCache}, {@link
 * TokenBudget}, {@link ChatCompletions}, {@link LlmCallException}.
 *
 * <p>A spent budget fails the invocation as {@code PERMANENT} ({@code Llm.BudgetExhausted}): it
 * would pass tomorrow, but retrying until midnight only spends tomorrow's budget on today's backlog
 * the moment the day turns, which is what a budget is there to stop. So the invocation is
 * dead-lettered (or sent to {@code onFailure}) at once, counted in {@code sluice.function.errors}
 * by its type, and replayed deliberately when the budget allows.
 *
 * <p>Immutable and thread-safe.
 */
public final class LlmRuntimeKind implements RuntimeKind<LlmFunction> {

  static final String NAME = "llm";
  static final int DEFAULT_MAX_TOKENS = 1024;
  static final String URL_EXPECTED = "an http or https URL like http://localhost:11434/v1";

  private final ChatCompletions.Pause pause;

  public LlmRuntimeKind() {
    this(null);
  }

  /** With {@code pause} for the waits between attempts (tests); {@code null}: real time. */
  LlmRuntimeKind(ChatCompletions.Pause pause) {
    this.pause = pause;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Class<LlmFunction> specType() {
    return LlmFunction.class;
  }

  @Override
  public List<String> keys() {
    return List.of(
        "endpoint",
        "model",
        "apiKey",
        "system",
        "prompt",
        "responseSchema",
        "strict",
        "maxTokens",
        "temperature",
        "budget");
  }

  @Override
  public LlmFunction read(ConfigNode n, ReadContext context) {
    int before = n.problems().size();
    URI endpoint = endpoint(n.field("endpoint"), context);
    String model = n.field("model").requiredString("a model the server serves, like llama3.2");
    ConfigNode keyNode = n.field("apiKey");
    String apiKey = context.resolveEnv(keyNode, keyNode.string(null));
    if (apiKey != null && apiKey.isBlank()) {
      apiKey = null;
    }
    PromptTemplate system = template(n.field("system"), false);
    PromptTemplate prompt = template(n.field("prompt"), true);
    JsonNode schema = responseSchema(n.field("responseSchema"));
    boolean strict = n.field("strict").bool(true);
    int maxTokens = n.field("maxTokens").integer(DEFAULT_MAX_TOKENS, 1, 1_000_000);
    double temperature = temperature(n.field("temperature"));
    long tokensPerDay = 0;
    ConfigNode budget = n.field("budget");
    if (budget.isObject(false, "a mapping {tokensPerDay: n}")) {
      budget.allowOnly("tokensPerDay");
      ConfigNode t = budget.field("tokensPerDay");
      if (t.isMissing()) {
        t.problem("is required: the tokens the function may use per UTC day");
      } else {
        tokensPerDay = t.integer(0, 1, Integer.MAX_VALUE);
      }
    }
    if (n.problems().size() > before) {
      return null;
    }
    return new LlmFunction(
        endpoint,
        model,
        apiKey,
        system,
        prompt,
        schema,
        strict,
        maxTokens,
        temperature,
        tokensPerDay);
  }

  private static URI endpoint(ConfigNode n, ReadContext context) {
    String raw = n.requiredString(URL_EXPECTED);
    if (raw == null) {
      return null;
    }
    int before = n.problems().size();
    String s = context.resolveEnv(n, raw);
    if (n.problems().size() > before) {
      return null;
    }
    URI u;
    try {
      u = new URI(s);
    } catch (URISyntaxException e) {
      u = null;
    }
    if (u == null
        || u.getScheme() == null
        || !(u.getScheme().equalsIgnoreCase("http") || u.getScheme().equalsIgnoreCase("https"))
        || u.getHost() == null
        || u.getRawQuery() != null
        || u.getRawFragment() != null) {
      n.problem(
          "expected "
              + URL_EXPECTED
              + " (no query or fragment), got "
              + io.sluice.core.Problem.render(s));
      return null;
    }
    String text = u.toString();
    while (text.endsWith("/")) {
      text = text.substring(0, text.length() - 1);
    }
    return URI.create(text);
  }

  private static PromptTemplate template(ConfigNode n, boolean required) {
    String s =
        required
            ? n.requiredString("a prompt template over the input, like \"Summarise: {{json}}\"")
            : n.string(null);
    if (s == null) {
      return null;
    }
    List<String> problems = new ArrayList<>();
    PromptTemplate t = PromptTemplate.parse(s, problems);
    problems.forEach(n::problem);
    return t;
  }

  private static JsonNode responseSchema(ConfigNode n) {
    if (!n.isObject(false, "a JSON Schema object")) {
      return null;
    }
    JsonNode schema = Json.MAPPER.valueToTree(n.raw());
    List<String> problems = ResponseSchema.problems(schema);
    if (!problems.isEmpty()) {
      n.problem("is not a usable JSON Schema: " + String.join("; ", problems));
      return null;
    }
    return schema;
  }

  private static double temperature(ConfigNode n) {
    if (n.isMissing()) {
      return 0;
    }
    if (!n.raw().isNumber() || n.raw().asDouble() < 0 || n.raw().asDouble() > 2) {
      n.problem("expected a number 0..2, got " + Json.describe(n.raw()));
      return 0;
    }
    return n.raw().asDouble();
  }

  @Override
  public ObjectNode schema() {
    return Schemas.resource(LlmRuntimeKind.class, "llm.schema.json");
  }

  @Override
  public FunctionRuntime start(FunctionConfig function, LlmFunction spec, RuntimeContext context) {
    return new LlmRuntime(function, spec, context, pause);
  }
}

package io.sluice.functions.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.functions.InvocationResult;
import io.sluice.core.functions.InvocationResult.Failure;
import io.sluice.core.functions.InvocationResult.Kind;
import io.sluice.core.kinds.Kinds;
import io.sluice.functions.FunctionHost;
import io.sluice.functions.llm.ChatCompletionsServer.Reply;
import io.sluice.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code llm} runtime in a real {@link FunctionHost}, against a real local HTTP server speaking
 * the chat-completions protocol ({@link ChatCompletionsServer}): the exact requests, the cache, the
 * budget, retries and the answer's schema. Waits between attempts move the test's clock instead of
 * sleeping, and are recorded.
 */
class LlmRuntimeTest {

  @TempDir Path dir;

  final MutableClock clock = MutableClock.atDefaultStart();
  final List<Duration> pauses = new CopyOnWriteArrayList<>();
  final MeterRegistry meters = new SimpleMeterRegistry();
  Kinds kinds;
  ChatCompletionsServer server;

  @BeforeEach
  void start() {
    server = ChatCompletionsServer.start();
    kinds =
        Kinds.of()
            .withRuntimes(
                List.of(
                    new LlmRuntimeKind(
                        d -> {
                          pauses.add(d);
                          clock.advance(d);
                        })));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  FunctionHost host(String function) {
    String yaml =
        "functions:\n  - "
            + function.replace("ENDPOINT", server.endpoint()).replace("\n", "\n    ");
    SluiceConfig c = ConfigLoader.parse(yaml, "t.yaml", dir, kinds);
    return FunctionHost.start(c.functions(), kinds, dir.resolve("functions"), clock, meters);
  }

  static InvocationResult invoke(FunctionHost h, String name, String payload) {
    return h.invoke(name, payload.getBytes(StandardCharsets.UTF_8), "test", Duration.ofSeconds(30));
  }

  static JsonNode json(String s) throws Exception {
    return Json.MAPPER.readTree(s);
  }

  static JsonNode result(InvocationResult r) throws Exception {
    assertThat(r).isInstanceOf(InvocationResult.Success.class);
    return Json.MAPPER.readTree(((InvocationResult.Success) r).payload());
  }

  static Failure failure(InvocationResult r) {
    assertThat(r).isInstanceOf(Failure.class);
    return (Failure) r;
  }

  double counter(String name, String... tags) {
    var c = meters.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  static final String VITALS =
      """
      name: triage
      runtime: llm
      timeout: 30s
      endpoint: ENDPOINT
      model: llama3.2
      apiKey: sk-test
      system: You triage patient vitals for {{detail.ward}}.
      prompt: "Heart rate {{detail.heart_rate}}, notes: {{detail.notes?}}. Input: {{json}}"
      maxTokens: 200""";

  @Test
  void thePromptIsRenderedFromThePayloadAndSentAsAChatCompletionsRequest() throws Exception {
    server.then(Reply.answer("Not urgent.", 31, 4));
    try (FunctionHost h = host(VITALS)) {
      InvocationResult r =
          invoke(h, "triage", "{\"detail\":{\"heart_rate\":72,\"ward\":\"B2\",\"notes\":null}}");

      assertThat(result(r))
          .isEqualTo(
              json(
                  "{\"text\":\"Not urgent.\",\"model\":\"llama3.2\",\"finishReason\":\"stop\","
                      + "\"usage\":{\"promptTokens\":31,\"completionTokens\":4,\"totalTokens\":35}}"));
    }
    assertThat(server.requests())
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.method()).isEqualTo("POST");
              assertThat(q.path()).isEqualTo("/v1/chat/completions");
              assertThat(q.headers())
                  .containsEntry("authorization", "Bearer sk-test")
                  .containsEntry("content-type", "application/json");
              assertThat(q.body())
                  .isEqualTo(
                      json(
                          """
                          {"model": "llama3.2",
                           "messages": [
                             {"role": "system", "content": "You triage patient vitals for B2."},
                             {"role": "user", "content": "Heart rate 72, notes: . Input: {\\"detail\\":{\\"heart_rate\\":72,\\"ward\\":\\"B2\\",\\"notes\\":null}}"}],
                           "max_tokens": 200,
                           "temperature": 0.0}
                          """));
            });
    assertThat(counter("sluice.function.llm.tokens", "function", "triage", "type", "prompt"))
        .isEqualTo(31);
    assertThat(counter("sluice.function.llm.tokens", "function", "triage", "type", "completion"))
        .isEqualTo(4);
    assertThat(counter("sluice.function.llm.requests", "function", "triage", "status", "200"))
        .isEqualTo(1);
  }

  @Test
  void theSameInputIsAnsweredFromTheCacheWithoutARequestEvenAfterARestart() throws Exception {
    server.then(Reply.answer("Not urgent.", 31, 4), Reply.answer("Urgent!", 31, 2));
    String payload = "{\"detail\":{\"heart_rate\":72,\"ward\":\"B2\"}}";
    byte[] first;
    try (FunctionHost h = host(VITALS)) {
      first = ((InvocationResult.Success) invoke(h, "triage", payload)).payload();
      InvocationResult second = invoke(h, "triage", payload);

      assertThat(((InvocationResult.Success) second).payload()).isEqualTo(first);
      assertThat(server.requests()).hasSize(1);
    }
    try (FunctionHost h = host(VITALS)) {
      InvocationResult third = invoke(h, "triage", payload);

      assertThat(((InvocationResult.Success) third).payload()).isEqualTo(first);
      assertThat(server.requests()).hasSize(1);
      assertThat(
              result(invoke(h, "triage", "{\"detail\":{\"heart_rate\":190,\"ward\":\"B2\"}}"))
                  .get("text")
                  .asText())
          .isEqualTo("Urgent!");
      assertThat(server.requests()).hasSize(2);
    }
    assertThat(counter("sluice.function.llm.cache", "function", "triage", "result", "hit"))
        .isEqualTo(2);
    assertThat(counter("sluice.function.llm.cache", "function", "triage", "result", "miss"))
        .isEqualTo(2);
    assertThat(counter("sluice.function.llm.tokens", "function", "triage", "type", "prompt"))
        .isEqualTo(62);
    try (var files = Files.list(dir.resolve("functions/triage/llm-cache"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .hasSize(2)
          .allMatch(n -> n.matches("[0-9a-f]{64}\\.json"));
    }
  }

  @Test
  void aCacheEntryThatCannotBeReadIsAskedForAgainAndRewritten() throws Exception {
    server.then(Reply.answer("Not urgent.", 31, 4), Reply.answer("Not urgent.", 31, 4));
    String payload = "{\"detail\":{\"heart_rate\":72,\"ward\":\"B2\"}}";
    Path entry;
    try (FunctionHost h = host(VITALS)) {
      invoke(h, "triage", payload);
      try (var files = Files.list(dir.resolve("functions/triage/llm-cache"))) {
        entry = files.findFirst().orElseThrow();
      }
      Files.writeString(entry, "{\"request\":"); // as a damaged disk would leave it

      assertThat(result(invoke(h, "triage", payload)).get("text").asText())
          .isEqualTo("Not urgent.");
      assertThat(server.requests()).hasSize(2);
      assertThat(
              json(Files.readString(entry))
                  .path("response")
                  .path("usage")
                  .path("total_tokens")
                  .asInt())
          .isEqualTo(35);
      assertThat(h.logs("triage", 0, 100))
          .anySatisfy(
              l -> assertThat(l.text()).startsWith("cache entry " + entry + " cannot be read"));
    }
  }

  static final String SCORE =
      """
      name: score
      runtime: llm
      endpoint: ENDPOINT
      model: llama3.2
      prompt: "Score {{detail.text}}"
      responseSchema:
        type: object
        properties: {score: {type: integer, minimum: 0, maximum: 10}, reason: {type: string}}
        required: [score, reason]
        additionalProperties: false""";

  @Test
  void aStructuredAnswerIsItsJsonAndTheRequestAsksForTheSchema() throws Exception {
    server.then(Reply.answer("{\"score\": 7, \"reason\": \"clear\"}", 20, 9));
    try (FunctionHost h = host(SCORE)) {
      assertThat(result(invoke(h, "score", "{\"detail\":{\"text\":\"hello\"}}")))
          .isEqualTo(json("{\"score\":7,\"reason\":\"clear\"}"));
    }
    assertThat(server.requests().get(0).headers()).doesNotContainKey("authorization");
    assertThat(server.requests().get(0).body())
        .isEqualTo(
            json(
                """
                {"model": "llama3.2",
                 "messages": [{"role": "user", "content": "Score hello"}],
                 "max_tokens": 1024,
                 "temperature": 0.0,
                 "response_format": {"type": "json_schema", "json_schema": {
                   "name": "score",
                   "schema": {"type": "object",
                     "properties": {"score": {"type": "integer", "minimum": 0, "maximum": 10},
                                    "reason": {"type": "string"}},
                     "required": ["score", "reason"], "additionalProperties": false},
                   "strict": true}}}
                """));
  }

  @Test
  void anAnswerThatDoesNotMatchTheSchemaIsAnErrorThatARetryGetsAgainFromTheCache() {
    server.then(Reply.answer("{\"score\": \"high\"}", 20, 5));
    try (FunctionHost h = host(SCORE)) {
      Failure f = failure(invoke(h, "score", "{\"detail\":{\"text\":\"hello\"}}"));

      assertThat(f.errorType()).isEqualTo("Llm.ResponseSchemaMismatch");
      assertThat(f.errorMessage())
          .isEqualTo(
              "the answer does not match responseSchema: $.score: string found, integer expected;"
                  + " $: required property 'reason' not found; answer: {\"score\":\"high\"}");
      assertThat(f.kind()).isEqualTo(Kind.INVALID_RESPONSE);
      assertThat(f.isRetryable()).isFalse();

      Failure again = failure(invoke(h, "score", "{\"detail\":{\"text\":\"hello\"}}"));
      assertThat(again.errorMessage()).isEqualTo(f.errorMessage());
      assertThat(server.requests()).hasSize(1);
    }
    assertThat(
            counter(
                "sluice.function.errors",
                "function",
                "score",
                "type",
                "Llm.ResponseSchemaMismatch"))
        .isEqualTo(2);
  }

  @Test
  void anAnswerThatIsNotJsonIsASchemaMismatchSayingWhenMaxTokensCutIt() {
    server.then(
        new Reply(
            200,
            java.util.Map.of("Content-Type", "application/json"),
            "{\"model\":\"llama3.2\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"{\\\"score\\\": 7, \\\"rea\"},\"finish_reason\":\"length\"}],"
                + "\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":1024,\"total_tokens\":1044}}",
            false));
    try (FunctionHost h = host(SCORE)) {
      Failure f = failure(invoke(h, "score", "{\"detail\":{\"text\":\"hello\"}}"));

      assertThat(f.describe())
          .isEqualTo(
              "Llm.ResponseSchemaMismatch: the answer is not JSON (finish_reason length: it"
                  + " reached maxTokens 1024): {\"score\": 7, \"rea");
    }
  }

  static final String BUDGETED =
      """
      name: summarise
      runtime: llm
      endpoint: ENDPOINT
      model: llama3.2
      prompt: "Summarise {{json}}"
      budget: {tokensPerDay: 100}""";

  @Test
  void whenTheDaysBudgetIsSpentCallsFailForGoodUntilTheNextDayButCachedAnswersAreGiven()
      throws Exception {
    server.then(Reply.answer("one", 90, 30), Reply.answer("three", 10, 1));
    String budgetRefusal =
        "the budget of 100 tokens per day is spent for 2026-11-23 (UTC): 120 tokens used; calls"
            + " are refused until 2026-11-24T00:00:00Z (answers already in the cache are still"
            + " given)";
    try (FunctionHost h = host(BUDGETED)) {
      assertThat(result(invoke(h, "summarise", "1")).get("text").asText()).isEqualTo("one");

      Failure f = failure(invoke(h, "summarise", "2"));
      assertThat(f.errorType()).isEqualTo("Llm.BudgetExhausted");
      assertThat(f.errorMessage()).isEqualTo(budgetRefusal);
      assertThat(f.kind()).isEqualTo(Kind.PERMANENT);
      assertThat(result(invoke(h, "summarise", "1")).get("text").asText()).isEqualTo("one");
      assertThat(server.requests()).hasSize(1);
      assertThat(meters.get("sluice.function.llm.budget.remaining").gauge().value()).isZero();
    }
    assertThat(
            counter(
                "sluice.function.errors", "function", "summarise", "type", "Llm.BudgetExhausted"))
        .isEqualTo(1);
    assertThat(Files.readString(dir.resolve("functions/summarise/llm-budget.json")))
        .isEqualTo("{\"day\":\"2026-11-23\",\"tokens\":120}");

    try (FunctionHost h = host(BUDGETED)) { // a restart does not reset the day
      assertThat(failure(invoke(h, "summarise", "2")).errorMessage()).isEqualTo(budgetRefusal);

      clock.set(java.time.Instant.parse("2026-11-24T00:00:00Z"));
      assertThat(result(invoke(h, "summarise", "3")).get("text").asText()).isEqualTo("three");
      assertThat(meters.get("sluice.function.llm.budget.remaining").gauge().value()).isEqualTo(89);
    }
    assertThat(server.requests()).hasSize(2);
  }

  @Test
  void aBudgetFileThatCannotBeReadFailsEveryInvocationAsAnInitErrorNamingIt() throws Exception {
    Path file = dir.resolve("functions/summarise/llm-budget.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "{\"day\":\"yesterday\",\"tokens\":5}");
    try (FunctionHost h = host(BUDGETED)) {
      Failure f = failure(invoke(h, "summarise", "1"));

      assertThat(f.describe())
          .isEqualTo(
              "Runtime.InitError: function summarise cannot open its cache or budget in "
                  + dir.resolve("functions/summarise")
                  + ": "
                  + file
                  + " has a day that is not yyyy-mm-dd: \"yesterday\" (a damaged llm-budget.json"
                  + " can be deleted: that day's count starts again)");
      assertThat(f.kind()).isEqualTo(Kind.INIT);
    }
    assertThat(server.requests()).isEmpty();
  }

  static final String QUICK =
      """
      name: quick
      runtime: llm
      timeout: 5s
      endpoint: ENDPOINT
      model: llama3.2
      prompt: "Say {{json}}"
      """;

  @Test
  void aTooManyRequestsAnswerIsTriedAgainAfterItsRetryAfter() throws Exception {
    server.then(
        Reply.error(429, "Rate limit reached", "Retry-After", "2"), Reply.answer("hi", 3, 1));
    try (FunctionHost h = host(QUICK)) {
      assertThat(result(invoke(h, "quick", "\"hi\"")).get("text").asText()).isEqualTo("hi");
    }
    assertThat(pauses).containsExactly(Duration.ofSeconds(2));
    assertThat(server.requests()).hasSize(2);
    assertThat(server.requests().get(1).body()).isEqualTo(server.requests().get(0).body());
    assertThat(counter("sluice.function.llm.requests", "function", "quick", "status", "429"))
        .isEqualTo(1);
  }

  @Test
  void serverErrorsAreTriedAgainWithBackoffUntilTheDeadlineThenFailRetryably() {
    server.then(
        Reply.error(503, "loading model"),
        Reply.error(502, "bad gateway"),
        Reply.error(500, "out of memory"),
        Reply.error(503, "loading model"));
    try (FunctionHost h = host(QUICK)) {
      Failure f = failure(invoke(h, "quick", "\"hi\""));

      assertThat(f.describe())
          .isEqualTo(
              "Llm.ServerUnavailable: POST "
                  + server.endpoint()
                  + "/chat/completions answered 503: loading model (attempt 4); another attempt"
                  + " after 4s would start past the invocation's deadline");
      assertThat(f.kind()).isEqualTo(Kind.HANDLER);
      assertThat(f.isRetryable()).isTrue();
    }
    assertThat(pauses)
        .containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertThat(server.requests()).hasSize(4);
  }

  @Test
  void aServerThatCannotBeReachedIsTriedAgainWithBackoffUntilTheDeadline() throws Exception {
    int port;
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String endpoint = "http://127.0.0.1:" + port + "/v1";
    try (FunctionHost h = host(QUICK.replace("ENDPOINT", endpoint))) {
      Failure f = failure(invoke(h, "quick", "\"hi\""));

      assertThat(f.errorType()).isEqualTo("Llm.ServerUnavailable");
      assertThat(f.errorMessage())
          .startsWith("POST " + endpoint + "/chat/completions failed: java.net.ConnectException")
          .endsWith(
              " (attempt 4); another attempt after 4s would start past the invocation's deadline");
      assertThat(f.isRetryable()).isTrue();
    }
    assertThat(pauses)
        .containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertThat(counter("sluice.function.llm.requests", "function", "quick", "status", "none"))
        .isEqualTo(4);
  }

  @Test
  void aRetryAfterPastTheDeadlineFailsAtOnceAndRetryably() {
    server.then(Reply.error(429, "Rate limit reached", "Retry-After", "60"));
    try (FunctionHost h = host(QUICK)) {
      Failure f = failure(invoke(h, "quick", "\"hi\""));

      assertThat(f.describe())
          .isEqualTo(
              "Llm.TooManyRequests: POST "
                  + server.endpoint()
                  + "/chat/completions answered 429: Rate limit reached (attempt 1); its"
                  + " Retry-After of 1m would start past the invocation's deadline");
      assertThat(f.isRetryable()).isTrue();
    }
    assertThat(pauses).isEmpty();
  }

  @Test
  void anyOtherClientErrorFailsForGoodWithTheServersMessage() {
    server.then(Reply.error(404, "model \"llama9\" not found, try pulling it first"));
    try (FunctionHost h = host(QUICK)) {
      Failure f = failure(invoke(h, "quick", "\"hi\""));

      assertThat(f.describe())
          .isEqualTo(
              "Llm.RequestRejected: POST "
                  + server.endpoint()
                  + "/chat/completions answered 404: model \"llama9\" not found, try pulling it"
                  + " first");
      assertThat(f.kind()).isEqualTo(Kind.PERMANENT);
    }
    assertThat(server.requests()).hasSize(1);
    assertThat(pauses).isEmpty();
  }

  @Test
  void aServerThatDoesNotAnswerByTheDeadlineIsATimeout() {
    server.then(Reply.hanging());
    try (FunctionHost h = host(QUICK.replace("timeout: 5s", "timeout: 300ms"))) {
      Failure f = failure(invoke(h, "quick", "\"hi\""));

      assertThat(f.describe()).isEqualTo("Sandbox.Timedout: Task timed out after 0.30 seconds");
      assertThat(f.kind()).isEqualTo(Kind.TIMEOUT);
    }
  }

  @Test
  void aSuccessfulAnswerThatIsNotAChatCompletionIsNotCachedSoARetryAsksAgain() throws Exception {
    server.then(
        new Reply(200, java.util.Map.of(), "{\"object\":\"list\",\"data\":[]}", false),
        Reply.answer("hi", 3, 1));
    try (FunctionHost h = host(QUICK)) {
      Failure f = failure(invoke(h, "quick", "\"hi\""));

      assertThat(f.describe())
          .isEqualTo(
              "Llm.ServerUnavailable: POST "
                  + server.endpoint()
                  + "/chat/completions answered without choices: {\"object\":\"list\",\"data\":[]}");
      assertThat(f.isRetryable()).isTrue();
      assertThat(result(invoke(h, "quick", "\"hi\"")).get("text").asText()).isEqualTo("hi");
    }
    assertThat(server.requests()).hasSize(2);
  }

  @Test
  void aPayloadWithoutAValueThePromptNeedsFailsForGoodWithoutARequest() {
    try (FunctionHost h = host(VITALS)) {
      Failure f = failure(invoke(h, "triage", "{\"detail\":{\"ward\":\"B2\"}}"));

      assertThat(f.describe())
          .isEqualTo(
              "Llm.PromptError: the prompt's {{detail.heart_rate}} is not in the payload (write"
                  + " {{detail.heart_rate?}} to leave it empty when missing)");
      assertThat(f.kind()).isEqualTo(Kind.PERMANENT);
    }
    assertThat(server.requests()).isEmpty();
  }
}

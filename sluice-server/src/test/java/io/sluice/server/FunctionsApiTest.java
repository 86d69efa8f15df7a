package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.testkit.Await;
import io.sluice.testkit.HttpReceiver;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * Functions over HTTP with real python3 handlers: AWS's own Lambda client through the Invoke API
 * (both invocation types), a function as a Firehose-style transform before an HTTP target, and a
 * function target's onFailure bus.
 */
class FunctionsApiTest {

  @TempDir static Path dir;

  static ServerFixture s;
  static LambdaClient lambda;
  static HttpReceiver hook;

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(dir.resolve("fn"));
    Files.writeString(
        dir.resolve("fn/app.py"),
        """
        import base64, json

        class OrderPermanentError(Exception):
            pass

        def echo(event, context):
            print("echo got", json.dumps(event))
            if event.get("fail"):
                raise ValueError("asked to fail")
            return {"echo": event, "requestId": context.aws_request_id}

        def reject(event, context):
            raise OrderPermanentError("order " + event["detail"]["id"] + " cannot be priced")

        def reshape(event, context):
            out = []
            for r in event["records"]:
                e = json.loads(base64.b64decode(r["data"]))
                n = e["detail"]["n"]
                if n == 1:
                    out.append({"recordId": r["recordId"], "result": "Dropped"})
                elif n == 2:
                    out.append({"recordId": r["recordId"], "result": "ProcessingFailed"})
                elif n == 3:
                    out.append({"recordId": "nope", "result": "Ok", "data": r["data"]})
                else:
                    row = {"n": n, "doubled": n * 2}
                    out.append({"recordId": r["recordId"], "result": "Ok",
                                "data": base64.b64encode(json.dumps(row).encode()).decode()})
            return {"records": out}
        """,
        StandardCharsets.UTF_8);
    hook = HttpReceiver.start(r -> HttpReceiver.Reply.OK);
    s =
        ServerFixture.start(
            dir,
            """
            buses: [{name: default}, {name: failures}]
            functions:
              - {name: echo, runtime: python3, handler: app.echo, code: fn, timeout: 10s}
              - {name: reject, runtime: python3, handler: app.reject, code: fn, timeout: 10s}
              - {name: reshape, runtime: python3, handler: app.reshape, code: fn, timeout: 10s}
            rules:
              - name: numbers
                pattern: {source: [counter]}
                targets:
                  - id: hook
                    http: {url: "%s"}
                    transform: {function: reshape}
                    batch: {size: 10, interval: 200ms}
              - name: rows
                pattern: {source: [rows]}
                targets:
                  - id: lake
                    lake: {table: numbers, buffer: {interval: 1s}}
                    transform: {function: reshape}
              - name: loop
                pattern: {source: [loop]}
                targets:
                  - id: again
                    function: {name: echo, onSuccess: {bus: default}}
              - name: pricing
                pattern: {source: [shop]}
                targets:
                  - id: price
                    function: {name: reject, onFailure: {bus: failures}}
            """
                .formatted(hook.url()));
    lambda =
        LambdaClient.builder()
            .endpointOverride(URI.create(s.server.url().toString()))
            .region(Region.EU_WEST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "x")))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  @AfterAll
  static void stop() {
    lambda.close();
    s.close();
    hook.close();
  }

  @Test
  void theAwsLambdaClientInvokesAFunctionAndGetsItsResultAndLogTail() throws Exception {
    InvokeResponse r =
        lambda.invoke(
            b ->
                b.functionName("echo")
                    .logType(LogType.TAIL)
                    .payload(SdkBytes.fromUtf8String("{\"order\":7}")));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.functionError()).isNull();
    assertThat(r.executedVersion()).isEqualTo("$LATEST");
    JsonNode out = Json.MAPPER.readTree(r.payload().asUtf8String());
    assertThat(out.get("echo")).isEqualTo(Json.MAPPER.readTree("{\"order\":7}"));
    assertThat(out.get("requestId").asText())
        .as("the handler's aws_request_id is the one Lambda's client gets")
        .isEqualTo(r.responseMetadata().requestId());
    String tail =
        new String(java.util.Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
    assertThat(tail).contains("echo got {\"order\": 7}");
  }

  @Test
  void aFunctionIsNamedByItsNameItsArnOrWithLatest() throws Exception {
    for (String name :
        List.of(
            "arn:aws:lambda:eu-west-1:123456789012:function:echo",
            "123456789012:function:echo",
            "echo:$LATEST")) {
      InvokeResponse r =
          lambda.invoke(b -> b.functionName(name).payload(SdkBytes.fromUtf8String("{\"n\":1}")));
      assertThat(r.statusCode()).as(name).isEqualTo(200);
      assertThat(Json.MAPPER.readTree(r.payload().asUtf8String()).get("echo").get("n").asInt())
          .isEqualTo(1);
    }
  }

  @Test
  void aFailedInvocationIsAFunctionErrorInLambdasShape() throws Exception {
    InvokeResponse r =
        lambda.invoke(b -> b.functionName("echo").payload(SdkBytes.fromUtf8String("{\"fail\":1}")));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.functionError()).isEqualTo("Unhandled");
    JsonNode e = Json.MAPPER.readTree(r.payload().asUtf8String());
    assertThat(e.get("errorType").asText()).isEqualTo("ValueError");
    assertThat(e.get("errorMessage").asText()).isEqualTo("asked to fail");
    assertThat(e.get("stackTrace").isArray()).isTrue();
  }

  @Test
  void anEventInvocationIsAcceptedAndRuns() {
    InvokeResponse r =
        lambda.invoke(
            b ->
                b.functionName("echo")
                    .invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String("{\"async\":\"yes-42\"}")));

    assertThat(r.statusCode()).isEqualTo(202);
    Await.until(
        Duration.ofSeconds(30),
        () -> s.get("/functions/echo/logs?limit=1000").body().contains("yes-42"),
        () -> "not run: " + s.get("/functions/echo/logs").body());
  }

  @Test
  void badInvocationsGetLambdasErrorsWithWhatWasWrong() {
    assertThatThrownBy(() -> lambda.invoke(b -> b.functionName("nope")))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageStartingWith(
            "Function not found: arn:aws:lambda:local:000000000000:function:nope");

    ServerFixture.Response notJson =
        s.post("/2015-03-31/functions/echo/invocations", "application/json", "{oops");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.header("x-amzn-ErrorType")).isEqualTo("InvalidRequestContentException");
    assertThat(notJson.json().get("message").asText())
        .startsWith("Could not parse request body into json: ");

    ServerFixture.Response badType =
        s.post(
            "/2015-03-31/functions/echo/invocations",
            "application/json",
            "{}",
            "X-Amz-Invocation-Type",
            "Sometimes");
    assertThat(badType.status()).isEqualTo(400);
    assertThat(badType.json().get("message").asText())
        .isEqualTo(
            "X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, got \"Sometimes\"");

    ServerFixture.Response dry =
        s.post(
            "/2015-03-31/functions/echo/invocations",
            "application/json",
            "{}",
            "X-Amz-Invocation-Type",
            "DryRun");
    assertThat(dry.status()).isEqualTo(204);

    JsonNode page = s.get("/functions/echo/logs").json();
    assertThat(page.get("boot").asText())
        .hasSize(36)
        .isEqualTo(s.get("/functions/echo/logs?after=1000000").json().get("boot").asText());

    ServerFixture.Response badLimit = s.get("/functions/echo/logs?limit=0");
    assertThat(badLimit.status()).isEqualTo(400);
    assertThat(badLimit.json().get("message").asText())
        .isEqualTo("/limit: expected an integer from 1 to 1000, got \"0\"");
  }

  @Test
  void functionsAreListedWithTheirState() {
    JsonNode list = s.get("/functions").json().get("functions");

    List<String> names = new ArrayList<>();
    list.forEach(f -> names.add(f.get("name").asText()));
    assertThat(names).containsExactly("echo", "reject", "reshape");
    assertThat(list.get(0).get("runtime").asText()).isEqualTo("python3");
    assertThat(list.get(0).get("state").asText()).isEqualTo("active");
    // every function's first worker started with the node: a cold start each, measured
    Await.until(
        Duration.ofSeconds(30),
        () ->
            s.get("/metrics")
                .body()
                .contains("sluice_function_init_duration_seconds_count{function=\"reshape\"} 1"),
        () -> "no init duration of reshape");
    assertThat(s.get("/functions/reshape/logs").body()).contains("ms (Init Duration)");
  }

  @Test
  void aTransformFunctionReshapesDropsAndFailsRecordsWithFirehosesContract() {
    for (int n = 1; n <= 5; n++) {
      var r =
          s.post(
              "/buses/default/events",
              "application/json",
              "{\"source\":\"counter\",\"detail-type\":\"N\",\"detail\":{\"n\":" + n + "}}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    Await.until(
        Duration.ofSeconds(30),
        () -> hook.requests().stream().mapToInt(r -> r.json().size()).sum() == 2,
        () -> hook.requests().size() + " requests");
    Await.until(
        Duration.ofSeconds(30),
        () -> deadLetters("numbers").size() == 2,
        () -> "dead letters: " + deadLetters("numbers"));

    List<JsonNode> rows = new ArrayList<>();
    hook.requests().forEach(r -> r.json().forEach(rows::add));
    assertThat(rows)
        .containsExactlyInAnyOrder(
            parse("{\"n\":4,\"doubled\":8}"), parse("{\"n\":5,\"doubled\":10}"));
    Map<Integer, String> errors = new TreeMap<>();
    for (JsonNode d : deadLetters("numbers")) {
      errors.put(d.path("event").path("detail").path("n").asInt(), d.get("error").asText());
    }
    assertThat(errors)
        .containsOnlyKeys(2, 3)
        .hasEntrySatisfying(
            2,
            e ->
                assertThat(e)
                    .matches(
                        "transform failed: function reshape failed record \\d+ \\(ProcessingFailed\\)"))
        .hasEntrySatisfying(
            3,
            e ->
                assertThat(e)
                    .matches(
                        "transform failed: function reshape did not answer record \\d+ \\(it"
                            + " answered unknown recordIds \"nope\"\\)"));
    // delivered is counted once the hook's answer is settled: wait for the stats themselves
    JsonNode[] found = new JsonNode[1];
    Await.until(
        Duration.ofSeconds(30),
        () -> {
          for (JsonNode t : s.get("/stats/targets").json().get("targets")) {
            if (t.get("rule").asText().equals("numbers")) {
              found[0] = t;
            }
          }
          return found[0] != null
              && found[0].get("delivered").asLong() == 2
              && found[0].get("skipped").asLong() == 1;
        },
        () -> "stats: " + found[0]);
    JsonNode numbers = found[0];
    assertThat(numbers.get("skipped").asLong()).as("the dropped record").isEqualTo(1);
    assertThat(numbers.get("delivered").asLong()).isEqualTo(2);
  }

  @Test
  void aRecordTheTransformFailsGoesToTheLakesErrorsAndTheOthersToTheTable() throws Exception {
    for (int n : new int[] {2, 4}) {
      var r =
          s.post(
              "/buses/default/events",
              "application/json",
              "{\"source\":\"rows\",\"detail-type\":\"N\",\"detail\":{\"n\":" + n + "}}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
    }
    Path errors = s.server.node().config().dataDir().resolve("lake/_errors/numbers");
    Await.until(
        Duration.ofSeconds(30),
        () -> s.get("/lake/tables/numbers").status() == 200 && Files.isDirectory(errors),
        () -> "no table or no errors yet");

    JsonNode q =
        s.post("/query", "application/json", "{\"sql\":\"SELECT n, doubled FROM numbers\"}").json();
    assertThat(q.get("rows").toString()).isEqualTo("[[4,8]]");
    String written;
    try (var files = Files.list(errors)) {
      written = Files.readString(files.findFirst().orElseThrow());
    }
    JsonNode entry = Json.MAPPER.readTree(written.lines().findFirst().orElseThrow());
    assertThat(entry.get("error").asText())
        .matches("transform failed: function reshape failed record \\d+ \\(ProcessingFailed\\)");
    assertThat(entry.get("event").get("detail").get("n").asInt()).isEqualTo(2);
    assertThat(deadLetters("rows")).isEmpty();
  }

  @Test
  void aResultPutBackOnTheRulesOwnBusDoesNotInheritWhatWouldMatchTheRuleAgain() {
    var r =
        s.post(
            "/buses/default/events",
            "application/json",
            "{\"source\":\"loop\",\"detail-type\":\"Ping\",\"detail\":{\"n\":1}}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);

    JsonNode[] result = new JsonNode[1];
    Await.until(
        Duration.ofSeconds(30),
        () -> {
          for (JsonNode e :
              s.get("/buses/default/events?from=earliest&limit=1000").json().get("events")) {
            if (e.get("event").get("detail").has("echo")
                && e.get("event").get("detail").get("echo").path("detail").path("n").asInt() == 1) {
              result[0] = e.get("event");
            }
          }
          return result[0] != null;
        },
        () -> "no result on default");
    assertThat(result[0].get("source").asText()).isEqualTo("sluice.functions");
    assertThat(result[0].get("detail-type").asText()).isEqualTo("Function Result");
  }

  @Test
  void aPermanentFailureOfAFunctionTargetGoesToItsOnFailureBus() {
    var r =
        s.post(
            "/buses/default/events",
            "application/json",
            "{\"source\":\"shop\",\"detail-type\":\"Order\",\"detail\":{\"id\":\"o-9\"}}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);

    JsonNode[] got = new JsonNode[1];
    Await.until(
        Duration.ofSeconds(30),
        () -> {
          got[0] = s.get("/buses/failures/events?from=earliest&limit=10").json().get("events");
          return got[0].size() == 1;
        },
        () -> "failures: " + got[0]);
    JsonNode e = got[0].get(0).get("event");
    assertThat(e.get("source").asText()).isEqualTo("sluice.functions");
    assertThat(e.get("detail-type").asText()).isEqualTo("Function Failed");
    assertThat(e.get("detail").get("errorType").asText()).isEqualTo("OrderPermanentError");
    assertThat(e.get("detail").get("errorMessage").asText())
        .isEqualTo("order o-9 cannot be priced");
    assertThat(e.get("detail").get("rule").asText()).isEqualTo("pricing");
    assertThat(e.get("detail").get("payload").get("detail")).isEqualTo(parse("{\"id\":\"o-9\"}"));
    assertThat(deadLetters("pricing")).isEmpty();
  }

  private static List<JsonNode> deadLetters(String rule) {
    List<JsonNode> out = new ArrayList<>();
    s.get("/dead-letters?rule=" + rule + "&limit=100").json().get("deadLetters").forEach(out::add);
    return out;
  }

  private static JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}

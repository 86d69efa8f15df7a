package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.testkit.Await;
import io.sluice.testkit.HttpReceiver;
import io.sluice.testkit.HttpReceiver.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.InvalidEventPatternException;

class AdminApiTest {

  @TempDir Path dir;
  ServerFixture s;
  HttpReceiver receiver;
  final AtomicBoolean accept = new AtomicBoolean(true);

  @BeforeEach
  void start() {
    receiver = HttpReceiver.start(r -> accept.get() ? Reply.OK : Reply.status(400));
    s =
        ServerFixture.start(
            dir,
            "buses: [{name: orders}]\nrules:\n  - {name: cfg, bus: orders, pattern: {source: [cfg]}, targets: [{id: t, log: {}}]}\n");
  }

  @AfterEach
  void stop() {
    s.close();
    receiver.close();
  }

  ServerFixture.Response put(String path, String body) {
    return s.send(
        HttpRequest.newBuilder(s.uri(path))
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json")
            .build());
  }

  ServerFixture.Response delete(String path) {
    return s.send(HttpRequest.newBuilder(s.uri(path)).DELETE().build());
  }

  String rule() {
    return "{\"pattern\":{\"source\":[\"shop\"]},\"targets\":[{\"id\":\"hook\",\"http\":{\"url\":\""
        + receiver.url()
        + "\"},\"retry\":{\"maxAttempts\":2,\"initialBackoff\":\"10ms\",\"maxBackoff\":\"20ms\"}}]}";
  }

  @Test
  void rulesAreCreatedReadListedDisabledAndDeletedOverHttp() {
    ServerFixture.Response created = put("/buses/orders/rules/shop", rule());
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.json().get("origin").asText()).isEqualTo("api");
    assertThat(put("/buses/orders/rules/shop", rule()).status()).isEqualTo(200);

    JsonNode got = s.get("/buses/orders/rules/shop").json();
    assertThat(got.get("pattern").get("source").get(0).asText()).isEqualTo("shop");
    assertThat(got.get("targets").get(0).get("id").asText()).isEqualTo("hook");
    assertThat(s.get("/buses/orders/rules").json().get("rules")).hasSize(2);

    String id =
        s.post(
                "/buses/orders/events",
                "application/json",
                "{\"source\":\"shop\",\"detail-type\":\"T\"}")
            .json()
            .get("entries")
            .get(0)
            .get("id")
            .asText();
    Await.until(
        Duration.ofSeconds(10),
        () -> receiver.deliveredIds().contains(id),
        () -> receiver.deliveredIds().toString());

    assertThat(
            s.post("/buses/orders/rules/shop/disable", null, "").json().get("enabled").asBoolean())
        .isFalse();
    assertThat(s.post("/buses/orders/rules/cfg/disable", null, "").json().get("origin").asText())
        .isEqualTo("config");
    assertThat(delete("/buses/orders/rules/shop").status()).isEqualTo(204);
    assertThat(s.get("/buses/orders/rules/shop").status()).isEqualTo(404);
    assertThat(s.get("/buses/orders/rules/shop").json().get("message").asText())
        .isEqualTo("/name: no rule named \"shop\" on bus orders");
    ServerFixture.Response conflict = delete("/buses/orders/rules/cfg");
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.json().get("message").asText())
        .isEqualTo(
            "/name: rule cfg on bus orders is defined in the config file; remove it there (or disable it)");
  }

  @Test
  void invalidRulesAreRefusedWithEveryProblem() {
    ServerFixture.Response r =
        put(
            "/buses/orders/rules/bad",
            "{\"pattern\":{\"detail\":{\"amount\":[{\"numeric\":[\">\",100,\"<\"]}]}},\"targets\":[{\"id\":\"t\",\"http\":{\"url\":\"ftp://x\"}},{\"id\":\"t\",\"log\":{}}],\"colour\":1}");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("problems").findValuesAsText("path"))
        .containsExactly(
            "/colour", "/pattern/detail/amount/0/numeric", "/targets/0/http/url", "/targets/1/id");
    assertThat(r.json().get("problems").get(1).get("message").asText())
        .isEqualTo("numeric expects [operator, number] pairs, got 3 elements");
    assertThat(put("/buses/nope/rules/x", rule()).status()).isEqualTo(404);
    assertThat(put("/buses/orders/rules/x", "not json").json().get("code").asText())
        .isEqualTo("MALFORMED_JSON");
  }

  @Test
  void deadLettersAreListedRedrivenAndPurgedAndStatsCountThem() {
    put("/buses/orders/rules/shop", rule());
    accept.set(false);
    for (int i = 0; i < 3; i++) {
      s.post(
          "/buses/orders/events",
          "application/json",
          "{\"source\":\"shop\",\"detail-type\":\"T\"}");
    }
    Await.until(
        Duration.ofSeconds(10),
        () -> s.get("/dead-letters").json().get("deadLetters").size() == 3,
        () -> s.get("/dead-letters").body());

    JsonNode page = s.get("/dead-letters?limit=2&rule=shop&target=hook").json();
    assertThat(page.get("deadLetters")).hasSize(2);
    JsonNode d = page.get("deadLetters").get(0);
    assertThat(d.get("rule").asText()).isEqualTo("shop");
    assertThat(d.get("target").asText()).isEqualTo("hook");
    assertThat(d.get("attempts").asInt()).isEqualTo(1);
    assertThat(d.get("error").asText()).startsWith(receiver.url() + " answered 400");
    assertThat(d.get("event").get("source").asText()).isEqualTo("shop");
    assertThat(s.get("/dead-letters?cursor=" + page.get("next").asText()).json().get("deadLetters"))
        .hasSize(1);
    assertThat(s.get("/dead-letters?limit=0").json().get("message").asText())
        .isEqualTo("/limit: expected an integer 1..1000, got \"0\"");

    JsonNode stats = s.get("/stats/targets").json().get("targets");
    JsonNode hook = null;
    for (JsonNode t : stats) {
      if (t.get("target").asText().equals("hook")) {
        hook = t;
      }
    }
    assertThat(hook.get("matched").asLong()).isEqualTo(3);
    assertThat(hook.get("deadLettered").asLong()).isEqualTo(3);
    assertThat(hook.get("openDeadLetters").asLong()).isEqualTo(3);

    accept.set(true);
    assertThat(
            s.post("/dead-letters/redrive", "application/json", "{\"rule\":\"shop\"}")
                .json()
                .get("redriven")
                .asInt())
        .isEqualTo(3);
    Await.until(
        Duration.ofSeconds(10),
        () -> receiver.deliveredIds().size() == 3,
        () -> receiver.deliveredIds().toString());
    assertThat(s.get("/dead-letters").json().get("deadLetters")).isEmpty();
    assertThat(delete("/dead-letters?rule=shop").json().get("purged").asInt()).isZero();
    assertThat(s.get("/metrics").body())
        .contains(
            "sluice_target_dead_lettered_total{bus=\"orders\",rule=\"shop\",target=\"hook\"} 3.0");
  }

  @Test
  void replaysRunOverHttp() {
    put("/buses/orders/rules/shop", rule());
    String id =
        s.post(
                "/buses/orders/events",
                "application/json",
                "{\"source\":\"shop\",\"detail-type\":\"T\"}")
            .json()
            .get("entries")
            .get(0)
            .get("id")
            .asText();
    Await.until(
        Duration.ofSeconds(10), () -> receiver.deliveredIds().contains(id), () -> "not delivered");

    ServerFixture.Response r =
        s.post(
            "/replays",
            "application/json",
            "{\"name\":\"r1\",\"bus\":\"orders\",\"from\":\"2000-01-01T00:00:00Z\",\"to\":\"2999-01-01T00:00:00Z\",\"rule\":\"shop\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    Await.until(
        Duration.ofSeconds(10),
        () -> s.get("/replays/r1").json().get("state").asText().equals("completed"),
        () -> s.get("/replays/r1").body());
    assertThat(
            receiver.requests().stream()
                .filter(q -> "r1".equals(q.header("Sluice-Replay-Name")))
                .count())
        .isEqualTo(1);
    assertThat(s.get("/replays").json().get("replays")).hasSize(1);
    assertThat(
            s.post("/replays", "application/json", "{\"bus\":\"orders\",\"from\":\"noon\"}")
                .json()
                .get("message")
                .asText())
        .isEqualTo("/from: expected an ISO-8601 time like 2026-11-23T10:00:00Z, got \"noon\"");
  }

  @Test
  void testEventPatternWorksWithTheAwsSdk() {
    try (EventBridgeClient aws =
        EventBridgeClient.builder()
            .endpointOverride(URI.create(s.server.url().toString()))
            .region(Region.EU_WEST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "y")))
            .httpClient(UrlConnectionHttpClient.create())
            .build()) {
      String event =
          "{\"id\":\"1\",\"account\":\"1\",\"source\":\"shop\",\"time\":\"2026-11-23T10:00:00Z\",\"region\":\"x\",\"resources\":[],\"detail-type\":\"T\",\"detail\":{\"amount\":120}}";
      assertThat(
              aws.testEventPattern(
                      b ->
                          b.eventPattern("{\"detail\":{\"amount\":[{\"numeric\":[\">\",100]}]}}")
                              .event(event))
                  .result())
          .isTrue();
      assertThat(
              aws.testEventPattern(b -> b.eventPattern("{\"source\":[\"other\"]}").event(event))
                  .result())
          .isFalse();
      assertThatThrownBy(
              () -> aws.testEventPattern(b -> b.eventPattern("{\"source\":\"shop\"}").event(event)))
          .isInstanceOfSatisfying(
              InvalidEventPatternException.class,
              e ->
                  assertThat(e.awsErrorDetails().errorMessage())
                      .isEqualTo(
                          "Event pattern is not valid: /source: expected an array of match conditions (like [\"shop\"]) or a nested object, got string \"shop\""));
    }
  }

  @Test
  void targetStatsComeSortedByBusRuleAndTargetWhateverOrderTheRulesCameIn() throws Exception {
    try (ServerFixture two =
        ServerFixture.start(
            dir.resolve("two"),
            "buses: [{name: zz}, {name: aa}]\nrules:\n"
                + "  - {name: mid, bus: zz, pattern: {source: [x]}, targets: [{id: b, log: {}},"
                + " {id: a, log: {}}]}\n"
                + "  - {name: late, bus: aa, pattern: {source: [x]}, targets: [{id: t, log: {}}]}\n")) {
      String logs =
          "{\"pattern\":{\"source\":[\"x\"]},\"targets\":[{\"id\":\"z\",\"log\":{}},"
              + "{\"id\":\"y\",\"log\":{}}]}";
      assertThat(
              two.send(
                      HttpRequest.newBuilder(two.uri("/buses/zz/rules/alpha"))
                          .PUT(HttpRequest.BodyPublishers.ofString(logs))
                          .header("Content-Type", "application/json")
                          .build())
                  .status())
          .isEqualTo(201);
      assertThat(
              two.send(
                      HttpRequest.newBuilder(two.uri("/buses/aa/rules/early"))
                          .PUT(HttpRequest.BodyPublishers.ofString(logs))
                          .header("Content-Type", "application/json")
                          .build())
                  .status())
          .isEqualTo(201);
      java.util.List<String> sorted =
          java.util.List.of(
              "aa/early/y",
              "aa/early/z",
              "aa/late/t",
              "zz/alpha/y",
              "zz/alpha/z",
              "zz/mid/a",
              "zz/mid/b");
      for (int call = 0; call < 3; call++) {
        java.util.List<String> got = new java.util.ArrayList<>();
        for (JsonNode t : two.get("/stats/targets").json().get("targets")) {
          got.add(
              t.get("bus").asText()
                  + "/"
                  + t.get("rule").asText()
                  + "/"
                  + t.get("target").asText());
          assertThat(t.get("errors").asLong()).isZero();
        }
        assertThat(got).as("call " + call).isEqualTo(sorted);
      }
    }
  }
}

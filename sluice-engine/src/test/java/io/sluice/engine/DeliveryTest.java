package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.testkit.Await;
import io.sluice.testkit.HttpReceiver;
import io.sluice.testkit.HttpReceiver.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeliveryTest {

  @TempDir Path dir;
  HttpReceiver receiver;
  EngineFixture f;

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  static String event(String type, String extra) {
    return "{\"source\":\"shop\",\"detail-type\":\""
        + type
        + "\",\"detail\":{\"n\":1"
        + extra
        + "}}";
  }

  String rules(String targetExtra) {
    return "buses: [{name: orders, partitions: 2}]\n"
        + "rules:\n"
        + "  - name: placed\n"
        + "    bus: orders\n"
        + "    pattern: {detail-type: [OrderPlaced]}\n"
        + "    targets:\n"
        + "      - id: hook\n"
        + "        http: {url: \""
        + receiver.url()
        + "\"}\n"
        + "        retry: {maxAttempts: 6, maxAge: 1m, initialBackoff: 10ms, maxBackoff: 100ms}\n"
        + "        timeout: 500ms\n"
        + targetExtra;
  }

  @Test
  void matchedEventsAreDeliveredTransformedAndOthersAreNot() {
    receiver = HttpReceiver.start(r -> Reply.OK);
    f =
        new EngineFixture(
            dir,
            rules(
                "        inputTransformer: {inputPathsMap: {n: $.detail.n, id: $.id}, inputTemplate: '{\"id\": <id>, \"n\": <n>, \"rule\": <sluice.rule.name>}'}\n"));
    List<String> placed = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      placed.add(f.send("orders", event("OrderPlaced", ",\"i\":" + i)));
      f.send("orders", event("OrderShipped", ""));
    }

    Await.until(
        Duration.ofSeconds(20),
        () -> receiver.deliveredIds().size() == 20,
        () -> receiver.deliveredIds().size() + " delivered");

    assertThat(receiver.deliveredIds()).containsExactlyInAnyOrderElementsOf(placed);
    HttpReceiver.Request r = receiver.requests().get(0);
    assertThat(r.json().get("rule").asText()).isEqualTo("placed");
    assertThat(r.json().get("n").asInt()).isEqualTo(1);
    assertThat(r.header("Content-Type")).isEqualTo("application/json");
    assertThat(r.header("Sluice-Rule")).isEqualTo("placed");
    // the receiver has a delivery before the router counts it: wait for the counts to settle
    Await.until(
        Duration.ofSeconds(20),
        () ->
            f.stats("placed", "hook").lagEvents() == 0
                && f.stats("placed", "hook").delivered() == 20,
        () -> "stats " + f.stats("placed", "hook"));
    Routing.TargetStats s = f.stats("placed", "hook");
    assertThat(s.matched()).isEqualTo(20);
    assertThat(s.delivered()).isEqualTo(20);
    assertThat(s.deadLettered()).isZero();
  }

  @Test
  void flakyTargetGetsEveryMatchedEventDeliveredOrDeadLettered() {
    Random random = new Random(42);
    receiver =
        HttpReceiver.start(
            r -> {
              if (r.json() != null && r.json().path("detail").path("poison").asBoolean()) {
                return Reply.status(400);
              }
              synchronized (random) {
                int dice = random.nextInt(100);
                if (dice < 30) {
                  return Reply.status(500);
                }
                if (dice < 40) {
                  return new Reply(429, Duration.ZERO, 0);
                }
                if (dice < 45) {
                  return new Reply(
                      200, Duration.ofMillis(800), -1); // slower than the 500 ms timeout
                }
              }
              return Reply.OK;
            });
    f = new EngineFixture(dir, rules(""));
    Set<String> matched = new HashSet<>();
    Set<String> poison = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      boolean bad = i % 20 == 7;
      String id = f.send("orders", event("OrderPlaced", bad ? ",\"poison\":true" : ""));
      matched.add(id);
      if (bad) {
        poison.add(id);
      }
    }

    Await.until(
        Duration.ofSeconds(60),
        () -> settled().containsAll(matched),
        () -> "settled " + settled().size() + " of " + matched.size());

    assertThat(settled()).isEqualTo(matched);
    List<JsonNode> dead = f.deadLetters();
    Set<String> deadIds = new HashSet<>();
    dead.forEach(d -> deadIds.add(d.get("event").get("id").asText()));
    assertThat(deadIds).containsAll(poison);
    for (JsonNode d : dead) {
      if (poison.contains(d.get("event").get("id").asText())) {
        assertThat(d.get("attempts").asInt()).as("a 400 is not retried").isEqualTo(1);
        assertThat(d.get("error").asText()).startsWith(receiver.url() + " answered 400");
        assertThat(d.get("rule").asText()).isEqualTo("placed");
        assertThat(d.get("target").asText()).isEqualTo("hook");
      }
    }
    assertThat(f.stats("placed", "hook").retried()).isPositive();
  }

  private Set<String> settled() {
    Set<String> s = new HashSet<>(receiver.deliveredIds());
    f.deadLetters().forEach(d -> s.add(d.get("event").get("id").asText()));
    return s;
  }

  @Test
  void givingUpAfterMaxAttemptsDeadLettersWithTheLastError() {
    receiver = HttpReceiver.start(r -> Reply.status(503));
    f = new EngineFixture(dir, rules(""));
    String id = f.send("orders", event("OrderPlaced", ""));

    Await.until(
        Duration.ofSeconds(30),
        () -> f.deadLetters().size() == 1,
        () -> f.deadLetters().toString());

    JsonNode d = f.deadLetters().get(0);
    assertThat(d.get("event").get("id").asText()).isEqualTo(id);
    assertThat(d.get("attempts").asInt()).isEqualTo(6);
    assertThat(d.get("error").asText())
        .startsWith("gave up after 6 attempts over ")
        .contains(
            "(retry: maxAttempts 6, maxAge 1m); last error: " + receiver.url() + " answered 503");
    assertThat(receiver.requests()).hasSize(6);
  }

  @Test
  void retriesWaitingInTheDurableQueueSurviveARestart() {
    AtomicBoolean healthy = new AtomicBoolean(false);
    receiver = HttpReceiver.start(r -> healthy.get() ? Reply.OK : Reply.status(500));
    f =
        new EngineFixture(
            dir,
            rules("")
                .replace("maxBackoff: 100ms", "maxBackoff: 1s")
                .replace("maxAttempts: 6", "maxAttempts: 50"));
    List<String> ids =
        f.send(
            "orders",
            List.of(event("OrderPlaced", ""), event("OrderPlaced", ""), event("OrderPlaced", "")));
    Await.until(
        Duration.ofSeconds(20),
        () -> f.engine.routing().retries().waiting() >= 3,
        () -> "retry queue holds " + f.engine.routing().retries().waiting());

    f.restart();
    healthy.set(true);

    Await.until(
        Duration.ofSeconds(30),
        () -> receiver.deliveredIds().containsAll(ids),
        () -> receiver.deliveredIds().toString());
    assertThat(f.deadLetters()).isEmpty();
  }

  @Test
  void deliveredEventsAreNotDeliveredAgainAfterARestart() {
    receiver = HttpReceiver.start(r -> Reply.OK);
    f = new EngineFixture(dir, rules(""));
    List<String> first = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      first.add(f.send("orders", event("OrderPlaced", "")));
    }
    Await.until(
        Duration.ofSeconds(20),
        () -> receiver.deliveredIds().size() == 30,
        () -> receiver.deliveredIds().size() + " delivered");
    Await.until(
        Duration.ofSeconds(5),
        () -> f.stats("placed", "hook").lagEvents() == 0,
        () -> "cursor not committed");

    f.restart();
    String after = f.send("orders", event("OrderPlaced", ""));

    Await.until(
        Duration.ofSeconds(20),
        () -> receiver.deliveredIds().contains(after),
        () -> "not delivered after restart");
    assertThat(receiver.deliveredInOrder()).hasSize(31);
  }

  @Test
  void orderedTargetKeepsFifoPerGroupAndAFailingGroupBlocksOnlyItself() {
    AtomicBoolean releaseB = new AtomicBoolean(false);
    receiver =
        HttpReceiver.start(
            r -> {
              String group = r.json().path("partitionkey").asText();
              int n = r.json().path("detail").path("seq").asInt();
              return group.equals("B") && n == 0 && !releaseB.get() ? Reply.status(500) : Reply.OK;
            });
    f =
        new EngineFixture(
            dir,
            rules("        ordered: true\n        concurrency: 4\n")
                .replace("maxAttempts: 6", "maxAttempts: 1000"));
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    List<String> c = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      a.add(f.send("orders", grouped("A", i)));
      b.add(f.send("orders", grouped("B", i)));
      c.add(f.send("orders", grouped("C", i)));
    }

    Await.until(
        Duration.ofSeconds(20),
        () -> receiver.deliveredIds().containsAll(a) && receiver.deliveredIds().containsAll(c),
        () -> "A and C: " + receiver.deliveredIds().size());
    assertThat(receiver.deliveredIds()).doesNotContainAnyElementsOf(b);
    releaseB.set(true);
    Await.until(
        Duration.ofSeconds(20),
        () -> receiver.deliveredIds().containsAll(b),
        () -> "B: " + receiver.deliveredIds().size());

    List<String> order = receiver.deliveredInOrder();
    for (List<String> group : List.of(a, b, c)) {
      assertThat(order.stream().filter(group::contains).distinct().toList()).isEqualTo(group);
    }
  }

  static String grouped(String group, int seq) {
    return "{\"source\":\"shop\",\"detail-type\":\"OrderPlaced\",\"partitionkey\":\""
        + group
        + "\",\"detail\":{\"seq\":"
        + seq
        + "}}";
  }
}

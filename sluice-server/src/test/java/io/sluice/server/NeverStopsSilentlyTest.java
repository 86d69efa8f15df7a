package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.log.EmbeddedEventLog;
import io.sluice.log.LogRecord;
import io.sluice.testkit.Await;
import io.sluice.testkit.HttpReceiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long-running parts never stop silently: a record on a bus that is not an event becomes a dead
 * letter with its reason while the events around it are delivered, and a part that keeps failing
 * makes /health/ready answer 503 naming it, then recovers by itself, losing nothing.
 */
class NeverStopsSilentlyTest {

  @TempDir Path dir;

  @Test
  void aRecordThatIsNotAnEventIsDeadLetteredAndTheEventsAroundItAreDelivered() throws Exception {
    try (HttpReceiver receiver = HttpReceiver.start(r -> HttpReceiver.Reply.OK)) {
      String yaml =
          "buses: [{name: default}]\nrules:\n  - {name: r, pattern: {source: [s]}, targets: [{id:"
              + " t, http: {url: \""
              + receiver.url()
              + "\"}}]}\n";
      try (ServerFixture s = ServerFixture.start(dir, yaml)) {
        s.sendNumbered(0, 50);
        Await.until(
            Duration.ofSeconds(20),
            () -> receiver.deliveredIds().size() == 50,
            () -> receiver.deliveredIds().size() + " delivered");
      }
      // as `sluice log append` would, while the server is stopped
      try (EmbeddedEventLog log =
          EmbeddedEventLog.open(dir.resolve("data/log"), Clock.systemUTC())) {
        log.append(
                "default",
                List.of(
                    LogRecord.of("hello".getBytes(StandardCharsets.UTF_8)),
                    LogRecord.of("{\"n\":1}".getBytes(StandardCharsets.UTF_8))))
            .join();
      }
      try (ServerFixture s = ServerFixture.start(dir, yaml)) {
        s.sendNumbered(50, 100);
        Await.until(
            Duration.ofSeconds(20),
            () -> receiver.deliveredIds().size() == 100,
            () -> receiver.deliveredIds().size() + " delivered");
        Await.until(
            Duration.ofSeconds(20),
            () -> s.get("/dead-letters").json().get("deadLetters").size() == 2,
            () -> s.get("/dead-letters").body());
        List<String> errors = new ArrayList<>();
        for (JsonNode d : s.get("/dead-letters").json().get("deadLetters")) {
          errors.add(d.get("error").asText());
        }
        assertThat(errors)
            .containsExactly(
                "not an event: not JSON (Unrecognized token 'hello': was expecting (JSON String,"
                    + " Number, Array, Object or token 'null', 'true' or 'false'))",
                "not an event: /detail-type: is required: a non-empty string");
        assertThat(s.get("/metrics").body())
            .contains("sluice_router_invalid_total{bus=\"default\"} 2.0");
        assertThat(s.get("/health/ready").status()).isEqualTo(200);
      }
    }
  }

  @Test
  void aFailingPartMakesReadinessNameItAndItRecoversByItself() throws Exception {
    String yaml =
        "buses: [{name: default}]\nrules:\n  - name: r\n    pattern: {source: [s]}\n    targets:\n"
            + "      - {id: lake, lake: {table: t, buffer: {interval: 1s}, partitionBy:"
            + " ['k=${detail.k}']}}\n";
    try (ServerFixture s = ServerFixture.start(dir, yaml)) {
      // a file where the partition directory must go: every commit fails until it goes
      Path blocker = dir.resolve("data/lake/t/k=x");
      Files.createDirectories(blocker.getParent());
      Files.writeString(blocker, "in the way");
      for (int i = 0; i < 5; i++) {
        s.post(
            "/buses/default/events",
            "application/json",
            "{\"source\":\"s\",\"detail-type\":\"t\",\"detail\":{\"k\":\"x\"}}");
      }
      Await.until(
          Duration.ofSeconds(30),
          () -> s.get("/health/ready").status() == 503,
          () -> "ready: " + s.get("/health/ready").body());
      JsonNode ready = s.get("/health/ready").json();
      assertThat(ready.get("reason").asText()).isEqualTo("failing: lake writer default/r/lake");
      assertThat(ready.get("failing").get("lake writer default/r/lake").get("error").asText())
          .contains("FileAlreadyExistsException");
      assertThat(s.get("/health").json().get("status").asText()).isEqualTo("DOWN");
      assertThat(s.get("/metrics").body())
          .contains("sluice_component_errors_total{component=\"lake writer default/r/lake\"}");
      Files.delete(blocker);
      Await.until(
          Duration.ofSeconds(60),
          () -> s.get("/health/ready").status() == 200,
          () -> "ready: " + s.get("/health/ready").body());
      Await.until(
          Duration.ofSeconds(30),
          () -> {
            var r = s.post("/query", "application/json", "{\"sql\":\"SELECT count(*) FROM t\"}");
            return r.status() == 200 && r.json().get("rows").get(0).get(0).asLong() == 5;
          },
          () -> "rows not there yet");
    }
  }
}

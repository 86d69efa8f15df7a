package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rule's function target end to end: an event on a bus reaches a python3 handler in a real
 * process, and its result lands on the onSuccess bus.
 */
class FunctionTargetTest {

  @TempDir Path dir;

  @Test
  void aMatchedEventGoesThroughAPythonFunctionToTheResultsBus() throws Exception {
    Files.createDirectories(dir.resolve("fn"));
    Files.writeString(
        dir.resolve("fn/app.py"),
        """
        def handler(event, context):
            return {"order": event["detail"]["id"], "total": event["detail"]["amount"] * 2,
                    "function": context.function_name}
        """,
        StandardCharsets.UTF_8);
    try (ServerFixture s =
        ServerFixture.start(
            dir,
            """
            buses: [{name: default}, {name: results}]
            functions:
              - {name: double, runtime: python3, handler: app.handler, code: fn, timeout: 10s}
            rules:
              - name: orders
                pattern: {source: [shop]}
                targets:
                  - id: double
                    function: {name: double, onSuccess: {bus: results}}
            """)) {
      var put =
          s.post(
              "/buses/default/events",
              "application/json",
              "{\"source\":\"shop\",\"detail-type\":\"Order\",\"detail\":{\"id\":\"o-1\","
                  + "\"amount\":21}}");
      assertThat(put.status()).as(put.body()).isEqualTo(200);

      JsonNode[] got = new JsonNode[1];
      Await.until(
          Duration.ofSeconds(30),
          () -> {
            JsonNode events =
                s.get("/buses/results/events?from=earliest&limit=10").json().path("events");
            got[0] = events;
            return events.size() == 1;
          },
          () -> "results bus: " + got[0]);
      JsonNode event = got[0].get(0).path("event");
      assertThat(event.path("detail").toString())
          .isEqualTo("{\"order\":\"o-1\",\"total\":42,\"function\":\"double\"}");
      assertThat(event.path("source").asText()).isEqualTo("shop");
      assertThat(event.path("detail-type").asText()).isEqualTo("Order");
    }
  }
}

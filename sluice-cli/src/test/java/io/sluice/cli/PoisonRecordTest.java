package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.server.SluiceKinds;
import io.sluice.server.SluiceServer;
import io.sluice.testkit.Await;
import io.sluice.testkit.HttpReceiver;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A record that is not an event, put on a bus with {@code sluice log append} while the server is
 * stopped, becomes a dead letter with its reason; the events around it reach their target and
 * routing goes on.
 */
class PoisonRecordTest {

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  HttpResponse<String> call(SluiceServer s, String method, String path, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(s.url().resolve(path))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  void send(SluiceServer s, int from, int to) throws Exception {
    StringBuilder batch = new StringBuilder("[");
    for (int i = from; i < to; i++) {
      batch.append(i == from ? "" : ",");
      batch.append("{\"id\":\"e").append(i).append("\",\"source\":\"s\",\"detail-type\":\"t\"}");
    }
    var r = call(s, "POST", "/buses/default/events", batch.append("]").toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  @Test
  void aRecordAppendedWithSluiceLogAppendIsDeadLetteredAndNothingStops() throws Exception {
    try (HttpReceiver receiver = HttpReceiver.start(r -> HttpReceiver.Reply.OK)) {
      String yaml =
          "buses: [{name: default}]\nstorage: {dir: data}\nserver: {port: 0}\nrules:\n"
              + "  - {name: r, pattern: {source: [s]}, targets: [{id: t, http: {url: \""
              + receiver.url()
              + "\"}}]}\n";
      SluiceConfig c = ConfigLoader.parse(yaml, "t.yaml", dir, SluiceKinds.forReading());
      try (SluiceServer s = SluiceServer.start(c, SluiceServer.Options.DEFAULTS)) {
        send(s, 0, 50);
        Await.until(
            Duration.ofSeconds(20),
            () -> receiver.deliveredIds().size() == 50,
            () -> receiver.deliveredIds().size() + " delivered");
      }

      LogCommandTest.Run appended =
          LogCommandTest.run(
              "log",
              "append",
              "--data",
              dir.resolve("data").toString(),
              "--log",
              "default",
              "this is not JSON");
      assertThat(appended.exit()).as(appended.err()).isZero();
      assertThat(appended.out()).isEqualTo("partition 0 offset 50\n");

      try (SluiceServer s = SluiceServer.start(c, SluiceServer.Options.DEFAULTS)) {
        send(s, 50, 100);
        Await.until(
            Duration.ofSeconds(20),
            () -> receiver.deliveredIds().size() == 100,
            () -> receiver.deliveredIds().size() + " delivered");
        JsonNode letters =
            Json.MAPPER.readTree(call(s, "GET", "/dead-letters", null).body()).get("deadLetters");
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).get("error").asText())
            .startsWith("not an event: not JSON (Unrecognized token 'this'");
        assertThat(letters.get(0).get("offset").asLong()).isEqualTo(50);
        assertThat(letters.get(0).get("invalid").asBoolean()).isTrue();
        assertThat(letters.get(0).get("record").asText()).isEqualTo("this is not JSON");
        assertThat(call(s, "GET", "/health/ready", null).statusCode()).isEqualTo(200);
        assertThat(call(s, "GET", "/metrics", null).body())
            .contains("sluice_router_invalid_total{bus=\"default\"} 1.0");
      }
    }
  }
}

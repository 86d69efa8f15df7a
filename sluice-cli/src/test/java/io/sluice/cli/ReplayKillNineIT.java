package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.testkit.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay into the lake is exactly once across kill -9: 3,000 events in a lake table, a replay of
 * them to the same rule, the packaged server killed with SIGKILL while the replay runs, restarted.
 * The replay completes with every event in the table once under its name, and its counters say what
 * an uninterrupted replay says.
 */
class ReplayKillNineIT {

  static final int EVENTS = 3000;

  @TempDir Path dir;

  @Test
  void aReplayKilledHalfWayWritesEveryEventOnceAndCountsThemOnce() throws Exception {
    PackagedServer packaged = new PackagedServer(dir, "512m");
    int port = PackagedServer.freePort();
    Path config = dir.resolve("sluice.yaml");
    // a small buffer: the replay commits many times, so a kill lands between commits
    Files.writeString(
        config,
        "server: {port: "
            + port
            + "}\nstorage: {dir: data}\nbuses: [{name: default, partitions: 2}]\n"
            + "rules:\n  - name: all\n    pattern: {source: [load]}\n    targets:\n"
            + "      - {id: lake, lake: {table: events, buffer: {size: 8KB, interval: 1s}}}\n");
    URI base = URI.create("http://127.0.0.1:" + port);
    Process server = packaged.start("run", config.toString());
    try {
      packaged.awaitReady(base, server);
      Instant from = Instant.now().minusSeconds(5);
      for (int b = 0; b < EVENTS / 100; b++) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 100; i++) {
          body.append("{\"source\":\"load\",\"detail-type\":\"T\",\"detail\":{\"n\":")
              .append(b * 100 + i)
              .append("}}\n");
        }
        assertThat(post(packaged, base, "/buses/default/events", "application/x-ndjson", body))
            .isEqualTo(200);
      }
      Await.until(
          Duration.ofSeconds(60),
          () -> count(packaged, base, "SELECT count(*) FROM events") == EVENTS,
          () -> "rows: " + count(packaged, base, "SELECT count(*) FROM events"));
      String to = Instant.now().plusSeconds(5).toString();
      assertThat(
              post(
                  packaged,
                  base,
                  "/replays",
                  "application/json",
                  "{\"name\":\"again\",\"bus\":\"default\",\"from\":\""
                      + from
                      + "\",\"to\":\""
                      + to
                      + "\",\"rule\":\"all\",\"target\":\"lake\"}"))
          .isEqualTo(202);
      Await.until(
          Duration.ofSeconds(60),
          () -> count(packaged, base, REPLAYED) > 0,
          () -> "no replayed rows yet");
      server.destroyForcibly();
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      server.destroyForcibly();
    }

    server = packaged.start("run", config.toString());
    try {
      packaged.awaitReady(base, server);
      Await.until(
          Duration.ofSeconds(90),
          () -> "completed".equals(replay(packaged, base).path("state").asText()),
          () -> "replay: " + replay(packaged, base));
      Await.until(
          Duration.ofSeconds(30),
          () -> count(packaged, base, REPLAYED) >= EVENTS,
          () -> "replayed rows: " + count(packaged, base, REPLAYED));
      JsonNode counts =
          packaged
              .query(
                  base,
                  "SELECT count(*), count(DISTINCT id) FROM events WHERE replay_name = 'again'")
              .get("rows")
              .get(0);
      assertThat(counts.get(0).asLong()).as("replayed rows").isEqualTo(EVENTS);
      assertThat(counts.get(1).asLong()).as("distinct replayed ids").isEqualTo(EVENTS);
      JsonNode status = replay(packaged, base);
      assertThat(Files.readString(packaged.log()))
          .as("the replay was killed while running, and resumed")
          .contains("resuming replay again");
      assertThat(status.get("matched").asLong()).as(status.toString()).isEqualTo(EVENTS);
      assertThat(status.get("settled").asLong()).as(status.toString()).isEqualTo(EVENTS);
    } finally {
      server.destroy();
      server.waitFor(60, TimeUnit.SECONDS);
    }
  }

  static final String REPLAYED = "SELECT count(*) FROM events WHERE replay_name = 'again'";

  private static int post(
      PackagedServer packaged, URI base, String path, String type, CharSequence body)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        packaged.http.send(
            HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode();
  }

  private static long count(PackagedServer packaged, URI base, String sql) {
    try {
      return packaged.query(base, sql).get("rows").get(0).get(0).asLong();
    } catch (IOException | InterruptedException | AssertionError e) {
      return -1;
    }
  }

  private static JsonNode replay(PackagedServer packaged, URI base) {
    try {
      return Json.MAPPER.readTree(
          packaged
              .http
              .send(
                  HttpRequest.newBuilder(base.resolve("/replays/again")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body());
    } catch (IOException | InterruptedException e) {
      return Json.MAPPER.createObjectNode();
    }
  }
}

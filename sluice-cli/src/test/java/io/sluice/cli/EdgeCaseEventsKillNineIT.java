package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.testkit.Await;
import io.sluice.testkit.EdgeCaseEvents;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The property of {@code IngestToLakePropertyTest} across kill -9 and a clean restart, on the
 * packaged server: random edge-case events are sent in NDJSON batches; the server is killed with
 * SIGKILL half way, restarted, sent the rest, stopped cleanly and started again. Every event it
 * acknowledged is then a row of the table or an entry at the lake's error location, and none is
 * there twice.
 */
class EdgeCaseEventsKillNineIT {

  @TempDir Path dir;

  @Test
  void everyAcknowledgedEventIsARowOrAnErrorExactlyOnce() throws Exception {
    PackagedServer packaged = new PackagedServer(dir, "512m");
    int port = PackagedServer.freePort();
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        "server: {port: "
            + port
            + "}\nstorage: {dir: data}\nbuses: [{name: default, partitions: 2}]\n"
            + "rules:\n  - name: all\n    pattern: {source: [{exists: true}]}\n    targets:\n"
            + "      - {id: lake, lake: {table: edge, buffer: {interval: 1s},"
            + " partitionBy: ['dt=${time:yyyy-MM-dd}', 'src=${source}']}}\n");
    URI base = URI.create("http://127.0.0.1:" + port);
    List<String> events = EdgeCaseEvents.events().sampleStream().limit(600).toList();
    Map<String, String> acked = new TreeMap<>();

    Process server = packaged.start("run", config.toString());
    packaged.awaitReady(base, server);
    send(packaged, base, events.subList(0, 300), acked);
    server.destroyForcibly(); // kill -9 with a lake buffer filling
    assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();

    server = packaged.start("run", config.toString());
    packaged.awaitReady(base, server);
    send(packaged, base, events.subList(300, events.size()), acked);
    server.destroy(); // SIGTERM: a clean stop
    assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();

    server = packaged.start("run", config.toString());
    try {
      packaged.awaitReady(base, server);
      assertThat(acked.size()).as("acknowledged events").isGreaterThan(200);
      Await.until(
          Duration.ofSeconds(90),
          () -> landed(packaged, base).keySet().containsAll(acked.keySet()),
          () -> "landed " + landed(packaged, base).size() + " of " + acked.size() + " acked");
      Map<String, Integer> landed = landed(packaged, base);
      assertThat(landed.entrySet().stream().filter(e -> e.getValue() > 1).toList())
          .as("events that are in the table or the error location twice")
          .isEmpty();
    } finally {
      server.destroy();
      server.waitFor(60, TimeUnit.SECONDS);
    }
  }

  /** Sends NDJSON batches of 20; records each acknowledged entry's partition/offset. */
  private static void send(
      PackagedServer packaged, URI base, List<String> events, Map<String, String> acked)
      throws Exception {
    for (int i = 0; i < events.size(); i += 20) {
      List<String> batch = events.subList(i, Math.min(events.size(), i + 20));
      HttpResponse<String> r =
          packaged.http.send(
              HttpRequest.newBuilder(base.resolve("/buses/default/events"))
                  .header("Content-Type", "application/x-ndjson")
                  .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", batch)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isIn(200, 400, 413);
      if (r.statusCode() != 200) {
        continue;
      }
      JsonNode entries = Json.MAPPER.readTree(r.body()).get("entries");
      for (int k = 0; k < entries.size(); k++) {
        JsonNode e = entries.get(k);
        if (e.has("id")) {
          acked.put(e.get("partition").asInt() + "/" + e.get("offset").asLong(), batch.get(k));
        } else {
          assertThat(e.get("error").get("code").asText())
              .isIn("INVALID_EVENT", "MALFORMED_JSON", "TOO_LARGE", "LIMIT_EXCEEDED");
        }
      }
    }
  }

  /** partition/offset → how often it is a row or an error entry. */
  private Map<String, Integer> landed(PackagedServer packaged, URI base) {
    Map<String, Integer> out = new TreeMap<>();
    try {
      packaged
          .query(base, "SELECT partition, \"offset\" FROM edge")
          .get("rows")
          .forEach(x -> out.merge(x.get(0).asInt() + "/" + x.get(1).asLong(), 1, Integer::sum));
      Path d = dir.resolve("data/lake/_errors/edge");
      if (Files.isDirectory(d)) {
        try (Stream<Path> s = Files.list(d)) {
          for (Path p : s.filter(p -> p.toString().endsWith(".ndjson")).toList()) {
            for (String line : Files.readAllLines(p)) {
              JsonNode e = Json.MAPPER.readTree(line);
              out.merge(
                  e.get("partition").asInt() + "/" + e.get("offset").asLong(), 1, Integer::sum);
            }
          }
        }
      }
    } catch (IOException | InterruptedException | AssertionError e) {
      // not up yet, or a file being replaced
    }
    return out;
  }
}

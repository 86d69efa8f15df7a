package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.testkit.Await;
import io.sluice.testkit.EdgeCaseEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * What ingest acknowledges can always be stored: random events with edge-case strings, numbers,
 * times and field names are posted to a real server whose one rule writes every event to a lake
 * table. Each is either refused with a 4xx in the error shape, or stored; and after a restart every
 * stored event is a row of the table or an entry at its error location, exactly once.
 */
class IngestToLakePropertyTest {

  static final String YAML =
      """
      buses: [{name: edge, partitions: 2}]
      rules:
        - name: all
          bus: edge
          pattern: {source: [{exists: true}]}
          targets:
            - id: lake
              lake:
                table: edge
                buffer: {interval: 1s}
                partitionBy: ["dt=${time:yyyy-MM-dd}", "src=${source}"]
      """;

  static Path dir;
  static ServerFixture fx;

  /** partition/offset of each stored event → the event as sent. */
  static final Map<String, String> stored = new ConcurrentHashMap<>();

  static int refused;

  @BeforeContainer
  static void start() throws IOException {
    dir = Files.createTempDirectory("sluice-edge-");
    fx = ServerFixture.start(dir, YAML);
  }

  @Provide
  Arbitrary<String> events() {
    return EdgeCaseEvents.events();
  }

  @Property(tries = 400, edgeCases = net.jqwik.api.EdgeCasesMode.NONE)
  void everyEventIsRefusedWithA4xxOrStored(@ForAll("events") String event) {
    ServerFixture.Response r = fx.post("/buses/edge/events", "application/json", event);
    net.jqwik.api.statistics.Statistics.collect(r.status());
    if (r.status() == 200) {
      JsonNode entry = r.json().get("entries").get(0);
      assertThat(entry.has("id")).as(r.body()).isTrue();
      stored.put(entry.get("partition").asInt() + "/" + entry.get("offset").asLong(), event);
      return;
    }
    assertThat(r.status()).as("%s → %s", event, r.body()).isIn(400, 413);
    JsonNode error = r.json();
    assertThat(error.get("code").asText())
        .isIn("INVALID_EVENT", "MALFORMED_JSON", "TOO_LARGE", "LIMIT_EXCEEDED");
    assertThat(error.get("problems").size()).as(r.body()).isPositive();
    refused++;
  }

  @AfterContainer
  static void everyStoredEventIsARowOrAnErrorAcrossARestart() throws Exception {
    try {
      assertThat(stored.size()).as("some events must be stored").isGreaterThan(50);
      assertThat(refused).as("some events must be refused").isGreaterThan(20);
      fx.close();
      fx = ServerFixture.start(dir, YAML); // the lake commits at stop; the bus re-delivers the rest
      Await.until(
          Duration.ofSeconds(60),
          () -> landed().size() >= stored.size(),
          () -> "landed " + landed().size() + " of " + stored.size());
      Map<String, Integer> counts = new TreeMap<>();
      JsonNode rows =
          fx.post(
                  "/query",
                  "application/json",
                  "{\"sql\":\"SELECT partition, \\\"offset\\\" FROM edge\",\"maxRows\":100000}")
              .json()
              .get("rows");
      rows.forEach(x -> counts.merge(x.get(0).asInt() + "/" + x.get(1).asLong(), 1, Integer::sum));
      for (JsonNode e : errorEntries()) {
        counts.merge(e.get("partition").asInt() + "/" + e.get("offset").asLong(), 1, Integer::sum);
      }
      Map<String, String> missing = new TreeMap<>(stored);
      missing.keySet().removeAll(counts.keySet());
      assertThat(missing).as("stored events that are neither a row nor an error").isEmpty();
      assertThat(counts.entrySet().stream().filter(c -> c.getValue() > 1).toList())
          .as("events that landed twice")
          .isEmpty();
      assertThat(counts.keySet()).isEqualTo(new TreeSet<>(stored.keySet()));
    } finally {
      fx.close();
    }
  }

  private static Set<String> landed() {
    Set<String> out = new TreeSet<>();
    try {
      ServerFixture.Response r =
          fx.post(
              "/query",
              "application/json",
              "{\"sql\":\"SELECT partition, \\\"offset\\\" FROM edge\",\"maxRows\":100000}");
      if (r.status() == 200) {
        r.json().get("rows").forEach(x -> out.add(x.get(0).asInt() + "/" + x.get(1).asLong()));
      }
      for (JsonNode e : errorEntries()) {
        out.add(e.get("partition").asInt() + "/" + e.get("offset").asLong());
      }
    } catch (IOException e) {
      // not there yet
    }
    return out;
  }

  private static java.util.List<JsonNode> errorEntries() throws IOException {
    java.util.List<JsonNode> out = new java.util.ArrayList<>();
    Path d = dir.resolve("data/lake/_errors/edge");
    if (!Files.isDirectory(d)) {
      return out;
    }
    try (Stream<Path> s = Files.list(d)) {
      for (Path p : s.filter(p -> p.toString().endsWith(".ndjson")).toList()) {
        for (String line : Files.readAllLines(p)) {
          out.add(Json.MAPPER.readTree(line));
        }
      }
    }
    return out;
  }
}

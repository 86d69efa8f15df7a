package io.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.Event;
import io.sluice.core.Json;
import io.sluice.engine.Engine;
import io.sluice.engine.Ingest;
import io.sluice.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An event its table cannot take never stalls the table: it goes to the error location with why,
 * and the rows around it are committed. And a batch that could not be committed is never covered by
 * the high-water mark of a later one.
 */
class LakeBadRowsTest {

  @TempDir Path dir;
  SimpleMeterRegistry meters = new SimpleMeterRegistry();
  Lake lake;
  Engine engine;

  static final String YAML =
      """
      buses: [{name: orders, partitions: 1}]
      rules:
        - name: to-lake
          bus: orders
          pattern: {source: [shop]}
          targets:
            - id: lake
              lake: {table: orders, buffer: {interval: 1s}, partitionBy: ["dt=${time:yyyy-MM-dd}"]}
      """;

  LakeEngine running;

  void start() {
    running = LakeEngine.start(dir, YAML, meters);
    lake = running.lake;
    engine = running.engine;
  }

  void stop() {
    running.close();
    engine = null;
  }

  @AfterEach
  void tearDown() {
    if (engine != null) {
      stop();
    }
  }

  /** Stores events through ingest (the door): they must be valid. */
  List<String> send(String... events) throws Exception {
    List<Ingest.Entry> entries = new ArrayList<>();
    for (String e : events) {
      entries.add(engine.ingest().prepare(Json.MAPPER.readTree(e), ""));
    }
    List<String> ids = new ArrayList<>();
    for (Ingest.Outcome o : engine.ingest().store("orders", entries).join()) {
      ids.add(((Ingest.Stored) o).id());
    }
    return ids;
  }

  /**
   * Stores an event's bytes as they are, as an older version that checked less could have stored
   * them: the lake must cope with what is already on a bus.
   */
  void storeRaw(String json) {
    Event placeholder =
        new Event(
            "0",
            "raw",
            "T",
            "shop",
            "0",
            Instant.EPOCH,
            "local",
            List.of(),
            Json.MAPPER.createObjectNode(),
            Map.of());
    engine
        .buses()
        .appendSerialized(
            "orders", List.of(placeholder), List.of(json.getBytes(StandardCharsets.UTF_8)))
        .join();
  }

  static String stored(String id, String detailType, String time, String detail) {
    return "{\"version\":\"0\",\"id\":\""
        + id
        + "\",\"detail-type\":\""
        + detailType
        + "\",\"source\":\"shop\",\"account\":\"0\",\"time\":\""
        + time
        + "\",\"region\":\"local\",\"resources\":[],\"detail\":"
        + detail
        + "}";
  }

  long count(String sql) {
    return running.count(sql);
  }

  List<JsonNode> errors() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    Path d = dir.resolve("data/lake/_errors/orders");
    if (!Files.isDirectory(d)) {
      return out;
    }
    try (Stream<Path> s = Files.list(d)) {
      for (Path p : s.filter(p -> p.toString().endsWith(".ndjson")).sorted().toList()) {
        for (String line : Files.readAllLines(p)) {
          out.add(Json.MAPPER.readTree(line));
        }
      }
    }
    return out;
  }

  @Test
  void rowsTheTableCannotTakeGoToErrorsAndTheRestIsCommitted() throws Exception {
    start();
    String t = "2026-11-30T10:00:00Z";
    storeRaw(stored("a", "A", t, "{\"n\":1}"));
    storeRaw(stored("odd", "Odd", t, "{\"s\":\"\\ud800\"}"));
    storeRaw(stored("b", "B", t, "{\"n\":2}"));
    storeRaw(stored("far", "Far", "+99999-01-01T00:00:00Z", "{\"n\":3}"));
    storeRaw(stored("type", "x\\udc00", t, "{\"n\":4}"));
    // through the door: a renamed column meets a real field of the renamed name
    send(
        "{\"id\":\"clash\",\"source\":\"shop\",\"detail-type\":\"C\",\"time\":\""
            + t
            + "\",\"detail\":{\"offset\":5,\"detail_offset\":9}}");
    Await.until(
        Duration.ofSeconds(30),
        () -> count("SELECT count(*) FROM orders") == 3,
        () -> "orders has " + count("SELECT count(*) FROM orders") + " rows");
    assertThat(count("SELECT count(*) FROM orders WHERE id IN ('a', 'b', 'clash')")).isEqualTo(3);
    assertThat(
            count(
                "SELECT count(*) FROM orders WHERE id = 'clash' AND detail_offset = 5 AND"
                    + " detail_detail_offset = 9"))
        .isEqualTo(1);
    List<JsonNode> errors = errors();
    Map<String, String> why = new TreeMap<>();
    for (JsonNode e : errors) {
      why.put(e.get("event").get("id").asText(), e.get("error").asText());
      assertThat(e.get("target").asText()).isEqualTo("orders/to-lake/lake");
    }
    assertThat(why)
        .containsExactly(
            Map.entry(
                "far",
                "the event's time string \"+99999-01-01T00:00:00Z\" is not an RFC 3339 time from"
                    + " year 0000 to 9999 (UTC), as a TIMESTAMPTZ column needs"),
            Map.entry(
                "odd",
                "the row's data is not valid Unicode text: /s: expected valid Unicode text, got a"
                    + " lone surrogate U+D800 at character 0 (a \\ud800 escape needs its pair)"),
            Map.entry(
                "type", "the event's detail-type is not valid Unicode text (a lone surrogate)"));
    assertThat(lake.table("orders").errorRows()).isEqualTo(3);
    assertThat(meters.counter("sluice.lake.error.rows", "table", "orders").count()).isEqualTo(3);
    // nothing is owed any more: the target's cursor passed every event
    Await.until(
        Duration.ofSeconds(10),
        () -> engine.routing().stats().get(0).lagEvents() == 0,
        () -> "lag " + engine.routing().stats().get(0).lagEvents());
    // delivered means in the table: the rows kept in _errors are counted apart
    var stats = engine.routing().stats().get(0);
    assertThat(stats.matched()).isEqualTo(6);
    assertThat(stats.delivered()).isEqualTo(3);
    assertThat(stats.errors()).isEqualTo(3);
    assertThat(stats.deadLettered()).isZero();
    assertThat(
            meters
                .counter(
                    "sluice.target.errors", "bus", "orders", "rule", "to-lake", "target", "lake")
                .count())
        .isEqualTo(3);
    assertThat(
            meters
                .counter(
                    "sluice.target.delivered", "bus", "orders", "rule", "to-lake", "target", "lake")
                .count())
        .isEqualTo(3);
  }

  @Test
  void aBatchGivenBackAtStopIsNotCoveredByALaterOneAndNothingIsLost() throws Exception {
    start();
    // a file where the partition directory of 2026-11-30 must go: commits of A fail until it goes
    Path blocker = dir.resolve("data/lake/orders/dt=2026-11-30");
    Files.createDirectories(blocker.getParent());
    Files.writeString(blocker, "in the way");
    List<String> ids = new ArrayList<>();
    ids.addAll(
        send(
            "{\"source\":\"shop\",\"detail-type\":\"A\",\"time\":\"2026-11-30T10:00:00Z\",\"detail\":{}}"));
    Await.until(
        Duration.ofSeconds(30),
        () -> meters.counter("sluice.lake.commit.failures", "table", "orders").count() >= 1,
        () -> "no failed commit yet");
    // a later event of another day, buffered while the first batch keeps failing
    ids.addAll(
        send(
            "{\"source\":\"shop\",\"detail-type\":\"C\",\"time\":\"2026-12-01T10:00:00Z\",\"detail\":{}}"));
    Await.until(
        Duration.ofSeconds(30),
        () -> lake.writer("orders/to-lake/lake").bufferedRows() == 1,
        () -> "C is not buffered yet");
    stop();
    assertThat(lake.table("orders") == null ? 0 : lake.table("orders").rows())
        .as("C must not commit past the uncommitted A")
        .isZero();
    Files.delete(blocker);
    start();
    Await.until(
        Duration.ofSeconds(30),
        () -> count("SELECT count(*) FROM orders") == 2,
        () -> "orders has " + count("SELECT count(*) FROM orders") + " rows");
    Rows r = new Rows();
    lake.query("SELECT id FROM orders", r);
    assertThat(r.column(0)).containsExactlyInAnyOrderElementsOf(ids);
  }
}

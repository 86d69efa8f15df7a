package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.testkit.Await;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once across kill -9: the packaged server runs a tumbling analysis over a two-partition
 * bus while events arrive; it is killed with SIGKILL three times mid-stream and started again, and
 * the sender resends what was not acknowledged (the input bus deduplicates ids). The results on the
 * output bus are, by id, exactly the oracle's: one per window and key, computed here from the
 * events sent, none missing and none twice.
 */
class AnalysisKillNineIT {

  @TempDir Path dir;

  static final int EVENTS = 3000;
  static final int BATCH = 50;
  static final long BASE = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();

  @Test
  void resultsAreExactlyTheOraclesAcrossSigkillRestarts() throws Exception {
    PackagedServer packaged = new PackagedServer(dir, "256m");
    int port = PackagedServer.freePort();
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        """
        server: {port: %d}
        storage: {dir: data}
        buses:
          - {name: in, partitions: 2, deduplicate: 1h}
          - {name: out, deduplicate: 1h}
        analyses:
          - name: counts
            bus: in
            eventTime: detail.at
            window: {tumbling: 1s}
            watermark: {maxOutOfOrder: 2s}
            key: [k]
            sql: SELECT e.detail.k AS k, count(*) AS n, sum(e.detail.v) AS total FROM events e GROUP BY ALL
            emit: {bus: out}
        """
            .formatted(port));
    URI base = URI.create("http://127.0.0.1:" + port);
    Random r = new Random(42);
    String[] lines = new String[EVENTS];
    Map<String, long[]> oracle = new TreeMap<>(); // window|k -> {n, total}
    for (int i = 0; i < EVENTS; i++) {
      long t = BASE + i * 20L + r.nextInt(500) - 250; // within maxOutOfOrder
      String k = "k" + r.nextInt(4);
      int v = r.nextInt(100);
      lines[i] =
          "{\"id\":\"ev-"
              + i
              + "\",\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{\"at\":\""
              + Instant.ofEpochMilli(t)
              + "\",\"k\":\""
              + k
              + "\",\"v\":"
              + v
              + "}}";
      long start = Math.floorDiv(t, 1000) * 1000;
      long[] c = oracle.computeIfAbsent(start + "|" + k, x -> new long[2]);
      c[0]++;
      c[1] += v;
    }
    Process server = packaged.start("run", config.toString());
    try {
      packaged.awaitReady(base, server);
      int sent = 0;
      int kills = 0;
      while (sent < EVENTS) {
        StringBuilder body = new StringBuilder();
        for (int i = sent; i < Math.min(EVENTS, sent + BATCH); i++) {
          body.append(lines[i]).append('\n');
        }
        if (post(packaged, base, body.toString())) {
          sent = Math.min(EVENTS, sent + BATCH);
        } else {
          packaged.awaitReady(base, server); // resend the same batch once it is up
          continue;
        }
        if (kills < 3 && sent == (kills + 1) * 700) {
          server.destroyForcibly(); // SIGKILL, mid-stream
          assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
          kills++;
          server = packaged.start("run", config.toString());
          packaged.awaitReady(base, server);
        }
      }
      // two events far ahead, one per partition (appends alternate), close every window
      for (int i = 0; i < 2; i++) {
        assertThat(
                post(
                    packaged,
                    base,
                    "{\"id\":\"end-"
                        + i
                        + "\",\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{\"at\":\""
                        + Instant.ofEpochMilli(BASE + 3_600_000)
                        + "\",\"k\":\"end\",\"v\":0}}\n"))
            .isTrue();
      }
      Await.until(
          Duration.ofSeconds(120),
          () -> results(packaged, base).size() >= oracle.size(),
          () -> results(packaged, base).size() + " of " + oracle.size() + " results");
      Map<String, JsonNode> byId = results(packaged, base);
      Set<String> expected = new HashSet<>();
      for (Map.Entry<String, long[]> e : oracle.entrySet()) {
        String[] wk = e.getKey().split("\\|");
        long start = Long.parseLong(wk[0]);
        String key = "[\"" + wk[1] + "\"]";
        String id =
            UUID.nameUUIDFromBytes(
                    ("counts\u0000\u0000"
                            + start
                            + "\u0000"
                            + (start + 1000)
                            + "\u0000"
                            + key
                            + "\u0000"
                            + 1)
                        .getBytes(StandardCharsets.UTF_8))
                .toString();
        expected.add(id);
        JsonNode d = byId.get(id);
        assertThat(d).as("result for %s", e.getKey()).isNotNull();
        assertThat(d.path("n").asLong()).as("n of %s", e.getKey()).isEqualTo(e.getValue()[0]);
        assertThat(d.path("total").asLong())
            .as("total of %s", e.getKey())
            .isEqualTo(e.getValue()[1]);
        assertThat(d.path("revision").asInt()).isEqualTo(1);
      }
      assertThat(byId.keySet()).isEqualTo(expected);
    } finally {
      server.destroy();
      server.waitFor(60, TimeUnit.SECONDS);
    }
  }

  /** True when the batch was stored (200); false when the server was not there to take it. */
  private static boolean post(PackagedServer p, URI base, String ndjson) {
    try {
      HttpResponse<String> r =
          p.http.send(
              HttpRequest.newBuilder(base.resolve("/buses/in/events"))
                  .header("Content-Type", "application/x-ndjson")
                  .timeout(Duration.ofSeconds(30))
                  .POST(HttpRequest.BodyPublishers.ofString(ndjson))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isIn(200, 503);
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The results on the out bus by id (detail); an id stored twice fails the test, since the bus
   * deduplicates and the analysis gives a result one id.
   */
  private static Map<String, JsonNode> results(PackagedServer p, URI base) {
    Map<String, JsonNode> out = new HashMap<>();
    String cursor = null;
    try {
      while (true) {
        String q =
            cursor == null
                ? "from=earliest&limit=1000"
                : "cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8) + "&limit=1000";
        HttpResponse<String> r =
            p.http.send(
                HttpRequest.newBuilder(base.resolve("/buses/out/events?" + q)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          return out;
        }
        JsonNode page = Json.MAPPER.readTree(r.body());
        List<JsonNode> events = page.path("events").valueStream().toList();
        for (JsonNode w : events) {
          JsonNode e = w.path("event");
          if (e.path("detail").path("k").asText().equals("end")) {
            continue;
          }
          JsonNode before = out.put(e.path("id").asText(), e.path("detail"));
          assertThat(before).as("result %s stored twice", e.path("id").asText()).isNull();
        }
        if (events.isEmpty()) {
          return out;
        }
        cursor = page.path("next").asText();
      }
    } catch (IOException e) {
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return out;
    }
  }
}

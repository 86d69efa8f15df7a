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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One fire per slot across kill -9: the packaged server runs a {@code rate: 1s} schedule with
 * {@code catchUp: all}, is killed with SIGKILL and started again. Every slot from the first to the
 * last is on the bus (the ones that passed while it was down caught up), and a slot that is there
 * twice (fired, then killed before the state was saved) has the same id both times: the
 * deterministic one.
 */
class ScheduleKillNineIT {

  @TempDir Path dir;

  @Test
  void everySlotFiresOnceWithOneIdAcrossSigkillRestarts() throws Exception {
    PackagedServer packaged = new PackagedServer(dir, "256m");
    int port = PackagedServer.freePort();
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        """
        server: {port: %d}
        storage: {dir: data}
        schedules:
          - {name: beat, rate: 1s, catchUp: all, detail: {n: 1}}
        """
            .formatted(port));
    URI base = URI.create("http://127.0.0.1:" + port);
    Process server = packaged.start("run", config.toString());
    TreeMap<String, List<String>> slots;
    try {
      packaged.awaitReady(base, server);
      Await.until(
          Duration.ofSeconds(30), () -> slots(packaged, base).size() >= 3, () -> "no beats");
      server.destroyForcibly(); // SIGKILL
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
      Instant killed = Instant.now();
      server = packaged.start("run", config.toString());
      packaged.awaitReady(base, server);
      Instant after = killed.plusSeconds(2);
      Await.until(
          Duration.ofSeconds(30),
          () -> {
            var s = slots(packaged, base);
            return !s.isEmpty() && Instant.parse(s.lastKey()).isAfter(after);
          },
          () -> "no beats after the restart: " + slots(packaged, base).keySet());
      slots = slots(packaged, base); // read while the server runs
    } finally {
      server.destroy();
      server.waitFor(60, TimeUnit.SECONDS);
    }
    // every slot has the one deterministic id, however often it is on the bus
    for (Map.Entry<String, List<String>> e : slots.entrySet()) {
      String id =
          UUID.nameUUIDFromBytes(
                  ("schedule:beat:" + Instant.parse(e.getKey()).toEpochMilli())
                      .getBytes(StandardCharsets.UTF_8))
              .toString();
      assertThat(e.getValue()).as("slot %s", e.getKey()).allMatch(id::equals);
    }
    // and none is lost: the downtime's slots were caught up
    Instant first = Instant.parse(slots.firstKey());
    Instant last = Instant.parse(slots.lastKey());
    List<String> expected = new ArrayList<>();
    for (Instant t = first; !t.isAfter(last); t = t.plusSeconds(1)) {
      expected.add(t.toString());
    }
    assertThat(slots.keySet()).containsExactlyElementsOf(expected);
  }

  /** The scheduler's events on the default bus: slot (scheduledTime) → the ids stored for it. */
  private static TreeMap<String, List<String>> slots(PackagedServer p, URI base) {
    TreeMap<String, List<String>> out = new TreeMap<>();
    String cursor = null;
    try {
      while (true) {
        String q =
            cursor == null
                ? "from=earliest&limit=1000"
                : "cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8) + "&limit=1000";
        HttpResponse<String> r =
            p.http.send(
                HttpRequest.newBuilder(base.resolve("/buses/default/events?" + q)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          return out;
        }
        JsonNode page = Json.MAPPER.readTree(r.body());
        for (JsonNode w : page.path("events")) {
          JsonNode e = w.path("event");
          if (e.path("source").asText().equals("sluice.scheduler")) {
            assertThat(e.path("time").asText())
                .isEqualTo(e.path("detail").path("scheduledTime").asText());
            out.computeIfAbsent(
                    e.path("detail").path("scheduledTime").asText(), k -> new ArrayList<>())
                .add(e.path("id").asText());
          }
        }
        if (page.path("events").isEmpty()) {
          return out;
        }
        cursor = page.path("next").asText();
      }
    } catch (IOException e) {
      return out; // not up (yet)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return out;
    }
  }
}

package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.testkit.Await;
import io.sluice.testkit.HttpReceiver;
import io.sluice.testkit.HttpReceiver.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At-least-once across kill -9: the packaged server routes every event to a flaky HTTP target
 * (random 500s and 429s) while a client sends events; the server is killed with SIGKILL mid-stream
 * and restarted, twice. Every acknowledged event ends up delivered or dead-lettered, and an event
 * is delivered twice only if its first delivery happened after the last cursor commit before a kill
 * (it was in flight).
 */
class DeliveryKillNineIT {

  static final long COMMIT_WINDOW_MS =
      2_000; // cursor commits every 200 ms; generous for a loaded CI box
  static final long RECOVERY_WINDOW_MS =
      15_000; // a request in flight at the kill, or the restart's redelivery before its first
  // commit

  @TempDir Path dir;
  PackagedServer packaged;
  HttpClient http;

  @org.junit.jupiter.api.BeforeEach
  void setUp() {
    packaged = new PackagedServer(dir, "512m");
    http = packaged.http;
  }

  @Test
  void everyAcknowledgedEventIsDeliveredOrDeadLetteredAndOnlyInFlightOnesTwice() throws Exception {
    Random random = new Random(11);
    try (HttpReceiver target =
        HttpReceiver.start(
            r -> {
              synchronized (random) {
                int dice = random.nextInt(100);
                return dice < 20
                    ? Reply.status(500)
                    : dice < 30 ? new Reply(429, Duration.ZERO, 0) : Reply.OK;
              }
            })) {
      int port = PackagedServer.freePort();
      Path config = dir.resolve("sluice.yaml");
      Files.writeString(
          config,
          "server: {port: "
              + port
              + "}\nstorage: {dir: data}\n"
              + "rules:\n  - name: all\n    pattern: {source: [load]}\n    targets:\n"
              + "      - {id: hook, http: {url: \""
              + target.url()
              + "\"}, concurrency: 8, timeout: 2s, retry: {maxAttempts: 30, initialBackoff: 20ms, maxBackoff: 200ms}}\n");
      URI base = URI.create("http://127.0.0.1:" + port);
      Set<String> acked = ConcurrentHashMap.newKeySet();
      List<Long> kills = new ArrayList<>();
      for (int cycle = 0; cycle < 3; cycle++) {
        Process server = packaged.start("run", config.toString());
        try {
          packaged.awaitReady(base, server);
          AtomicBoolean stop = new AtomicBoolean();
          int c = cycle;
          Thread producer =
              Thread.ofVirtual()
                  .start(
                      () -> {
                        int seq = 0;
                        while (!stop.get()) {
                          String id = "k" + c + "-" + seq++;
                          try {
                            HttpResponse<String> r =
                                http.send(
                                    HttpRequest.newBuilder(base.resolve("/buses/default/events"))
                                        .header("Content-Type", "application/json")
                                        .POST(
                                            HttpRequest.BodyPublishers.ofString(
                                                "{\"id\":\""
                                                    + id
                                                    + "\",\"source\":\"load\",\"detail-type\":\"T\"}"))
                                        .build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                              acked.add(id);
                            }
                          } catch (IOException | InterruptedException e) {
                            return;
                          }
                        }
                      });
          int goal = acked.size() + 300 + random.nextInt(700);
          Await.until(
              Duration.ofSeconds(60), () -> acked.size() >= goal, () -> acked.size() + " acked");
          if (cycle < 2) {
            kills.add(System.currentTimeMillis());
            server.destroyForcibly();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
          }
          stop.set(true);
          producer.join();
          if (cycle == 2) {
            Await.until(
                Duration.ofSeconds(90),
                () -> settled(base, target).containsAll(acked),
                () -> "settled " + settled(base, target).size() + " of " + acked.size());
          }
        } finally {
          if (cycle == 2) {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
          } else {
            server.destroyForcibly();
          }
        }
      }

      assertThat(settled(base, target)).containsAll(acked);
      List<String> order = target.deliveredInOrder();
      List<Long> at = target.deliveredAt();
      Map<String, Long> first = new HashMap<>();
      Set<String> duplicated = new HashSet<>();
      for (int i = 0; i < order.size(); i++) {
        if (first.putIfAbsent(order.get(i), at.get(i)) != null) {
          duplicated.add(order.get(i));
        }
      }
      for (String id : duplicated) {
        long t = first.get(id);
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
          if (order.get(i).equals(id)) {
            times.add(at.get(i));
          }
        }
        int cycleOfId = Integer.parseInt(id.substring(1, id.indexOf('-')));
        assertThat(
                java.util.stream.IntStream.range(0, kills.size())
                    .anyMatch(
                        k ->
                            cycleOfId <= k
                                && t >= kills.get(k) - COMMIT_WINDOW_MS
                                && t <= kills.get(k) + RECOVERY_WINDOW_MS))
            .as(
                "%s was delivered at %s (kills at %s; %d ids duplicated in all)",
                id, times, kills, duplicated.size())
            .isTrue();
      }
      assertThat(acked.size()).isGreaterThan(900);
    }
  }

  private Set<String> settled(URI base, HttpReceiver target) {
    Set<String> s = new HashSet<>(target.deliveredIds());
    try {
      JsonNode dl =
          Json.MAPPER.readTree(
              http.send(
                      HttpRequest.newBuilder(base.resolve("/dead-letters?limit=1000")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      dl.get("deadLetters").forEach(d -> s.add(d.get("event").get("id").asText()));
    } catch (IOException | InterruptedException e) {
      // server not up: count what the target saw
    }
    return s;
  }
}

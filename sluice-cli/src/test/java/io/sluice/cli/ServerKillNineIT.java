package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 the packaged server under load, restart it, read everything back: every event whose
 * response said it was stored is there. Clients assign the event ids so acknowledgements can be
 * matched.
 */
class ServerKillNineIT {

  static final Path JAR = Path.of("target/sluice.jar").toAbsolutePath();
  static final int CYCLES = 4;

  @TempDir Path dir;
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @Test
  void nothingAcknowledgedIsLostAcrossSigkillRestarts() throws Exception {
    Random random = new Random(7);
    Set<String> acked = ConcurrentHashMap.newKeySet();
    int port = freePort();
    URI base = URI.create("http://127.0.0.1:" + port);
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      Process server = startServer(port);
      try {
        awaitReady(base, server);
        int killAfter = 300 + random.nextInt(1500);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger count = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
          String prefix = "c" + cycle + "-t" + t + "-";
          int batch = 1 + t % 3 * 4;
          Thread th =
              new Thread(
                  () -> {
                    int seq = 0;
                    while (!stop.get()) {
                      StringBuilder body = new StringBuilder("[");
                      List<String> ids = new ArrayList<>();
                      for (int i = 0; i < batch; i++) {
                        String id = prefix + seq++;
                        ids.add(id);
                        body.append(i == 0 ? "" : ",")
                            .append("{\"id\":\"")
                            .append(id)
                            .append(
                                "\",\"source\":\"load\",\"detail-type\":\"T\",\"detail\":{\"pad\":\"")
                            .append("p".repeat(200))
                            .append("\"}}");
                      }
                      try {
                        HttpResponse<String> r =
                            http.send(
                                HttpRequest.newBuilder(base.resolve("/buses/default/events"))
                                    .header("Content-Type", "application/json")
                                    .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                            body.append("]").toString()))
                                    .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                          for (JsonNode e : Json.MAPPER.readTree(r.body()).get("entries")) {
                            if (e.has("id")) {
                              acked.add(e.get("id").asText());
                              count.incrementAndGet();
                            }
                          }
                        }
                      } catch (IOException | InterruptedException e) {
                        return; // the server died: that is the point
                      }
                    }
                  });
          th.start();
          clients.add(th);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (count.get() < killAfter && System.nanoTime() < deadline) {
          Thread.onSpinWait();
          Thread.sleep(1);
        }
        server.destroyForcibly();
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        stop.set(true);
        for (Thread th : clients) {
          th.join(10_000);
        }
        assertThat(count.get())
            .as("cycle %d load reached the kill point", cycle)
            .isGreaterThanOrEqualTo(killAfter);
      } finally {
        server.destroyForcibly();
      }
    }

    Process server = startServer(port);
    try {
      awaitReady(base, server);
      Set<String> stored = new HashSet<>();
      String cursor = null;
      while (true) {
        String q = cursor == null ? "?from=earliest&limit=1000" : "?limit=1000&cursor=" + cursor;
        JsonNode page =
            Json.MAPPER.readTree(
                http.send(
                        HttpRequest.newBuilder(base.resolve("/buses/default/events" + q)).build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body());
        if (page.get("events").isEmpty()) {
          break;
        }
        for (JsonNode e : page.get("events")) {
          stored.add(e.get("event").get("id").asText());
        }
        cursor = page.get("next").asText();
      }
      Set<String> missing = new HashSet<>(acked);
      missing.removeAll(stored);
      assertThat(missing).as("acknowledged but missing after %d kill -9 cycles", CYCLES).isEmpty();
      assertThat(acked.size()).isGreaterThan(CYCLES * 300);
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private Process startServer(int port) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-Xmx512m",
            "-jar",
            JAR.toString(),
            "run",
            "--port",
            Integer.toString(port),
            "--data",
            dir.resolve("data").toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("server.log").toFile())
        .start();
  }

  private void awaitReady(URI base, Process server) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      assertThat(server.isAlive()).as("server process alive").isTrue();
      try {
        if (http.send(
                    HttpRequest.newBuilder(base.resolve("/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new AssertionError("server did not become ready in 60 s");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}

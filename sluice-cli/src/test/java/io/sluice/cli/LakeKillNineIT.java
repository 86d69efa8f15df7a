package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.testkit.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once into a lake table across kill -9: the packaged server writes every event of a bus
 * into a lake table (1 s buffer, two bus partitions, Hive partitions) while a client sends batches;
 * the server is killed with SIGKILL at random moments, many times, and restarted. In the end every
 * acknowledged id is in the table exactly once: {@code count(*) == count(DISTINCT id)}.
 */
class LakeKillNineIT {

  static final int CYCLES = 6;

  @TempDir Path dir;
  PackagedServer packaged;
  HttpClient http;

  @org.junit.jupiter.api.BeforeEach
  void setUp() {
    packaged = new PackagedServer(dir, "512m");
    http = packaged.http;
  }

  @Test
  void everyAcknowledgedEventIsInTheTableExactlyOnce() throws Exception {
    Random random = new Random(5);
    int port = PackagedServer.freePort();
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        "server: {port: "
            + port
            + "}\nstorage: {dir: data}\nbuses: [{name: default, partitions: 2}]\n"
            + "rules:\n  - name: all\n    pattern: {source: [load]}\n    targets:\n"
            + "      - {id: lake, lake: {table: events, buffer: {interval: 1s},"
            + " partitionBy: ['half=${detail.half}']}}\n");
    URI base = URI.create("http://127.0.0.1:" + port);
    Set<String> acked = ConcurrentHashMap.newKeySet();
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      Process server = packaged.start("run", config.toString());
      boolean last = cycle == CYCLES - 1;
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
                        List<String> ids = new ArrayList<>();
                        StringBuilder body = new StringBuilder();
                        for (int i = 0; i < 10; i++) {
                          String id = "k" + c + "-" + seq++;
                          ids.add(id);
                          body.append("{\"id\":\"")
                              .append(id)
                              .append(
                                  "\",\"source\":\"load\",\"detail-type\":\"T\",\"detail\":{\"half\":")
                              .append(seq % 2)
                              .append(",\"n\":")
                              .append(seq)
                              .append("}}\n");
                        }
                        try {
                          HttpResponse<String> r =
                              http.send(
                                  HttpRequest.newBuilder(base.resolve("/buses/default/events"))
                                      .header("Content-Type", "application/x-ndjson")
                                      .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                      .build(),
                                  HttpResponse.BodyHandlers.ofString());
                          if (r.statusCode() == 200) {
                            JsonNode entries = Json.MAPPER.readTree(r.body()).get("entries");
                            for (int i = 0; i < entries.size(); i++) {
                              if (entries.get(i).has("id")) {
                                acked.add(ids.get(i));
                              }
                            }
                          }
                        } catch (IOException | InterruptedException e) {
                          return;
                        }
                      }
                    });
        if (!last) {
          // kill at a random moment relative to the 1 s flushes
          Thread.sleep(700 + random.nextInt(2300));
          server.destroyForcibly();
          assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
          stop.set(true);
          producer.join();
        } else {
          int goal = acked.size() + 500;
          Await.until(
              Duration.ofSeconds(60), () -> acked.size() >= goal, () -> acked.size() + " acked");
          stop.set(true);
          producer.join();
          Await.until(
              Duration.ofSeconds(90),
              () -> ids(base).containsAll(acked),
              () -> "in the table: " + ids(base).size() + " of " + acked.size() + " acked");
        }
      } finally {
        if (last) {
          server.destroy();
          server.waitFor(30, TimeUnit.SECONDS);
        } else {
          server.destroyForcibly();
        }
      }
    }
    Process server = packaged.start("run", config.toString());
    try {
      packaged.awaitReady(base, server);
      JsonNode counts =
          packaged
              .query(base, "SELECT count(*), count(DISTINCT id) FROM events")
              .get("rows")
              .get(0);
      assertThat(counts.get(0).asLong())
          .as("rows == distinct ids (no duplicate rows)")
          .isEqualTo(counts.get(1).asLong());
      assertThat(ids(base)).containsAll(acked);
      assertThat(acked.size()).isGreaterThan(1000);
      try (java.util.stream.Stream<Path> left = Files.list(packaged.tmp())) {
        assertThat(left.map(p -> p.getFileName().toString()))
            .as("DuckDB's library copies after %d kills", CYCLES - 1)
            .noneMatch(f -> f.startsWith("libduckdb_java"));
      }
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private Set<String> ids(URI base) {
    Set<String> s = new HashSet<>();
    try {
      packaged
          .query(base, "SELECT id FROM events")
          .get("rows")
          .forEach(r -> s.add(r.get(0).asText()));
    } catch (IOException | InterruptedException | AssertionError e) {
      // not up yet
    }
    return s;
  }
}

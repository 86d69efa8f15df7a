package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queries cannot freeze the server: heavy read-only queries run on the lake's own bounded pool,
 * admitted or refused with 429 and Retry-After, cancelled at their timeout, while ingest, health
 * and metrics answer. (Before, DuckDB's native calls ran on the request's virtual thread and pinned
 * its carrier: two such queries on a 2-core machine stopped every other request.)
 */
class QueryIsolationTest {

  @TempDir Path dir;

  static final String YAML =
      """
      buses: [{name: default}]
      lake: {queryTimeout: 4s, maxConcurrentQueries: 2, maxQueuedQueries: 2}
      """;

  static final String HEAVY =
      Json.MAPPER
          .createObjectNode()
          .put("sql", "SELECT count(*) FROM range(300000000000) WHERE hash(range) % 7 = 3")
          .toString();

  @Test
  void heavyQueriesAreAdmittedOrRefusedAndNeverHoldUpIngestHealthOrMetrics() throws Exception {
    try (ServerFixture s = ServerFixture.start(dir, YAML)) {
      AtomicLong firstAdmittedAnswer = new AtomicLong(Long.MAX_VALUE);
      List<CompletableFuture<ServerFixture.Response>> queries = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        queries.add(
            CompletableFuture.supplyAsync(
                () -> {
                  ServerFixture.Response r = s.post("/query", "application/json", HEAVY);
                  if (r.status() != 429) {
                    firstAdmittedAnswer.accumulateAndGet(System.nanoTime(), Math::min);
                  }
                  return r;
                },
                java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
      }
      // the pool (2) and its queue (2) fill up: the other four are refused at once
      io.sluice.testkit.Await.until(
          java.time.Duration.ofSeconds(10),
          () -> queries.stream().filter(q -> q.isDone() && q.join().status() == 429).count() == 4,
          () -> "refused so far: " + queries.stream().filter(CompletableFuture::isDone).count());
      // the four admitted ones run (or wait) for seconds; everything else answers meanwhile
      List<Long> answered = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        assertThat(s.get("/health/live").status()).isEqualTo(200);
        answered.add(System.nanoTime());
        assertThat(
                s.post(
                        "/buses/default/events",
                        "application/json",
                        "{\"source\":\"s\",\"detail-type\":\"t\",\"detail\":{\"i\":" + i + "}}")
                    .status())
            .isEqualTo(200);
        answered.add(System.nanoTime());
        assertThat(s.get("/metrics").status()).isEqualTo(200);
        answered.add(System.nanoTime());
        assertThat(s.get("/lake/tables").status()).isEqualTo(200);
        answered.add(System.nanoTime());
      }
      long lastOther = answered.get(answered.size() - 1);
      List<ServerFixture.Response> all = queries.stream().map(CompletableFuture::join).toList();
      assertThat(lastOther)
          .as("every other request was answered while all admitted queries still ran")
          .isLessThan(firstAdmittedAnswer.get());
      List<Integer> statuses = all.stream().map(ServerFixture.Response::status).sorted().toList();
      assertThat(statuses).containsExactly(408, 408, 408, 408, 429, 429, 429, 429);
      for (ServerFixture.Response r : all) {
        if (r.status() == 429) {
          assertThat(r.header("Retry-After")).isEqualTo("1");
          assertThat(r.json().get("code").asText()).isEqualTo("TooManyQueries");
          assertThat(r.json().get("message").asText())
              .isEqualTo(
                  "all 2 query slots (lake.maxConcurrentQueries) are taken and 2 queries wait"
                      + " (lake.maxQueuedQueries); retry shortly");
        } else {
          assertThat(r.json().get("code").asText()).isEqualTo("QueryTimeout");
        }
      }
      // the timed-out queries were cancelled for real: their slots are free again
      ServerFixture.Response quick =
          s.post(
              "/query",
              "application/json",
              Json.MAPPER.createObjectNode().put("sql", "SELECT 41 + 1").toString());
      assertThat(quick.status()).as(quick.body()).isEqualTo(200);
      assertThat(quick.json().get("rows").get(0).get(0).asInt()).isEqualTo(42);
    }
  }
}

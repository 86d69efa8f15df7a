package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testkit.Await;
import io.sluice.testkit.HttpReceiver;
import io.sluice.testkit.HttpReceiver.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeadLettersTest {

  @TempDir Path dir;

  @Test
  void deadLettersAreListedFilteredPagedRedrivenAndPurgedAcrossRestarts() {
    AtomicBoolean accept = new AtomicBoolean(false);
    try (HttpReceiver a = HttpReceiver.start(r -> accept.get() ? Reply.OK : Reply.status(422));
        HttpReceiver b = HttpReceiver.start(r -> Reply.status(404));
        EngineFixture f =
            new EngineFixture(
                dir,
                "rules:\n"
                    + "  - {name: ra, pattern: {detail-type: [A]}, targets: [{id: t, http: {url: \""
                    + a.url()
                    + "\"}}]}\n"
                    + "  - {name: rb, pattern: {detail-type: [B]}, targets: [{id: t, http: {url: \""
                    + b.url()
                    + "\"}}]}\n")) {
      List<String> as = new java.util.ArrayList<>();
      for (int i = 0; i < 5; i++) {
        as.add(f.send("default", "{\"source\":\"s\",\"detail-type\":\"A\"}"));
        f.send("default", "{\"source\":\"s\",\"detail-type\":\"B\"}");
      }
      Await.until(
          Duration.ofSeconds(20),
          () -> f.deadLetters().size() == 10,
          () -> f.deadLetters().size() + " dead letters");

      DeadLetters dl = f.engine.routing().deadLetters();
      assertThat(dl.count(new DeadLetters.Filter(null, "ra", null))).isEqualTo(5);
      DeadLetters.Page p1 = dl.list(DeadLetters.Filter.ALL, 0, 4);
      DeadLetters.Page p2 = dl.list(DeadLetters.Filter.ALL, p1.next(), 4);
      DeadLetters.Page p3 = dl.list(DeadLetters.Filter.ALL, p2.next(), 4);
      assertThat(p1.deadLetters()).hasSize(4);
      assertThat(p2.deadLetters()).hasSize(4);
      assertThat(p3.deadLetters()).hasSize(2);
      assertThat(p3.next()).isEqualTo(-1);
      assertThat(dl.list(new DeadLetters.Filter(null, "ra", null), 0, 10).deadLetters())
          .hasSize(5)
          .allSatisfy(
              d ->
                  assertThat(d.get("error").asText())
                      .isEqualTo(a.url() + " answered 422: {\"status\":422}"));
      assertThat(dl.list(new DeadLetters.Filter(null, "rb", "t"), 0, 10).deadLetters())
          .hasSize(5)
          .allSatisfy(d -> assertThat(d.get("rule").asText()).isEqualTo("rb"));

      f.restart();
      accept.set(true);
      assertThat(f.engine.routing().redrive(new DeadLetters.Filter("default", "ra", "t")))
          .isEqualTo(5);
      Await.until(
          Duration.ofSeconds(20),
          () -> a.deliveredIds().containsAll(as),
          () -> a.deliveredIds().toString());
      assertThat(f.engine.routing().deadLetters().count(DeadLetters.Filter.ALL)).isEqualTo(5);
      assertThat(f.engine.routing().deadLetters().purge(new DeadLetters.Filter(null, "rb", null)))
          .isEqualTo(5);

      f.restart();
      assertThat(f.engine.routing().deadLetters().count(DeadLetters.Filter.ALL)).isZero();
      assertThat(f.deadLetters()).isEmpty();
    }
  }

  @Test
  void pagingWhileDeadLettersAreWrittenConcurrentlySeesEachExactlyOnce() throws Exception {
    try (EngineFixture f =
        new EngineFixture(
            dir, "rules:\n  - {name: r, pattern: {source: [s]}, targets: [{id: t, log: {}}]}\n")) {
      DeadLetters dl = f.engine.routing().deadLetters();
      io.sluice.log.LogEntry stored =
          new io.sluice.log.LogEntry(
              0, 0, 0, null, "{\"source\":\"s\",\"detail-type\":\"t\"}".getBytes());
      int writers = 8;
      int each = 60;
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(writers);
      java.util.List<java.util.concurrent.Future<?>> work = new java.util.ArrayList<>();
      for (int w = 0; w < writers; w++) {
        work.add(
            pool.submit(
                () -> {
                  java.util.List<java.util.concurrent.CompletableFuture<Void>> pending =
                      new java.util.ArrayList<>();
                  for (int i = 0; i < each; i++) {
                    Delivery d =
                        Delivery.fresh("default", stored, new EventJson(stored.value()), null);
                    pending.add(dl.add(d, "r", "t", "boom"));
                  }
                  pending.forEach(java.util.concurrent.CompletableFuture::join);
                }));
      }
      // page all along, continuing after the last dead letter seen, until the writers are done
      java.util.Map<String, Integer> seen = new java.util.HashMap<>();
      long from = 0;
      boolean writing = true;
      while (true) {
        DeadLetters.Page page = dl.list(DeadLetters.Filter.ALL, from, 7);
        for (com.fasterxml.jackson.databind.JsonNode d : page.deadLetters()) {
          seen.merge(d.get("id").asText(), 1, Integer::sum);
        }
        from = page.resumeAt();
        if (page.next() < 0 && page.deadLetters().isEmpty() && !writing) {
          break;
        }
        writing = work.stream().anyMatch(x -> !x.isDone());
      }
      pool.shutdown();
      assertThat(seen).hasSize(writers * each);
      assertThat(seen.values()).allMatch(n -> n == 1);
    }
  }
}

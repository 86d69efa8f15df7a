package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.Event;
import io.sluice.core.Json;
import io.sluice.core.kinds.EventSink;
import io.sluice.log.AppendResult;
import io.sluice.testkit.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bus with {@code deduplicate}: an id it stored within the window is not stored again. */
class DeduplicateTest {

  @TempDir Path dir;

  static final String YAML =
      "buses:\n" + "  - {name: alerts, partitions: 3, deduplicate: 1h}\n" + "  - {name: plain}\n";

  static String event(String id) {
    return "{\"id\":\"" + id + "\",\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{}}";
  }

  static String keyed(String id, String key) {
    return "{\"id\":\""
        + id
        + "\",\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{},\"partitionkey\":\""
        + key
        + "\"}";
  }

  static List<Ingest.Outcome> store(EngineFixture f, String bus, String... events) {
    return storing(f, bus, events).join();
  }

  /** Stores without waiting: the ids are claimed when this returns, the append may be pending. */
  static CompletableFuture<List<Ingest.Outcome>> storing(
      EngineFixture f, String bus, String... events) {
    List<Ingest.Entry> entries = new ArrayList<>();
    for (String e : events) {
      entries.add(f.engine.ingest().prepare(tree(e), ""));
    }
    return f.engine.ingest().store(bus, entries);
  }

  static Ingest.Stored stored(Ingest.Outcome o) {
    assertThat(o).isInstanceOf(Ingest.Stored.class);
    return (Ingest.Stored) o;
  }

  /** The ids on a bus in the order it holds them (partition by partition). */
  static List<String> idsOn(EngineFixture f, String bus) {
    ReadPage page = f.engine.buses().read(bus, f.engine.buses().position(bus, "earliest"), 1000);
    List<String> ids = new ArrayList<>();
    for (StoredEvent e : page.events()) {
      try {
        ids.add(Json.MAPPER.readTree(e.json()).get("id").asText());
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    return ids;
  }

  static double duplicates(EngineFixture f, String bus) {
    return f.meters.get("sluice.bus.duplicates").tag("bus", bus).counter().count();
  }

  @Test
  void aStoredIdIsAnsweredWithWhereItWasStoredAndNotStoredAgain() {
    try (EngineFixture f = new EngineFixture(dir, YAML, MutableClock.atDefaultStart())) {
      Ingest.Stored first = stored(store(f, "alerts", keyed("a", "k1")).get(0));
      Ingest.Stored again = stored(store(f, "alerts", keyed("a", "k2")).get(0));
      Ingest.Stored other = stored(store(f, "alerts", keyed("b", "k1")).get(0));

      assertThat(again).isEqualTo(first);
      assertThat(again.id()).isEqualTo("a");
      assertThat(other.id()).isEqualTo("b");
      assertThat(idsOn(f, "alerts")).containsExactlyInAnyOrder("a", "b");
      assertThat(f.engine.buses().info("alerts").records()).isEqualTo(2);
      assertThat(duplicates(f, "alerts")).isEqualTo(1);
    }
  }

  @Test
  void aBusWithoutDeduplicateStoresTheSameIdEveryTime() {
    try (EngineFixture f = new EngineFixture(dir, YAML, MutableClock.atDefaultStart())) {
      Ingest.Stored first = stored(store(f, "plain", event("a")).get(0));
      Ingest.Stored second = stored(store(f, "plain", event("a")).get(0));

      assertThat(second.offset()).isEqualTo(first.offset() + 1);
      assertThat(idsOn(f, "plain")).containsExactly("a", "a");
      assertThat(f.meters.find("sluice.bus.duplicates").tag("bus", "plain").counter()).isNull();
    }
  }

  @Test
  void anIdIsStoredAgainOnceTheWindowSinceItsAppendHasPassed() {
    MutableClock clock = MutableClock.atDefaultStart();
    try (EngineFixture f = new EngineFixture(dir, YAML, clock)) {
      Ingest.Stored first = stored(store(f, "alerts", keyed("a", "k")).get(0));
      clock.advance(Duration.ofMinutes(59).plusSeconds(59).plusMillis(999));
      assertThat(stored(store(f, "alerts", keyed("a", "k")).get(0))).isEqualTo(first);

      clock.advance(Duration.ofMillis(1)); // exactly 1h after the append: outside the window
      Ingest.Stored later = stored(store(f, "alerts", keyed("a", "k")).get(0));

      assertThat(later.partition()).isEqualTo(first.partition());
      assertThat(later.offset()).isEqualTo(first.offset() + 1);
      assertThat(idsOn(f, "alerts")).containsExactly("a", "a");
      // the window now runs from the second append
      clock.advance(Duration.ofMinutes(30));
      assertThat(stored(store(f, "alerts", keyed("a", "k")).get(0))).isEqualTo(later);
      assertThat(duplicates(f, "alerts")).isEqualTo(2);
    }
  }

  @Test
  void theSameIdTwiceInOneRequestIsStoredOnceAndBothEntriesGetItsPlace() {
    try (EngineFixture f = new EngineFixture(dir, YAML, MutableClock.atDefaultStart())) {
      List<Ingest.Outcome> out =
          store(f, "alerts", event("a"), event("b"), event("a"), "{\"id\":\"c\"}");

      assertThat(out).hasSize(4);
      Ingest.Stored a = stored(out.get(0));
      assertThat(stored(out.get(2))).isEqualTo(a);
      assertThat(stored(out.get(1)).id()).isEqualTo("b");
      assertThat(out.get(3)).isInstanceOf(Ingest.Failed.class); // invalid entries stay invalid
      assertThat(idsOn(f, "alerts")).containsExactly("a", "b");
      assertThat(duplicates(f, "alerts")).isEqualTo(1);
    }
  }

  @Test
  void concurrentIngestsOfTheSameIdsStoreEachOnceAndAgreeOnWhere() throws Exception {
    int threads = 8;
    int ids = 40;
    try (EngineFixture f = new EngineFixture(dir, YAML, MutableClock.atDefaultStart());
        ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<Ingest.Outcome>>> runs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        runs.add(
            pool.submit(
                () -> {
                  go.await();
                  List<Ingest.Outcome> all = new ArrayList<>();
                  for (int i = 0; i < ids; i++) {
                    // every thread sends every id, alone or in pairs, with keys that differ
                    int n = (i + thread) % ids;
                    if (n % 2 == 0) {
                      all.addAll(store(f, "alerts", keyed("id-" + n, "t" + thread)));
                    } else {
                      all.addAll(
                          store(f, "alerts", event("id-" + n), keyed("id-" + n, "x" + thread)));
                    }
                  }
                  return all;
                }));
      }
      go.countDown();
      Map<String, Ingest.Stored> where = new HashMap<>();
      int outcomes = 0;
      for (Future<List<Ingest.Outcome>> r : runs) {
        for (Ingest.Outcome o : r.get()) {
          Ingest.Stored s = stored(o);
          outcomes++;
          Ingest.Stored before = where.putIfAbsent(s.id(), s);
          if (before != null) {
            assertThat(s).isEqualTo(before);
          }
        }
      }

      List<String> onBus = idsOn(f, "alerts");
      assertThat(onBus).hasSize(ids).doesNotHaveDuplicates();
      assertThat(where).hasSize(ids);
      assertThat(duplicates(f, "alerts")).isEqualTo(outcomes - ids);
    }
  }

  @Test
  void aFailedAppendLeavesTheIdFreeSoTheRetryStoresIt() {
    GatedLog[] gate = new GatedLog[1];
    try (EngineFixture f =
        new EngineFixture(
            dir,
            YAML,
            MutableClock.atDefaultStart(),
            log -> gate[0] = new GatedLog(log, "alerts"))) {
      gate[0].failNext(1);
      List<Ingest.Outcome> refused = store(f, "alerts", event("a"), event("a"));
      assertThat(refused)
          .allSatisfy(
              o -> {
                assertThat(o).isInstanceOf(Ingest.Failed.class);
                Ingest.Failed failed = (Ingest.Failed) o;
                assertThat(failed.code()).isEqualTo(Ingest.UNAVAILABLE);
                assertThat(failed.retryable()).isTrue();
                assertThat(failed.message())
                    .isEqualTo("log alerts partition 0 is over its limit; retry shortly");
              });
      assertThat(idsOn(f, "alerts")).isEmpty();

      Ingest.Stored retried = stored(store(f, "alerts", event("a")).get(0));
      assertThat(retried.id()).isEqualTo("a");
      assertThat(idsOn(f, "alerts")).containsExactly("a");
      assertThat(duplicates(f, "alerts")).isZero();
    }
  }

  @Test
  void aDuplicateOfAnAppendInFlightGetsThatAppendsOutcome() {
    GatedLog[] gate = new GatedLog[1];
    try (EngineFixture f =
        new EngineFixture(
            dir,
            YAML,
            MutableClock.atDefaultStart(),
            log -> gate[0] = new GatedLog(log, "alerts"))) {
      // the first append fails while a second request with the same id waits for it
      gate[0].holdNext(1);
      CompletableFuture<List<Ingest.Outcome>> first = storing(f, "alerts", event("a"));
      assertThat(gate[0].heldCount()).isEqualTo(1);
      CompletableFuture<List<Ingest.Outcome>> second = storing(f, "alerts", event("a"));
      assertThat(gate[0].heldCount()).isEqualTo(1); // the duplicate waits without an append
      assertThat(second).isNotDone();
      gate[0].release(true);
      assertThat(first.join().get(0)).isInstanceOf(Ingest.Failed.class);
      assertThat(second.join().get(0))
          .isInstanceOfSatisfying(Ingest.Failed.class, x -> assertThat(x.retryable()).isTrue());
      assertThat(idsOn(f, "alerts")).isEmpty();

      // and one that succeeds answers its waiting duplicate with its place
      gate[0].holdNext(1);
      CompletableFuture<List<Ingest.Outcome>> third = storing(f, "alerts", event("a"));
      List<Ingest.Outcome> fourth = store(f, "alerts", event("b"));
      CompletableFuture<List<Ingest.Outcome>> fifth = storing(f, "alerts", event("a"), event("a"));
      assertThat(fifth).isNotDone();
      assertThat(stored(fourth.get(0)).id()).isEqualTo("b");
      gate[0].release(false);
      Ingest.Stored a = stored(third.join().get(0));
      assertThat(fifth.join()).containsExactly(a, a);
      assertThat(idsOn(f, "alerts")).containsExactlyInAnyOrder("a", "b");
      assertThat(duplicates(f, "alerts")).isEqualTo(2);
    }
  }

  @Test
  void theIdsOfTheWindowAreFoundAgainWhenTheEngineOpensTheLogAgain() {
    MutableClock clock = MutableClock.atDefaultStart();
    try (EngineFixture f = new EngineFixture(dir, YAML, clock)) {
      Ingest.Stored old = stored(store(f, "alerts", keyed("old", "k1")).get(0));
      clock.advance(Duration.ofMinutes(40));
      List<Ingest.Stored> recent = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        recent.add(stored(store(f, "alerts", keyed("r" + i, "k" + i)).get(0)));
      }
      assertThat(recent).extracting(Ingest.Stored::partition).contains(0, 1, 2);

      clock.advance(Duration.ofMinutes(30)); // "old" was stored 70 minutes ago, the others 30
      f.restart();

      for (Ingest.Stored r : recent) {
        assertThat(stored(store(f, "alerts", keyed(r.id(), "elsewhere")).get(0))).isEqualTo(r);
      }
      Ingest.Stored oldAgain = stored(store(f, "alerts", keyed("old", "k1")).get(0));
      assertThat(oldAgain.offset()).isGreaterThan(old.offset());
      assertThat(duplicates(f, "alerts")).isEqualTo(30);
      assertThat(f.engine.buses().info("alerts").records()).isEqualTo(32);

      clock.advance(Duration.ofMinutes(31)); // the 30 are now 61 minutes old
      f.restart();
      Ingest.Stored r0 = stored(store(f, "alerts", keyed("r0", "k0")).get(0));
      assertThat(r0.offset()).isGreaterThan(recent.get(0).offset());
      assertThat(stored(store(f, "alerts", keyed("old", "k1")).get(0))).isEqualTo(oldAgain);
    }
  }

  @Test
  void everyWayOntoABusIsDeduplicated() {
    try (EngineFixture f = new EngineFixture(dir, YAML, MutableClock.atDefaultStart())) {
      Ingest.Stored a = stored(store(f, "alerts", event("a")).get(0));
      // what targets, schedules, alarms and reports put through the engine's EventSink
      List<EventSink.Result> put =
          f.engine.ingest().put("alerts", List.of(tree(event("a")), tree(event("b")))).join();
      assertThat(put).containsExactly(EventSink.Result.STORED, EventSink.Result.STORED);
      // and Buses.append, which Ingest stores through
      Event b = f.engine.buses().codec().fromTree(tree(event("b")), "", new ArrayList<>());
      Event withTime = b.withDefaults(null, Instant.parse("2026-11-23T10:00:00Z"));
      List<AppendResult> appended = f.engine.buses().append("alerts", List.of(withTime)).join();

      assertThat(idsOn(f, "alerts")).containsExactlyInAnyOrder("a", "b");
      StoredEvent storedB =
          f
              .engine
              .buses()
              .read("alerts", f.engine.buses().position("alerts", "earliest"), 10)
              .events()
              .stream()
              .filter(
                  e ->
                      tree(new String(e.json(), StandardCharsets.UTF_8))
                          .get("id")
                          .asText()
                          .equals("b"))
              .findFirst()
              .orElseThrow();
      assertThat(appended.get(0).isOk()).isTrue();
      assertThat(List.of(appended.get(0).partition(), appended.get(0).offset()))
          .containsExactly(storedB.partition(), storedB.offset());
      assertThat(a.id()).isEqualTo("a");
      assertThat(duplicates(f, "alerts")).isEqualTo(2);
    }
  }

  @Test
  void pastItsBoundAWindowForgetsItsOldestIdsAndCountsThem() {
    MutableClock clock = MutableClock.atDefaultStart();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    DedupWindow w = new DedupWindow("alerts", Duration.ofHours(1), 3, clock, meters);
    for (int i = 0; i < 5; i++) {
      w.remember("id-" + i, 0, i, clock.millis());
    }

    assertThat(w.size()).isEqualTo(3);
    assertThat(meters.get("sluice.bus.dedup.evictions").tag("bus", "alerts").counter().count())
        .isEqualTo(2);
    assertThat(meters.get("sluice.bus.dedup.ids").tag("bus", "alerts").gauge().value())
        .isEqualTo(3);
    assertThat(w.held("id-0")).isNull();
    assertThat(w.held("id-1")).isNull();
    assertThat(w.held("id-4")).isEqualTo(new DedupWindow.Held(0, 4, clock.millis()));

    clock.advance(Duration.ofHours(1));
    assertThat(w.held("id-4")).isNull(); // expired, however many there are
  }

  static JsonNode tree(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

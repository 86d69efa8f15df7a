package io.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.kinds.Kinds;
import io.sluice.engine.Engine;
import io.sluice.engine.Ingest;
import io.sluice.engine.targets.EngineTargets;
import io.sluice.log.EmbeddedEventLog;
import io.sluice.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rules writing lake tables through a real engine, event log and DuckDB. */
class LakeTargetTest {

  @TempDir Path dir;
  SimpleMeterRegistry meters = new SimpleMeterRegistry();
  Lake lake;
  Engine engine;

  static final String YAML =
      """
      buses: [{name: sports, partitions: 2}]
      rules:
        - name: goals
          bus: sports
          pattern: {detail-type: [goal]}
          targets:
            - id: lake
              lake: {table: cat1, buffer: {interval: 1s}, partitionBy: ["dt=${time:yyyy-MM-dd}", "team=${detail.team}"]}
        - name: cards
          bus: sports
          pattern: {detail-type: [card]}
          targets:
            - {id: lake, lake: {table: cat2, buffer: {interval: 1s}}}
        - name: shaped
          bus: sports
          pattern: {detail-type: [card]}
          targets:
            - id: lake
              jq: 'if .detail.minute > 80 then "late" else {minute: .detail.minute, player: .detail.player} end'
              lake: {table: shaped, buffer: {interval: 1s}}
      """;

  void start() {
    SluiceConfig c =
        ConfigLoader.parse(YAML, "test.yaml", dir, LakeTargetConfigTest.KINDS)
            .withDataDir(dir.resolve("data"));
    Clock clock = Clock.systemUTC();
    lake =
        Lake.open(
            dir.resolve("data/lake"),
            clock,
            meters,
            LakeSettings.DEFAULTS.withCompactionInterval(Duration.ZERO));
    engine =
        Engine.start(
            c,
            EmbeddedEventLog.open(dir.resolve("data/log"), clock),
            clock,
            meters,
            Kinds.of(EngineTargets.kinds(), LakeTargets.kinds(lake)));
  }

  void stop() {
    engine.close();
    lake.close();
  }

  @AfterEach
  void tearDown() {
    if (engine != null) {
      stop();
    }
  }

  List<String> send(List<String> events) throws Exception {
    List<Ingest.Entry> entries = new ArrayList<>();
    for (String e : events) {
      entries.add(engine.ingest().prepare(Json.MAPPER.readTree(e), ""));
    }
    List<String> ids = new ArrayList<>();
    for (Ingest.Outcome o : engine.ingest().store("sports", entries).join()) {
      ids.add(((Ingest.Stored) o).id());
    }
    return ids;
  }

  static String event(String type, int i) {
    return "{\"source\":\"match\",\"detail-type\":\""
        + type
        + "\",\"time\":\"2026-11-30T18:00:00Z\",\"detail\":{\"team\":\""
        + (i % 2 == 0 ? "red" : "blue/green")
        + "\",\"minute\":"
        + (i % 90)
        + ",\"player\":\"p"
        + i
        + "\"}}";
  }

  long count(String sql) throws Exception {
    Rows r = new Rows();
    lake.query(sql, r);
    return ((Number) r.single()).longValue();
  }

  long countQuietly(String sql) {
    try {
      return count(sql);
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  void rulesFillTablesByTypeAndSqlAnswers() throws Exception {
    start();
    List<String> events = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      events.add(event(i % 3 == 0 ? "card" : "goal", i));
    }
    List<String> ids = send(events);
    Await.until(
        Duration.ofSeconds(30),
        () ->
            countQuietly("SELECT count(*) FROM cat1") == 200
                && countQuietly("SELECT count(*) FROM cat2") == 100,
        () -> "cat1 " + countQuietly("SELECT count(*) FROM cat1"));
    assertThat(count("SELECT count(DISTINCT id) FROM cat1")).isEqualTo(200);
    assertThat(count("SELECT count(*) FROM cat1 WHERE team = 'blue/green'")).isEqualTo(100);
    assertThat(count("SELECT count(*) FROM cat1 WHERE detail_team = team")).isEqualTo(200);
    assertThat(count("SELECT count(*) FROM cat2 WHERE minute >= 0 AND player LIKE 'p%'"))
        .isEqualTo(100);
    Rows all = new Rows();
    lake.query("SELECT id FROM cat1 UNION ALL SELECT id FROM cat2", all);
    assertThat(all.column(0)).containsExactlyInAnyOrderElementsOf(ids);
    TableInfo cat1 = lake.table("cat1");
    assertThat(cat1.partitionKeys()).containsExactly("dt", "team");
    assertThat(cat1.partitions())
        .extracting(TableInfo.Partition::values)
        .containsExactlyInAnyOrder(
            Map.of("dt", "2026-11-30", "team", "red"),
            Map.of("dt", "2026-11-30", "team", "blue%2Fgreen"));
    // the jq transform shapes rows; a non-object result goes to the error location with why
    Await.until(
        Duration.ofSeconds(30),
        () -> lake.table("shaped") != null && lake.table("shaped").errorRows() > 0,
        () -> "no error rows yet");
    long late = events.stream().filter(e -> e.contains("\"card\"")).count();
    assertThat(count("SELECT count(*) FROM shaped") + lake.table("shaped").errorRows())
        .isEqualTo(late);
    List<String> errors = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir.resolve("data/lake/_errors/shaped"))) {
      for (Path p : s.toList()) {
        errors.addAll(Files.readAllLines(p));
      }
    }
    assertThat(errors).hasSize((int) lake.table("shaped").errorRows());
    assertThat(Json.MAPPER.readTree(errors.get(0)).get("error").asText())
        .isEqualTo("the transform produced string \"late\", not a JSON object");
    assertThat(count("SELECT count(*) FROM shaped WHERE minute > 80")).isZero();
  }

  @Test
  void redeliveryAfterACrashIsNotWrittenTwice() throws Exception {
    start();
    List<String> events = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      events.add(event("goal", i));
    }
    send(events);
    Await.until(
        Duration.ofSeconds(30),
        () -> countQuietly("SELECT count(*) FROM cat1") == 120,
        () -> "cat1 " + countQuietly("SELECT count(*) FROM cat1"));
    stop();
    // as if the server died after the lake commit but before the target's cursor was saved
    try (var log = EmbeddedEventLog.open(dir.resolve("data/log"), Clock.systemUTC())) {
      log.commitCursor("sports", "target:goals:lake", Map.of(0, 0L, 1, 0L));
    }
    start();
    send(List.of(event("goal", 1000)));
    Await.until(
        Duration.ofSeconds(30),
        () -> countQuietly("SELECT count(*) FROM cat1") == 121,
        () -> "cat1 " + countQuietly("SELECT count(*) FROM cat1"));
    Thread.sleep(1500); // a second flush interval: nothing more may arrive
    assertThat(count("SELECT count(*) FROM cat1")).isEqualTo(121);
    assertThat(count("SELECT count(DISTINCT id) FROM cat1")).isEqualTo(121);
    assertThat(meters.counter("sluice.lake.redelivered.skipped", "table", "cat1").count())
        .isEqualTo(120);
  }

  @Test
  void aFailingCommitIsRetriedUntilItSucceedsAndNothingIsLostOrDoubled() throws Exception {
    start();
    // a file where the partition directory must go: every commit fails until it is removed
    Path blocker = dir.resolve("data/lake/cat1/dt=2026-11-30");
    Files.createDirectories(blocker.getParent());
    Files.writeString(blocker, "in the way");
    List<String> events = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      events.add(event("goal", i));
    }
    List<String> ids = send(events);
    Await.until(
        Duration.ofSeconds(30),
        () -> meters.counter("sluice.lake.commit.failures", "table", "cat1").count() >= 2,
        () -> "no failed commits yet");
    assertThat(count("SELECT count(*) FROM cat1")).isZero();
    Files.delete(blocker);
    Await.until(
        Duration.ofSeconds(60),
        () -> countQuietly("SELECT count(*) FROM cat1") == 50,
        () -> "cat1 " + countQuietly("SELECT count(*) FROM cat1"));
    Rows r = new Rows();
    lake.query("SELECT id FROM cat1", r);
    assertThat(r.column(0)).containsExactlyInAnyOrderElementsOf(ids);
  }
}

package io.sluice.engine.schedules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.kinds.Kinds;
import io.sluice.engine.BusCursor;
import io.sluice.engine.Engine;
import io.sluice.engine.Health;
import io.sluice.engine.StoredEvent;
import io.sluice.log.EmbeddedEventLog;
import io.sluice.testkit.Await;
import io.sluice.testkit.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SchedulerTest {

  @TempDir Path dir;
  MutableClock clock;
  SimpleMeterRegistry meters = new SimpleMeterRegistry();
  Health health;
  Engine engine;
  SluiceConfig config;
  Scheduler scheduler;

  void start(String yaml, Instant now) {
    clock = new MutableClock(now);
    health = new Health(clock, meters);
    config =
        ConfigLoader.parse(yaml, "test.yaml", dir, Kinds.of()).withDataDir(dir.resolve("data"));
    engine =
        Engine.start(
            config,
            EmbeddedEventLog.open(dir.resolve("data/log"), clock),
            clock,
            meters,
            Kinds.of(),
            health);
    open();
  }

  void open() {
    scheduler =
        Scheduler.open(
            config.schedules(),
            dir.resolve("data/schedules"),
            engine.ingest(),
            clock,
            meters,
            health);
  }

  /** The config of the next {@link #open}, as an edit before a restart; the engine stays. */
  void reconfigure(String yaml) {
    config =
        ConfigLoader.parse(yaml, "test.yaml", dir, Kinds.of()).withDataDir(dir.resolve("data"));
  }

  /** Closes the scheduler, as a stop of the server does; the engine stays. */
  void stop() {
    scheduler.close();
  }

  @AfterEach
  void close() {
    if (scheduler != null) {
      scheduler.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  List<JsonNode> events() {
    List<JsonNode> out = new ArrayList<>();
    for (StoredEvent e : stored()) {
      try {
        out.add(Json.MAPPER.readTree(e.json()));
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    return out;
  }

  List<StoredEvent> stored() {
    return engine.buses().read("default", new BusCursor(Map.of()), 1000).events();
  }

  List<String> times() {
    return events().stream().map(e -> e.path("time").asText()).toList();
  }

  /** Runs the loop as the thread does, jumping the clock to each wake-up, until {@code end}. */
  void runUntil(Instant end) {
    scheduler.catchUp();
    for (int i = 0; i < 10_000; i++) {
      Instant wake = scheduler.runDue();
      if (wake == null || wake.isAfter(end)) {
        clock.set(end);
        scheduler.runDue();
        return;
      }
      assertThat(wake).isAfter(clock.instant());
      clock.set(wake);
    }
    throw new AssertionError("runaway schedule");
  }

  @Test
  void cronInBerlinFiresAtTheGapsEndInSpringAndOnceInTheAutumnOverlap() {
    start(
        """
        schedules: [{name: night, cron: "30 2 * * *", timezone: Europe/Berlin}]
        """,
        Instant.parse("2026-03-27T12:00:00Z"));
    runUntil(Instant.parse("2026-03-31T00:00:00Z"));
    assertThat(times())
        .containsExactly(
            "2026-03-28T01:30:00Z", // 02:30 CET
            "2026-03-29T01:00:00Z", // 02:30 does not exist: 03:00 CEST, the gap's end
            "2026-03-30T00:30:00Z"); // 02:30 CEST
    stop();
    // the autumn: jump ahead with the scheduler stopped, catch-up none would skip; latest fires the
    // last missed slot, so start the autumn part from a quiet state instead
    clock.set(Instant.parse("2026-10-24T12:00:00Z"));
    Path state = dir.resolve("data/schedules/state.json");
    try {
      Files.delete(state);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    open();
    runUntil(Instant.parse("2026-10-27T00:00:00Z"));
    assertThat(times())
        .endsWith(
            "2026-10-25T00:30:00Z", // 02:30 CEST, once: 02:30 CET an hour later does not fire
            "2026-10-26T01:30:00Z"); // 02:30 CET
    assertThat(times()).hasSize(5);
  }

  @Test
  void everySlotIsOneEventOfTheDocumentedShapeWithItsDeterministicId() {
    start(
        """
        buses: [{name: default}]
        schedules:
          - {name: tick, rate: 15m, detail: {report: daily, n: 1}}
        """,
        Instant.parse("2026-11-23T10:07:12Z"));
    runUntil(Instant.parse("2026-11-23T10:40:00Z"));
    List<JsonNode> events = events();
    assertThat(times()).containsExactly("2026-11-23T10:15:00Z", "2026-11-23T10:30:00Z");
    JsonNode e = events.get(0);
    assertThat(e.path("id").asText())
        .isEqualTo(Scheduler.eventId("tick", Instant.parse("2026-11-23T10:15:00Z")))
        .isEqualTo(
            java.util
                .UUID
                .nameUUIDFromBytes(
                    ("schedule:tick:" + Instant.parse("2026-11-23T10:15:00Z").toEpochMilli())
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString());
    assertThat(e.path("source").asText()).isEqualTo("sluice.scheduler");
    assertThat(e.path("detail-type").asText()).isEqualTo("Scheduled Event");
    assertThat(e.path("resources").toString()).isEqualTo("[\"sluice:schedules:::tick\"]");
    assertThat(e.path("detail").toString())
        .isEqualTo(
            "{\"schedule\":\"tick\",\"scheduledTime\":\"2026-11-23T10:15:00Z\",\"report\":\"daily\","
                + "\"n\":1}");
    assertThat(meters.get("sluice.schedule.fired").tag("schedule", "tick").counter().count())
        .isEqualTo(2.0);
    assertThat(meters.get("sluice.schedule.late").tag("schedule", "tick").timer().count())
        .isEqualTo(2);
    Scheduler.Info info = scheduler.list().get(0);
    assertThat(info.lastSlot()).isEqualTo(Instant.parse("2026-11-23T10:30:00Z"));
    assertThat(info.nextSlot()).isEqualTo(Instant.parse("2026-11-23T10:45:00Z"));
    assertThat(info.fired()).isEqualTo(2);
    assertThat(info.state()).isEqualTo("ENABLED");
  }

  @Test
  void aFireRepeatedAfterACrashBeforeTheStateWasSavedIsTheSameEvent() throws IOException {
    start("schedules: [{name: tick, rate: 1m}]\n", Instant.parse("2026-11-23T10:00:30Z"));
    scheduler.catchUp();
    Path state = dir.resolve("data/schedules/state.json");
    Path before = dir.resolve("state-before.json");
    Files.copy(state, before);
    clock.set(Instant.parse("2026-11-23T10:01:00Z"));
    scheduler.runDue();
    stop();
    // the crash: the event was stored, the state that says so was not
    Files.copy(before, state, StandardCopyOption.REPLACE_EXISTING);
    clock.set(Instant.parse("2026-11-23T10:01:20Z"));
    open();
    scheduler.catchUp();
    List<JsonNode> events = events();
    assertThat(events).hasSize(2);
    assertThat(events.get(1).path("id").asText()).isEqualTo(events.get(0).path("id").asText());
    assertThat(times()).containsExactly("2026-11-23T10:01:00Z", "2026-11-23T10:01:00Z");
  }

  @ParameterizedTest
  @CsvSource({
    "none, 100, '', 10",
    "latest, 100, '10:11', 9",
    "all, 4, '10:08 10:09 10:10 10:11', 6",
    "all, 100, '10:02 10:03 10:04 10:05 10:06 10:07 10:08 10:09 10:10 10:11', 0",
  })
  void catchUpAfterDowntimeFiresWhatThePolicySaysAndCountsTheRestMissed(
      String policy, int max, String fired, long missed) {
    start(
        "schedules: [{name: tick, rate: 1m, catchUp: " + policy + ", maxCatchUp: " + max + "}]\n",
        Instant.parse("2026-11-23T10:00:30Z"));
    runUntil(Instant.parse("2026-11-23T10:01:30Z"));
    assertThat(times()).containsExactly("2026-11-23T10:01:00Z");
    stop();
    clock.set(Instant.parse("2026-11-23T10:11:30Z")); // down over 10:02 … 10:11
    open();
    scheduler.catchUp();
    List<String> expected = new ArrayList<>(List.of("2026-11-23T10:01:00Z"));
    for (String hm : fired.split(" ")) {
      if (!hm.isEmpty()) {
        expected.add("2026-11-23T" + hm + ":00Z");
      }
    }
    assertThat(times()).containsExactlyElementsOf(expected);
    Scheduler.Info info = scheduler.list().get(0);
    assertThat(info.missed()).isEqualTo(missed);
    assertThat(info.fired()).isEqualTo(expected.size());
    assertThat(info.nextSlot()).isEqualTo(Instant.parse("2026-11-23T10:12:00Z"));
    if (missed > 0) {
      assertThat(meters.get("sluice.schedule.missed").tag("schedule", "tick").counter().count())
          .isEqualTo(missed);
    }
    // and it goes on as before
    runUntil(Instant.parse("2026-11-23T10:12:30Z"));
    assertThat(times()).hasSize(expected.size() + 1).last().isEqualTo("2026-11-23T10:12:00Z");
  }

  @Test
  void cronCatchUpLatestFiresTheMostRecentMissedSlot() {
    start(
        "schedules: [{name: daily, cron: \"0 7 * * *\", timezone: Europe/Berlin}]\n",
        Instant.parse("2026-11-20T12:00:00Z"));
    scheduler.catchUp();
    stop();
    clock.set(Instant.parse("2026-11-23T12:00:00Z"));
    open();
    scheduler.catchUp();
    assertThat(times()).containsExactly("2026-11-23T06:00:00Z");
    assertThat(scheduler.list().get(0).missed()).isEqualTo(2);
  }

  @Test
  void atFiresOnceAndThenTheScheduleIsCompleted() {
    start(
        "schedules: [{name: xmas, at: \"2026-12-24T18:00:00\", timezone: Europe/Berlin}]\n",
        Instant.parse("2026-12-24T16:00:00Z"));
    runUntil(Instant.parse("2026-12-26T00:00:00Z"));
    assertThat(times()).containsExactly("2026-12-24T17:00:00Z");
    assertThat(scheduler.list().get(0).state()).isEqualTo("COMPLETED");
    assertThat(scheduler.list().get(0).nextSlot()).isNull();
  }

  @Test
  void anAtThatPassedBeforeTheFirstStartFiresOnceWithCatchUpLatest() {
    start(
        "schedules: [{name: once, at: \"2026-12-24T18:00:00\"}]\n",
        Instant.parse("2026-12-25T00:00:00Z"));
    scheduler.catchUp();
    assertThat(times()).containsExactly("2026-12-24T18:00:00Z");
    stop();
    open();
    scheduler.catchUp();
    scheduler.runDue();
    assertThat(times()).hasSize(1);
  }

  @Test
  void flexibleWindowFiresWithinSlotToSlotPlusWindowAndKeepsTheSlotAsTime() {
    start(
        "schedules: [{name: spread, rate: 1m, flexibleWindow: 30s}]\n",
        Instant.parse("2026-11-23T10:00:00Z"));
    runUntil(Instant.parse("2026-11-23T10:29:59Z"));
    List<StoredEvent> stored = stored();
    List<JsonNode> events = events();
    assertThat(events).hasSize(29);
    List<Long> offsets = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      Instant slot = Instant.parse("2026-11-23T10:01:00Z").plusSeconds(60L * i);
      assertThat(events.get(i).path("time").asText()).isEqualTo(slot.toString());
      assertThat(events.get(i).path("detail").path("scheduledTime").asText())
          .isEqualTo(slot.toString());
      long offset = stored.get(i).ingestionTimeMs() - slot.toEpochMilli();
      assertThat(offset).isBetween(0L, 29_999L);
      offsets.add(offset);
    }
    assertThat(offsets.stream().distinct().count()).isGreaterThan(10); // spread, not one offset
  }

  @Test
  void aManualFireHasItsOwnIdAndConsumesNoSlot() {
    start("schedules: [{name: tick, rate: 1h}]\n", Instant.parse("2026-11-23T10:20:00Z"));
    scheduler.catchUp();
    Scheduler.Fired f = scheduler.fire("tick");
    JsonNode e = events().get(0);
    assertThat(e.path("id").asText()).isEqualTo(f.id());
    assertThat(f.id())
        .isNotEqualTo(Scheduler.eventId("tick", Instant.parse("2026-11-23T10:20:00Z")));
    assertThat(e.path("detail").path("schedule").asText()).isEqualTo("tick");
    assertThat(e.path("detail").path("scheduledTime").asText()).isEqualTo("2026-11-23T10:20:00Z");
    assertThat(scheduler.list().get(0).fired()).isZero();
    runUntil(Instant.parse("2026-11-23T11:00:00Z"));
    assertThat(times()).containsExactly("2026-11-23T10:20:00Z", "2026-11-23T11:00:00Z");
    assertThatThrownBy(() -> scheduler.fire("nope"))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            x -> assertThat(x.code()).isEqualTo(InvalidInputException.NOT_FOUND))
        .hasMessageContaining("no schedule named \"nope\" (schedules: tick)");
  }

  @Test
  void aDisabledScheduleDoesNotFire() {
    start(
        "schedules: [{name: paused, rate: 1m, enabled: false}]\n",
        Instant.parse("2026-11-23T10:00:00Z"));
    runUntil(Instant.parse("2026-11-23T10:10:00Z"));
    assertThat(times()).isEmpty();
    assertThat(scheduler.list().get(0).state()).isEqualTo("DISABLED");
  }

  @Test
  void theLoopFiresOnItsOwnAndReportsAFailingBusToHealth() {
    start("schedules: [{name: tick, rate: 1m}]\n", Instant.parse("2026-11-23T10:00:30Z"));
    scheduler.start();
    clock.set(Instant.parse("2026-11-23T10:01:00Z"));
    Await.until(Duration.ofSeconds(10), () -> times().size() == 1, () -> "events " + times());
    assertThat(health.isHealthy()).isTrue();
    engine.close(); // the bus cannot take events any more
    clock.set(Instant.parse("2026-11-23T10:02:00Z"));
    Await.until(
        Duration.ofSeconds(10),
        () -> health.failing().containsKey(Scheduler.COMPONENT),
        () -> "health " + health.failing());
    assertThat(
            meters.get("sluice.component.errors").tag("component", "scheduler").counter().count())
        .isGreaterThanOrEqualTo(1.0);
    scheduler.close();
    engine = null;
  }

  @ParameterizedTest
  @CsvSource({"all, stop", "latest, stop", "none, stop", "all, crash", "latest, crash"})
  void aScheduleEnabledAgainAfterAWeekDisabledGoesOnFromThenWithoutBacklog(
      String policy, String end) {
    String yaml = "schedules: [{name: tick, rate: 1h, catchUp: " + policy + ", enabled: %s}]\n";
    start(yaml.formatted("false"), Instant.parse("2026-11-23T10:00:30Z"));
    runUntil(Instant.parse("2026-11-30T10:00:30Z")); // a week running with the schedule disabled
    assertThat(times()).isEmpty();
    if (end.equals("stop")) {
      stop();
    } // a crash: the state is as the scheduler last saved it
    reconfigure(yaml.formatted("true"));
    open();
    scheduler.catchUp();
    assertThat(times()).isEmpty();
    Scheduler.Info info = scheduler.list().get(0);
    assertThat(info.missed()).isZero();
    assertThat(info.state()).isEqualTo("ENABLED");
    assertThat(info.nextSlot()).isEqualTo(Instant.parse("2026-11-30T11:00:00Z"));
    assertThat(meters.find("sluice.schedule.missed").counter()).isNull();
    runUntil(Instant.parse("2026-11-30T12:30:00Z"));
    assertThat(times()).containsExactly("2026-11-30T11:00:00Z", "2026-11-30T12:00:00Z");
  }

  @Test
  void theStateSaysWhichScheduleIsDisabledAndAFormat1FileWithoutItReadsAsEnabled()
      throws IOException {
    Path state = dir.resolve("data/schedules/state.json");
    Files.createDirectories(state.getParent());
    // a state file as the first version wrote it: no "enabled"
    Files.writeString(
        state,
        """
        {"format": 1, "schedules": {"tick": {"after": %d, "lastSlot": %d, "fired": 3, "missed": 0}}}
        """
            .formatted(
                Instant.parse("2026-11-23T10:01:00Z").toEpochMilli(),
                Instant.parse("2026-11-23T10:01:00Z").toEpochMilli()));
    start(
        """
        schedules: [{name: tick, rate: 1m}, {name: paused, rate: 1m, enabled: false}]
        """,
        Instant.parse("2026-11-23T10:05:30Z"));
    scheduler.catchUp(); // tick was enabled: down over 10:02 … 10:05, latest fires 10:05
    assertThat(times()).containsExactly("2026-11-23T10:05:00Z");
    assertThat(scheduler.list().get(0).missed()).isEqualTo(3);
    JsonNode saved = Json.MAPPER.readTree(Files.readString(state));
    assertThat(saved.path("format").asInt()).isEqualTo(1);
    assertThat(saved.path("schedules").path("tick").has("enabled")).isFalse();
    assertThat(saved.path("schedules").path("paused").path("enabled").isBoolean()).isTrue();
    assertThat(saved.path("schedules").path("paused").path("enabled").asBoolean()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "latest", "all"})
  void aSlotNotDueYetAtStartIsNoCatchUpSlotAndFiresWhenDue(String policy) {
    start(
        "schedules: [{name: spread, rate: 15m, flexibleWindow: 5m, catchUp: " + policy + "}]\n",
        Instant.parse("2026-11-23T10:01:00Z"));
    var s = config.schedules().get(0);
    Instant slot = Instant.parse("2026-11-23T10:15:00Z");
    while (Scheduler.offset(s, slot).compareTo(Duration.ofSeconds(2)) < 0) {
      slot = slot.plus(Duration.ofMinutes(15));
    }
    Instant due = slot.plus(Scheduler.offset(s, slot));
    runUntil(slot.minusSeconds(60));
    int before = times().size();
    stop();
    clock.set(due.minusSeconds(1)); // restart after the slot, before it is due
    open();
    scheduler.catchUp();
    assertThat(times()).hasSize(before);
    assertThat(scheduler.list().get(0).missed()).isZero();
    assertThat(scheduler.runDue()).isEqualTo(due);
    runUntil(slot.plus(Duration.ofMinutes(5)));
    assertThat(times()).hasSize(before + 1).last().isEqualTo(slot.toString());
    assertThat(stored().get(before).ingestionTimeMs()).isEqualTo(due.toEpochMilli());
    assertThat(scheduler.list().get(0).missed()).isZero();
  }

  @Test
  void aPastAtThatNeverFiredWithCatchUpNoneIsCountedMissedOnce() {
    start(
        "schedules: [{name: once, at: \"2020-12-24T18:00:00\", catchUp: none}]\n",
        Instant.parse("2020-12-25T00:00:00Z"));
    scheduler.catchUp();
    scheduler.runDue();
    assertThat(times()).isEmpty();
    assertThat(scheduler.list().get(0).missed()).isEqualTo(1);
    assertThat(scheduler.list().get(0).state()).isEqualTo("COMPLETED");
    stop();
    clock.set(Instant.parse("2020-12-26T00:00:00Z"));
    open();
    scheduler.catchUp();
    scheduler.runDue();
    assertThat(times()).isEmpty();
    assertThat(scheduler.list().get(0).missed()).isEqualTo(1);
  }

  @Test
  void aPastAtThatFiredWithCatchUpNoneDoesNothingAfterARestart() {
    start(
        "schedules: [{name: once, at: \"2020-12-24T18:00:00\", catchUp: none}]\n",
        Instant.parse("2020-12-24T17:00:00Z"));
    runUntil(Instant.parse("2020-12-25T00:00:00Z"));
    assertThat(times()).containsExactly("2020-12-24T18:00:00Z");
    stop();
    clock.set(Instant.parse("2020-12-26T00:00:00Z"));
    reconfigure("schedules: [{name: once, at: \"2020-12-24T18:00:00\", catchUp: none}]\n");
    open();
    scheduler.catchUp();
    scheduler.runDue();
    assertThat(times()).hasSize(1);
    Scheduler.Info info = scheduler.list().get(0);
    assertThat(info.fired()).isEqualTo(1);
    assertThat(info.missed()).isZero();
    assertThat(info.state()).isEqualTo("COMPLETED");
  }

  @Test
  void closeEndsTheLoopsBackoffSleep() {
    start("schedules: [{name: tick, rate: 1m}]\n", Instant.parse("2026-11-23T10:00:30Z"));
    engine.close(); // the bus cannot take events: the loop fails and backs off, 200 ms doubling
    engine = null;
    scheduler.start();
    clock.set(Instant.parse("2026-11-23T10:01:00Z"));
    // after the 5th failure the loop sleeps 3.2 s
    Await.until(
        Duration.ofSeconds(20),
        () -> {
          var c = meters.find("sluice.component.errors").tag("component", "scheduler").counter();
          return c != null && c.count() >= 5;
        },
        () -> "health " + health.failing());
    long t0 = System.nanoTime();
    scheduler.close();
    // well before the sleep would end, with room for a loaded machine
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2500));
  }
}

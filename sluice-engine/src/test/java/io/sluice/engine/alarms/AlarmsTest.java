package io.sluice.engine.alarms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.kinds.EventSink;
import io.sluice.core.kinds.Kinds;
import io.sluice.engine.Health;
import io.sluice.engine.alarms.AlarmState.Value;
import io.sluice.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alarms on a real Micrometer registry, evaluated by hand on a MutableClock. */
class AlarmsTest {

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  final List<JsonNode> events = new CopyOnWriteArrayList<>();
  final AtomicBoolean refuse = new AtomicBoolean();

  /** The bus: keeps what it is given, or refuses everything while {@link #refuse} is set. */
  final EventSink bus =
      (name, batch) ->
          CompletableFuture.completedFuture(
              batch.stream()
                  .map(
                      e -> {
                        if (refuse.get()) {
                          return new EventSink.Result("the log is full", true);
                        }
                        events.add(e);
                        return EventSink.Result.STORED;
                      })
                  .toList());

  Alarms alarms(MeterRegistry meters, String alarmsYaml) {
    SluiceConfig c =
        ConfigLoader.parse(
            "buses: [{name: default}, {name: ops}]\nalarms:\n" + alarmsYaml,
            "test.yaml",
            dir,
            Kinds.of());
    return new Alarms(
        c.alarms(), meters, bus, dir.resolve("alarms"), clock, new Health(clock, meters));
  }

  Value state(Alarms a, String name) {
    return a.list().stream()
        .filter(i -> i.config().name().equals(name))
        .findFirst()
        .orElseThrow()
        .state()
        .value();
  }

  Double observed(Alarms a, String name) {
    return a.list().stream()
        .filter(i -> i.config().name().equals(name))
        .findFirst()
        .orElseThrow()
        .observed();
  }

  /** Advances the clock by {@code d} and evaluates. */
  void step(Alarms a, Duration d) {
    clock.advance(d);
    a.evaluate(clock.instant());
  }

  @Test
  void increaseGoesOkThenAlarmThenOkWithOneEventPerChange() {
    MeterRegistry meters = new SimpleMeterRegistry();
    Counter dead =
        Counter.builder("sluice.target.dead.lettered")
            .tag("rule", "validate-vitals")
            .tag("target", "t")
            .register(meters);
    Counter other =
        Counter.builder("sluice.target.dead.lettered").tag("rule", "other").register(meters);
    Alarms a =
        alarms(
            meters,
            """
              - name: dead-letters
                description: validation gave up on events
                metric: sluice_target_dead_lettered_total
                labels: {rule: validate-vitals}
                statistic: increase
                period: 1m
                threshold: {">": 0}
            """);
    a.evaluate(clock.instant());
    assertThat(state(a, "dead-letters")).isEqualTo(Value.INSUFFICIENT_DATA);
    other.increment(5); // another rule's dead letters do not count
    step(a, Duration.ofMinutes(1));
    assertThat(state(a, "dead-letters")).isEqualTo(Value.OK);
    dead.increment(2);
    step(a, Duration.ofSeconds(30));
    dead.increment();
    step(a, Duration.ofSeconds(30));
    assertThat(state(a, "dead-letters")).isEqualTo(Value.ALARM);
    assertThat(observed(a, "dead-letters")).isEqualTo(3.0);
    step(a, Duration.ofMinutes(1)); // still 3: no increase
    step(a, Duration.ofMinutes(1));
    assertThat(state(a, "dead-letters")).isEqualTo(Value.OK);

    assertThat(events)
        .extracting(
            e ->
                e.at("/detail/previousState/value").asText()
                    + "->"
                    + e.at("/detail/state/value").asText())
        .containsExactly("INSUFFICIENT_DATA->OK", "OK->ALARM", "ALARM->OK");
    JsonNode alarm = events.get(1);
    assertThat(alarm.path("source").asText()).isEqualTo("sluice.alarms");
    assertThat(alarm.path("detail-type").asText()).isEqualTo("Alarm State Change");
    assertThat(alarm.path("time").asText()).isEqualTo("2026-11-23T10:02:00Z");
    assertThat(alarm.path("resources").toString()).isEqualTo("[\"sluice:alarms:::dead-letters\"]");
    JsonNode d = alarm.path("detail");
    assertThat(d.path("alarmName").asText()).isEqualTo("dead-letters");
    assertThat(d.path("alarmDescription").asText()).isEqualTo("validation gave up on events");
    assertThat(d.path("metric").asText()).isEqualTo("sluice_target_dead_lettered_total");
    assertThat(d.path("labels").toString()).isEqualTo("{\"rule\":\"validate-vitals\"}");
    assertThat(d.path("statistic").asText()).isEqualTo("increase");
    assertThat(d.path("period").asText()).isEqualTo("1m");
    assertThat(d.path("threshold").toString()).isEqualTo("{\">\":0}");
    assertThat(d.path("observed").asDouble()).isEqualTo(3.0);
    assertThat(d.path("state").path("timestamp").asText()).isEqualTo("2026-11-23T10:02:00Z");
    assertThat(d.path("state").path("reason").asText())
        .isEqualTo(
            "Threshold Crossed: 1 of the last 1 datapoints [3] breached > 0 (increase of"
                + " sluice_target_dead_lettered_total{rule=\"validate-vitals\"} over 1m)");
    assertThat(d.path("previousState").path("value").asText()).isEqualTo("OK");
    assertThat(d.path("previousState").path("timestamp").asText())
        .isEqualTo("2026-11-23T10:01:00Z");
  }

  @Test
  void everyStatisticOnKnownValues() {
    MeterRegistry meters = new SimpleMeterRegistry();
    Counter c1 = Counter.builder("jobs.done").tag("q", "a").register(meters);
    Counter c2 = Counter.builder("jobs.done").tag("q", "b").register(meters);
    AtomicReference<Double> depth = new AtomicReference<>(0.0);
    Gauge.builder("queue.depth", depth, AtomicReference::get).register(meters);
    Timer timer = Timer.builder("call.time").register(meters);
    Alarms a =
        alarms(
            meters,
            """
              - {name: inc, metric: jobs_done_total, statistic: increase, period: 1m, threshold: {">=": 30}}
              - {name: rate, metric: jobs_done_total, statistic: rate, period: 1m, threshold: {"==": 0.5}}
              - {name: val, metric: jobs_done_total, labels: {q: a}, statistic: value, period: 1m, threshold: {"<": 25}}
              - {name: avg, metric: queue_depth, statistic: avg, period: 1m, threshold: {">": 4}}
              - {name: max, metric: queue_depth, statistic: max, period: 1m, threshold: {"<=": 9}}
              - {name: tavg, metric: call_time_seconds, statistic: avg, period: 1m, threshold: {">": 1}}
              - {name: tmax, metric: call_time_seconds, statistic: max, period: 1m, threshold: {">": 2}}
              - {name: tcount, metric: call_time_seconds_count, statistic: increase, period: 1m, threshold: {">": 1}}
            """);
    a.evaluate(clock.instant());
    c1.increment(20);
    c2.increment(10);
    depth.set(2.0);
    timer.record(Duration.ofMillis(500));
    timer.record(Duration.ofMillis(2500));
    step(a, Duration.ofSeconds(20));
    depth.set(10.0);
    step(a, Duration.ofSeconds(20));
    depth.set(3.0);
    step(a, Duration.ofSeconds(20));

    assertThat(observed(a, "inc")).isEqualTo(30.0);
    assertThat(observed(a, "rate")).isEqualTo(0.5);
    assertThat(observed(a, "val")).isEqualTo(20.0);
    assertThat(observed(a, "avg")).isEqualTo(5.0); // samples 2, 10, 3
    assertThat(observed(a, "max")).isEqualTo(10.0);
    assertThat(observed(a, "tavg")).isEqualTo(1.5);
    assertThat(observed(a, "tmax")).isEqualTo(2.5);
    assertThat(observed(a, "tcount")).isEqualTo(2.0);
    assertThat(state(a, "inc")).isEqualTo(Value.ALARM); // 30 >= 30
    assertThat(state(a, "rate")).isEqualTo(Value.ALARM); // 0.5 == 0.5
    assertThat(state(a, "val")).isEqualTo(Value.ALARM); // 20 < 25
    assertThat(state(a, "avg")).isEqualTo(Value.ALARM); // 5 > 4
    assertThat(state(a, "max")).isEqualTo(Value.OK); // 10 <= 9 is false
    assertThat(state(a, "tavg")).isEqualTo(Value.ALARM);
    assertThat(state(a, "tmax")).isEqualTo(Value.ALARM);
    assertThat(state(a, "tcount")).isEqualTo(Value.ALARM);

    // the next period: nothing happens; a gauge keeps its value, a timer has no timings
    step(a, Duration.ofMinutes(1));
    assertThat(observed(a, "inc")).isEqualTo(0.0);
    assertThat(state(a, "inc")).isEqualTo(Value.OK); // 0 >= 30 is false
    assertThat(observed(a, "val")).isEqualTo(20.0);
    assertThat(observed(a, "avg")).isEqualTo(3.0);
    assertThat(state(a, "avg")).isEqualTo(Value.OK); // 3 > 4 is false
    assertThat(state(a, "max")).isEqualTo(Value.ALARM); // 3 <= 9
    assertThat(observed(a, "tavg")).isNull();
    assertThat(state(a, "tavg")).isEqualTo(Value.INSUFFICIENT_DATA);
  }

  @Test
  void anUnknownMetricIsInsufficientDataAndAKnownCounterWithoutTheLabelsCountsAsZero() {
    MeterRegistry meters = new SimpleMeterRegistry();
    Counter.builder("sluice.target.dead.lettered").tag("rule", "other").register(meters);
    Alarms a =
        alarms(
            meters,
            """
              - {name: unknown, metric: sluice_no_such_total, statistic: increase, period: 1m, threshold: {">": 0}}
              - {name: zero, metric: sluice_target_dead_lettered_total, labels: {rule: later}, statistic: increase, period: 1m, threshold: {">": 0}}
            """);
    a.evaluate(clock.instant());
    step(a, Duration.ofMinutes(1));
    assertThat(state(a, "unknown")).isEqualTo(Value.INSUFFICIENT_DATA);
    assertThat(a.list().get(0).state().reason())
        .isEqualTo(
            "Unchecked: the alarm was just created"); // no event, no change: still the first state
    assertThat(state(a, "zero")).isEqualTo(Value.OK);
    assertThat(observed(a, "zero")).isEqualTo(0.0);
    // the series appears in the middle of a period, already incremented: all of it counts
    Counter.builder("sluice.target.dead.lettered")
        .tag("rule", "later")
        .register(meters)
        .increment();
    step(a, Duration.ofMinutes(1));
    assertThat(state(a, "zero")).isEqualTo(Value.ALARM);
    assertThat(observed(a, "zero")).isEqualTo(1.0);
  }

  @Test
  void datapointsToAlarmNeedsMOfTheLastN() {
    MeterRegistry meters = new SimpleMeterRegistry();
    Counter c = Counter.builder("errors").register(meters);
    Alarms a =
        alarms(
            meters,
            """
              - {name: m-of-n, metric: errors_total, statistic: increase, period: 1m, threshold: {">": 0}, evaluationPeriods: 3, datapointsToAlarm: 2, bus: ops}
            """);
    a.evaluate(clock.instant());
    c.increment();
    step(a, Duration.ofMinutes(1));
    assertThat(state(a, "m-of-n")).isEqualTo(Value.OK); // 1 of 1
    step(a, Duration.ofMinutes(1));
    assertThat(state(a, "m-of-n")).isEqualTo(Value.OK); // 1 of 2
    c.increment();
    step(a, Duration.ofMinutes(1));
    assertThat(a.list().get(0).state().reason())
        .isEqualTo(
            "Threshold Crossed: 2 of the last 3 datapoints [1, 0, 1] breached > 0 (increase of"
                + " errors_total over 1m)");
    assertThat(state(a, "m-of-n")).isEqualTo(Value.ALARM); // [1, 0, 1]: 2 of 3
    step(a, Duration.ofMinutes(1));
    assertThat(state(a, "m-of-n")).isEqualTo(Value.OK); // [0, 1, 0]: 1 of 3
    assertThat(events).hasSize(3);
    assertThat(events.get(0).path("detail").path("evaluationPeriods").asInt()).isEqualTo(3);
    assertThat(events.get(0).path("detail").path("datapointsToAlarm").asInt()).isEqualTo(2);
  }

  @Test
  void stateAndBaselineSurviveARestartWithCountersAtZero() {
    MeterRegistry before = new SimpleMeterRegistry();
    Counter c = Counter.builder("sluice.target.dead.lettered").tag("rule", "r").register(before);
    String yaml =
        """
          - {name: dl, metric: sluice_target_dead_lettered_total, statistic: increase, period: 1m, threshold: {">": 0}}
          - {name: calm, metric: sluice_target_dead_lettered_total, statistic: increase, period: 1m, threshold: {">": 100}}
        """;
    Alarms a = alarms(before, yaml);
    a.evaluate(clock.instant());
    c.increment(57);
    step(a, Duration.ofMinutes(1));
    assertThat(state(a, "dl")).isEqualTo(Value.ALARM);
    assertThat(state(a, "calm")).isEqualTo(Value.OK);
    c.increment(3); // within the next period, then the node stops
    step(a, Duration.ofSeconds(20));
    a.close();
    assertThat(events).hasSize(2);

    // a new process: its counter starts at 0; two increments happen before the first evaluation
    MeterRegistry after = new SimpleMeterRegistry();
    Counter c2 = Counter.builder("sluice.target.dead.lettered").tag("rule", "r").register(after);
    clock.advance(Duration.ofSeconds(10));
    Alarms b = alarms(after, yaml);
    assertThat(state(b, "dl")).isEqualTo(Value.ALARM);
    assertThat(state(b, "calm")).isEqualTo(Value.OK);
    c2.increment(2);
    b.evaluate(clock.instant());
    step(b, Duration.ofSeconds(30)); // the period that began before the restart ends
    assertThat(observed(b, "dl")).isEqualTo(5.0); // 3 before the stop + 2 after: no drop, no 57
    assertThat(state(b, "calm")).isEqualTo(Value.OK);
    assertThat(events).hasSize(2); // unchanged states: no event
    step(b, Duration.ofMinutes(1));
    assertThat(state(b, "dl")).isEqualTo(Value.OK);
    assertThat(observed(b, "dl")).isEqualTo(0.0);
    assertThat(events).hasSize(3);
    b.close();
  }

  @Test
  void aRefusedEventIsRetriedAtTheNextEvaluationAndTheStateWaitsForIt() {
    MeterRegistry meters = new SimpleMeterRegistry();
    Counter c = Counter.builder("errors").register(meters);
    Alarms a =
        alarms(
            meters,
            """
              - {name: e, metric: errors_total, statistic: increase, period: 1m, threshold: {">": 0}}
            """);
    a.evaluate(clock.instant());
    c.increment();
    refuse.set(true);
    clock.advance(Duration.ofMinutes(1));
    assertThatThrownBy(() -> a.evaluate(clock.instant()))
        .hasMessage(
            "cannot emit Alarm State Change events (retried at the next evaluation): e: bus"
                + " default refused the event: the log is full");
    assertThat(state(a, "e")).isEqualTo(Value.INSUFFICIENT_DATA);
    refuse.set(false);
    step(a, Duration.ofSeconds(5));
    assertThat(state(a, "e")).isEqualTo(Value.ALARM);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).at("/detail/previousState/value").asText())
        .isEqualTo("INSUFFICIENT_DATA");
  }
}

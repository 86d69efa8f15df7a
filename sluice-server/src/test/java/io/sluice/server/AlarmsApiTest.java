package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Meter;
import io.sluice.engine.alarms.Alarms;
import io.sluice.engine.alarms.MetricSeries;
import io.sluice.testkit.Await;
import io.sluice.testkit.HttpReceiver;
import io.sluice.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alarms in a real server: a rule whose http target answers 400 dead-letters events, the alarm on
 * sluice_target_dead_lettered_total goes OK → ALARM → OK on a MutableClock, and an ordinary rule
 * routes each Alarm State Change event to a webhook; GET /alarms shows it; a restart keeps it.
 */
class AlarmsApiTest {

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));

  @Test
  void deadLettersRaiseTheAlarmOnceAndItsEndClearsItOnce() throws Exception {
    try (HttpReceiver failing = HttpReceiver.start(r -> HttpReceiver.Reply.status(400));
        HttpReceiver pager = HttpReceiver.start(r -> HttpReceiver.Reply.OK)) {
      String yaml =
          """
          buses: [{name: default}]
          rules:
            - name: validate-vitals
              pattern: {source: [vitals]}
              targets: [{id: store, http: {url: "%s"}, retry: {maxAttempts: 1}}]
            - name: page-on-alarm
              pattern: {source: [sluice.alarms], detail-type: [Alarm State Change]}
              targets: [{id: pager, http: {url: "%s"}}]
          alarms:
            - name: dead-letters
              metric: sluice_target_dead_lettered_total
              labels: {rule: validate-vitals}
              statistic: increase
              period: 1m
              threshold: {">": 0}
              bus: default
          """
              .formatted(failing.url(), pager.url());
      try (ServerFixture s =
          ServerFixture.start(dir, yaml, SluiceServer.Options.DEFAULTS.withClock(clock))) {
        Alarms alarms = s.server.node().alarms();
        alarms.evaluate(clock.instant());
        clock.advance(Duration.ofMinutes(1));
        alarms.evaluate(clock.instant());
        assertThat(s.get("/alarms").json().at("/alarms/0/state").asText()).isEqualTo("OK");

        for (int i = 0; i < 3; i++) {
          assertThat(
                  s.post(
                          "/buses/default/events",
                          "application/json",
                          "{\"source\":\"vitals\",\"detail-type\":\"Reading\",\"detail\":{\"n\":"
                              + i
                              + "}}")
                      .status())
              .isEqualTo(200);
        }
        Await.until(
            Duration.ofSeconds(30),
            () -> deadLettered(s) == 3.0,
            () -> "dead letters: " + deadLettered(s));
        clock.advance(Duration.ofMinutes(1));
        alarms.evaluate(clock.instant());
        JsonNode a = s.get("/alarms").json().at("/alarms/0");
        assertThat(a.path("state").asText()).isEqualTo("ALARM");
        assertThat(a.path("observed").asDouble()).isEqualTo(3.0);
        assertThat(a.path("since").asText()).isEqualTo("2026-11-23T10:02:00Z");
        assertThat(a.path("lastEvaluation").asText()).isEqualTo("2026-11-23T10:02:00Z");
        assertThat(a.path("threshold").toString()).isEqualTo("{\">\":0}");
        assertThat(a.path("labels").toString()).isEqualTo("{\"rule\":\"validate-vitals\"}");
        clock.advance(Duration.ofMinutes(1));
        alarms.evaluate(clock.instant());
        alarms.evaluate(clock.instant()); // again at the same time: nothing new
        assertThat(s.get("/alarms").json().at("/alarms/0/state").asText()).isEqualTo("OK");

        Await.until(
            Duration.ofSeconds(30),
            () -> pager.requests().size() >= 3,
            () -> pager.requests().size() + " pages");
        List<String> changes =
            pager.requests().stream()
                .map(
                    r ->
                        r.json().at("/detail/previousState/value").asText()
                            + "->"
                            + r.json().at("/detail/state/value").asText())
                .toList();
        assertThat(changes)
            .containsExactlyInAnyOrder("INSUFFICIENT_DATA->OK", "OK->ALARM", "ALARM->OK");
        JsonNode raised =
            pager.requests().stream()
                .map(HttpReceiver.Request::json)
                .filter(j -> j.at("/detail/state/value").asText().equals("ALARM"))
                .findFirst()
                .orElseThrow();
        assertThat(raised.path("source").asText()).isEqualTo("sluice.alarms");
        assertThat(raised.at("/detail/alarmName").asText()).isEqualTo("dead-letters");
        assertThat(raised.at("/detail/observed").asDouble()).isEqualTo(3.0);
        assertThat(raised.at("/detail/state/reason").asText())
            .isEqualTo(
                "Threshold Crossed: 1 of the last 1 datapoints [3] breached > 0 (increase of"
                    + " sluice_target_dead_lettered_total{rule=\"validate-vitals\"} over 1m)");
      }

      // a restart: the same state dir, a new registry whose counters start at 0
      try (ServerFixture s =
          ServerFixture.start(dir, yaml, SluiceServer.Options.DEFAULTS.withClock(clock))) {
        Alarms alarms = s.server.node().alarms();
        assertThat(s.get("/alarms").json().at("/alarms/0/state").asText()).isEqualTo("OK");
        for (int i = 0; i < 3; i++) {
          clock.advance(Duration.ofMinutes(1));
          alarms.evaluate(clock.instant());
        }
        assertThat(s.get("/alarms").json().at("/alarms/0/state").asText()).isEqualTo("OK");
        assertThat(s.get("/alarms").json().at("/alarms/0/observed").asDouble()).isEqualTo(0.0);
      }
      assertThat(pager.requests()).hasSize(3); // no event for an unchanged state
    }
  }

  private static double deadLettered(ServerFixture s) {
    return MetricSeries.read(s.server.node().meters()).stream()
        .filter(x -> x.name().equals("sluice_target_dead_lettered_total"))
        .filter(x -> "validate-vitals".equals(x.labels().get("rule")))
        .mapToDouble(MetricSeries::value)
        .sum();
  }

  /**
   * Every series an alarm reads has the name, labels and value the Prometheus registry's own output
   * shows: the mapping of user-visible names onto meters is Prometheus's.
   */
  @Test
  void everySeriesNameIsWhatMetricsShows() throws Exception {
    try (ServerFixture s =
        ServerFixture.start(
            dir,
            "buses: [{name: default}]\nrules: [{name: r, pattern: {source: [s]}, targets: [{id: t,"
                + " log: {}}]}]\n")) {
      s.sendNumbered(0, 5);
      Await.until(
          Duration.ofSeconds(30),
          () -> s.server.meters().scrape().contains("sluice_target_delivered_total"),
          () -> "not delivered yet");
      String scrape = s.server.meters().scrape();
      List<MetricSeries> series = MetricSeries.read(s.server.meters());
      assertThat(series.stream().map(MetricSeries::name))
          .contains(
              "sluice_target_delivered_total",
              "sluice_target_delivery_seconds",
              "sluice_target_delivery_seconds_count",
              "sluice_target_delivery_seconds_sum",
              "sluice_target_delivery_seconds_max");
      Set<String> lines =
          scrape
              .lines()
              .filter(l -> !l.startsWith("#"))
              .map(l -> l.substring(0, l.lastIndexOf(' ')))
              .collect(Collectors.toSet());
      List<String> missing =
          series.stream()
              .filter(x -> x.kind() != MetricSeries.Kind.TIMER)
              .map(MetricSeries::key)
              .map(k -> k.endsWith("{}") ? k.substring(0, k.length() - 2) : k)
              .filter(k -> !lines.contains(k))
              .toList();
      assertThat(missing).as("series not in /metrics:\n%s", scrape).isEmpty();
      assertThat(series.stream().filter(x -> x.kind() == MetricSeries.Kind.TIMER))
          .allSatisfy(t -> assertThat(lines).contains(t.key().replace("{", "_count{")));
      assertThat(s.server.meters().getMeters()).extracting(Meter::getId).isNotEmpty();
    }
  }
}

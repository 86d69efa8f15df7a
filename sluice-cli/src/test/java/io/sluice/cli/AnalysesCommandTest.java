package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice analyses test}: an analysis over a file of events, offline. */
class AnalysesCommandTest {

  @TempDir Path dir;

  static final String YAML =
      """
      buses: [{name: tolls}, {name: alerts}]
      analyses:
        - name: per-minute
          bus: tolls
          eventTime: detail.at
          window: {tumbling: 1m}
          allowedLateness: 1m
          key: [station]
          sql: SELECT e.detail.station AS station, count(*) AS vehicles FROM events e GROUP BY ALL
          emit: {bus: alerts}
      """;

  static String event(String station, String at) {
    return "{\"source\":\"t\",\"detail-type\":\"P\",\"detail\":{\"station\":\""
        + station
        + "\",\"at\":\""
        + at
        + "\"}}\n";
  }

  @Test
  void printsEachWindowsResultsRevisionsAndLateEvents() throws Exception {
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, YAML);
    Path events = dir.resolve("events.ndjson");
    Files.writeString(
        events,
        event("S1", "2026-12-01T10:00:01Z")
            + event("S1", "2026-12-01T10:00:30Z")
            + event("S2", "2026-12-01T10:00:40Z")
            + event("S1", "2026-12-01T10:01:05Z")
            + event("S2", "2026-12-01T10:00:50Z") // late by 5 s: revises 10:00
            + event("S1", "2026-12-01T10:05:00Z")
            + event("S1", "2026-12-01T09:59:00Z")); // too late
    LogCommandTest.Run r =
        LogCommandTest.run(
            "analyses",
            "test",
            "per-minute",
            "--config",
            config.toString(),
            "--events",
            events.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "2026-12-01T10:00:00Z – 2026-12-01T10:01:00Z  rev 1  {\"station\":\"S1\",\"vehicles\":2}")
        .contains(
            "2026-12-01T10:00:00Z – 2026-12-01T10:01:00Z  rev 1  {\"station\":\"S2\",\"vehicles\":1}")
        .contains(
            "2026-12-01T10:00:00Z – 2026-12-01T10:01:00Z  rev 2  {\"station\":\"S2\",\"vehicles\":2}")
        .contains(
            "2026-12-01T10:01:00Z – 2026-12-01T10:02:00Z  rev 1  {\"station\":\"S1\",\"vehicles\":1}")
        .contains(
            "2026-12-01T10:05:00Z – 2026-12-01T10:06:00Z  rev 1  {\"station\":\"S1\",\"vehicles\":1}")
        .contains("late     test-7: late by ")
        .contains("5 results from 7 events");
  }

  @Test
  void badInputExitsOneAndSaysWhat() throws Exception {
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, YAML);
    Path events = dir.resolve("events.ndjson");
    Files.writeString(events, event("S1", "2026-12-01T10:00:01Z") + "{\"source\":\"t\"}\n");
    LogCommandTest.Run r =
        LogCommandTest.run(
            "analyses",
            "test",
            "nope",
            "--config",
            config.toString(),
            "--events",
            events.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("no analysis named \"nope\"").contains("per-minute");

    r =
        LogCommandTest.run(
            "analyses",
            "test",
            "per-minute",
            "--config",
            config.toString(),
            "--events",
            events.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("line 2").contains("detail-type");

    Files.writeString(config, YAML.replace("SELECT e.detail", "SELEKT e.detail"));
    Files.writeString(events, event("S1", "2026-12-01T10:00:01Z"));
    r =
        LogCommandTest.run(
            "analyses",
            "test",
            "per-minute",
            "--config",
            config.toString(),
            "--events",
            events.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("/sql").contains("DuckDB cannot parse the SQL");

    r = LogCommandTest.run("analyses", "test", "per-minute", "--events", "x", "--format", "xml");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--format: expected text or json, got \"xml\"");
  }
}

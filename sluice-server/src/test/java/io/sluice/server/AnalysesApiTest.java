package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.InvalidInputException;
import io.sluice.testkit.Await;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An analysis in a real server: toll events over HTTP on a two-partition bus, a tumbling one-minute
 * window joined with a reference CSV uploaded as an object, results as events on the alerts bus; an
 * event too late and one without its event time become dead letters that say why; GET /analyses
 * shows the state; a restart resumes without emitting anything twice; SQL DuckDB cannot parse stops
 * the server from starting with the analysis's path.
 */
class AnalysesApiTest {

  @TempDir Path dir;

  static final String YAML =
      """
      buses: [{name: tolls, partitions: 2}, {name: alerts}]
      objects: {bus: null}
      analyses:
        - name: station-traffic
          bus: tolls
          pattern: {detail-type: [VehiclePassed]}
          eventTime: detail.passedAt
          window: {tumbling: 1m}
          watermark: {maxOutOfOrder: 10s}
          reference:
            stations: {object: tolls/ref/stations.csv}
          key: [station]
          sql: |
            SELECT e.detail.station AS station, count(*) AS vehicles, any_value(r.expected_per_minute) AS expected
            FROM events e JOIN stations r ON r.station = e.detail.station
            GROUP BY ALL
            HAVING count(*) > 1.5 * any_value(r.expected_per_minute)
          emit: {bus: alerts, detail-type: Station Traffic Anomaly}
      """;

  static String passed(String station, String at) {
    return "{\"source\":\"tolls\",\"detail-type\":\"VehiclePassed\",\"detail\":{\"station\":\""
        + station
        + "\",\"passedAt\":\""
        + at
        + "\"}}";
  }

  static List<JsonNode> alerts(ServerFixture s) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e :
        s.get("/buses/alerts/events?from=earliest&limit=1000").json().path("events")) {
      out.add(e.path("event"));
    }
    return out;
  }

  static void put(ServerFixture s, String path, String body) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(s.uri(path))
                    .PUT(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 201);
  }

  @Test
  void tollTrafficAboveTheReferenceIsOneResultPerStationAndWindow() throws Exception {
    try (ServerFixture s = ServerFixture.start(dir, YAML)) {
      put(s, "/objects/tolls/ref/stations.csv", "station,expected_per_minute\nS1,2\nS2,10\n");
      String[] events = {
        passed("S1", "2026-12-01T10:00:01Z"),
        passed("S1", "2026-12-01T10:00:20Z"),
        passed("S2", "2026-12-01T10:00:21Z"),
        passed("S1", "2026-12-01T10:00:05Z"), // out of order, within 10 s
        passed("S1", "2026-12-01T10:00:50Z"),
        // moves both partitions' watermarks past 10:01
        passed("S2", "2026-12-01T10:01:30Z"),
        passed("S2", "2026-12-01T10:01:31Z"),
      };
      for (String e : events) {
        assertThat(s.post("/buses/tolls/events", "application/json", e).status()).isEqualTo(200);
      }
      Await.until(
          Duration.ofSeconds(30), () -> alerts(s).size() == 1, () -> "alerts: " + alerts(s));
      JsonNode a = alerts(s).get(0);
      assertThat(a.path("detail-type").asText()).isEqualTo("Station Traffic Anomaly");
      assertThat(a.path("source").asText()).isEqualTo("sluice.analyses");
      assertThat(a.path("detail").path("station").asText()).isEqualTo("S1");
      assertThat(a.path("detail").path("vehicles").asLong()).isEqualTo(4);
      assertThat(a.path("detail").path("expected").asLong()).isEqualTo(2);
      assertThat(a.path("detail").path("windowStart").asText()).isEqualTo("2026-12-01T10:00:00Z");
      assertThat(a.path("detail").path("windowEnd").asText()).isEqualTo("2026-12-01T10:01:00Z");
      assertThat(a.path("detail").path("revision").asInt()).isEqualTo(1);
      assertThat(a.path("detail").path("analysis").asText()).isEqualTo("station-traffic");

      // too late (the 10:00 window closed more than 0s of allowed lateness ago), and no time
      assertThat(
              s.post(
                      "/buses/tolls/events",
                      "application/json",
                      passed("S1", "2026-12-01T09:59:00Z"))
                  .status())
          .isEqualTo(200);
      assertThat(
              s.post(
                      "/buses/tolls/events",
                      "application/json",
                      "{\"source\":\"tolls\",\"detail-type\":\"VehiclePassed\",\"detail\":{\"station\":\"S1\",\"passedAt\":\"yesterday\"}}")
                  .status())
          .isEqualTo(200);
      Await.until(
          Duration.ofSeconds(30),
          () ->
              s.get("/dead-letters?rule=analysis:station-traffic").json().path("deadLetters").size()
                  >= 2,
          () -> s.get("/dead-letters").body());
      String dl = s.get("/dead-letters?rule=analysis:station-traffic").body();
      assertThat(dl)
          .contains("late by")
          .contains("eventTime: expected detail.passedAt to be RFC 3339");
      assertThat(dl).contains("\\\"yesterday\\\"");

      JsonNode st = s.get("/analyses").json().path("analyses").get(0);
      assertThat(st.path("name").asText()).isEqualTo("station-traffic");
      assertThat(st.path("window").asText()).isEqualTo("tumbling 1m");
      assertThat(st.path("results").asLong()).isEqualTo(1);
      assertThat(st.path("late").asLong()).isEqualTo(1);
      assertThat(st.path("refused").asLong()).isEqualTo(1);
      assertThat(st.path("watermark").asText()).isEqualTo("2026-12-01T10:01:20Z");
      assertThat(s.get("/analyses/station-traffic").json().path("eventsIn").asLong()).isEqualTo(9);
      var missing = s.get("/analyses/nope");
      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.body())
          .contains("no analysis named \\\"nope\\\"")
          .contains("station-traffic");
    }
    // a restart resumes from its checkpoint: nothing is emitted again
    try (ServerFixture s = ServerFixture.start(dir, YAML)) {
      assertThat(
              s.post(
                      "/buses/tolls/events",
                      "application/json",
                      passed("S2", "2026-12-01T10:02:40Z"))
                  .status())
          .isEqualTo(200);
      Await.until(
          Duration.ofSeconds(30),
          () -> s.get("/analyses/station-traffic").json().path("eventsIn").asLong() == 10,
          () -> s.get("/analyses/station-traffic").body());
      assertThat(alerts(s)).hasSize(1);
    }
  }

  @Test
  void windowStateBeyondItsLimitStopsTheAnalysisWithAnErrorInsteadOfMemory() {
    String yaml =
        """
        buses: [{name: tolls}, {name: alerts}]
        analyses:
          - name: big
            bus: tolls
            eventTime: detail.passedAt
            window: {tumbling: 1d}
            sql: SELECT count(*) AS n FROM events
            emit: {bus: alerts}
            limits: {stateBytes: 1MB}
        """;
    try (ServerFixture s = ServerFixture.start(dir, yaml)) {
      for (int b = 0; b < 60; b++) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 100; i++) {
          body.append(passed("S" + i, "2026-12-01T10:00:00Z")).append('\n');
        }
        var r = s.post("/buses/tolls/events", "application/x-ndjson", body.toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
      }
      Await.until(
          Duration.ofSeconds(30),
          () ->
              !s.get("/analyses/big").json().path("error").isNull()
                  || s.get("/health/ready").status() == 503,
          () -> s.get("/analyses/big").body());
      assertThat(s.get("/health/ready").body())
          .contains("analysis big")
          .contains("more than analyses.big.limits.stateBytes (1048576)");
      assertThat(s.get("/metrics").body())
          .contains("sluice_analysis_state_bytes{analysis=\"big\"}");
    }
  }

  @Test
  void sqlThatDuckDbCannotParseStopsTheStartWithThePath() {
    String bad =
        YAML.replace("SELECT e.detail.station AS station", "SELEC e.detail.station AS station");
    assertThatThrownBy(() -> ServerFixture.start(dir, bad))
        .isInstanceOf(InvalidInputException.class)
        .satisfies(
            e ->
                assertThat(((InvalidInputException) e).problems().get(0).toString())
                    .contains("/analyses/0/sql")
                    .contains("DuckDB cannot parse the SQL")
                    .contains("SELEC"));
  }
}

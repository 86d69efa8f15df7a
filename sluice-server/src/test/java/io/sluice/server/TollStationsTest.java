package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.testkit.Await;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The toll-stations example as written: passages over HTTP on its two-partition bus (each station's
 * passages on one partition by their {@code partitionkey}), the stations CSV uploaded as the
 * reference object; the one busy station alerts, every station's minute lands in the lake table, a
 * passage late within {@code allowedLateness} revises its minute (revision 2 in the alert and in
 * the lake), and one later than that, one without a time, are dead letters that say why.
 */
class TollStationsTest {

  static final Path EXAMPLE = Path.of("../examples/toll-stations");

  @TempDir Path dir;

  /** A passage; its partitionkey (the station) chooses its partition, as generate.py's do. */
  static String passed(String station, String at) {
    return "{\"source\":\"tolls.gantry\",\"detail-type\":\"VehiclePassed\",\"partitionkey\":\""
        + station
        + "\",\"detail\":{\"station\":\""
        + station
        + "\",\"plate\":\"HH-"
        + Math.abs((station + at).hashCode() % 10000)
        + "\",\"passedAt\":\""
        + at
        + "\"}}";
  }

  static String t(String mmss) {
    return "2026-12-01T10:" + mmss + "Z";
  }

  /** One POST of several passages (one append; keyed events go to their station's partition). */
  static void send(ServerFixture s, String... events) {
    var r = s.post("/buses/tolls/events", "application/json", "[" + String.join(",", events) + "]");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  static List<JsonNode> details(ServerFixture s, String bus) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e :
        s.get("/buses/" + bus + "/events?from=earliest&limit=1000").json().get("events")) {
      out.add(e.get("event").get("detail"));
    }
    return out;
  }

  static JsonNode rows(ServerFixture s, String sql) {
    var r =
        s.post(
            "/query",
            "application/json",
            Json.MAPPER.createObjectNode().put("sql", sql).toString());
    return r.status() == 200 ? r.json().get("rows") : null;
  }

  static String deadLetters(ServerFixture s, String analysis) {
    return s.get("/dead-letters?rule=analysis:" + analysis).json().get("deadLetters").toString();
  }

  static long delivered(ServerFixture s, String rule, String target) {
    for (JsonNode t : s.get("/stats/targets").json().get("targets")) {
      if (t.get("rule").asText().equals(rule) && t.get("target").asText().equals(target)) {
        return t.get("delivered").asLong();
      }
    }
    return -1;
  }

  @Test
  void theBusyStationAlertsEveryMinuteLandsInTheLakeAndALatePassageRevisesItsMinute()
      throws Exception {
    String yaml = Files.readString(EXAMPLE.resolve("sluice.yaml"));
    try (ServerFixture s = ServerFixture.start(dir, EXAMPLE, yaml, 0)) {
      var put =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(s.uri("/objects/tolls/ref/stations.csv"))
                      .PUT(HttpRequest.BodyPublishers.ofFile(EXAMPLE.resolve("stations.csv")))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

      // partition 0: TS-02, TS-03, TS-99; partition 1: TS-01, TS-04 (murmur2 of the key, as Kafka)
      send(
          s,
          passed("TS-02", t("00:05")),
          passed("TS-01", t("00:10")),
          passed("TS-02", t("00:15")),
          passed("TS-03", t("00:20")),
          passed("TS-04", t("00:25")),
          passed("TS-99", t("00:35")), // not in stations.csv: counted, never alerted
          passed("TS-02", t("00:45")),
          passed("TS-02", t("00:38")), // 7 s out of order: within maxOutOfOrder, on time
          passed("TS-01", t("00:50")),
          passed("TS-01", "yesterday")); // no time: a dead letter of each analysis
      // both partitions' watermarks past 10:01 (10:01:05 and 10:01:02): the 10:00 minute closes
      send(s, passed("TS-03", t("01:15")), passed("TS-04", t("01:12")));

      Await.until(
          Duration.ofSeconds(30),
          () -> details(s, "alerts").size() == 1 && details(s, "station-minutes").size() == 5,
          () -> "alerts " + details(s, "alerts") + ", minutes " + details(s, "station-minutes"));
      for (JsonNode e : s.get("/buses/tolls/events?from=earliest&limit=100").json().get("events")) {
        int p = e.get("partition").asInt();
        String st = e.get("event").get("detail").get("station").asText();
        assertThat(p).as(st).isEqualTo(st.equals("TS-01") || st.equals("TS-04") ? 1 : 0);
      }
      JsonNode alert = details(s, "alerts").get(0);
      assertThat(alert.toString())
          .isEqualTo(
              "{\"station\":\"TS-02\",\"name\":\"Harbour Bridge\",\"vehicles\":4,\"expected\":2,"
                  + "\"analysis\":\"station-traffic\",\"windowStart\":\"2026-12-01T10:00:00Z\","
                  + "\"windowEnd\":\"2026-12-01T10:01:00Z\",\"revision\":1}");
      assertThat(details(s, "station-minutes"))
          .extracting(
              d ->
                  d.get("station").asText()
                      + " "
                      + d.get("vehicles").asLong()
                      + " "
                      + d.get("expected")
                      + " r"
                      + d.get("revision").asInt())
          .containsExactly(
              "TS-01 2 4 r1", "TS-02 4 2 r1", "TS-03 1 6 r1", "TS-04 1 3 r1", "TS-99 1 null r1");

      // TS-02 at 10:00:55 arrives after partition 0's watermark passed 10:01 (10:01:05): late, but
      // within the 2 minutes of allowedLateness, so the minute is evaluated again once both
      // watermarks pass the passage's trigger (10:01:05.001): TS-02 5 vehicles, revision 2
      send(s, passed("TS-02", t("00:55")));
      send(s, passed("TS-01", t("01:20")), passed("TS-03", t("01:30")));
      Await.until(
          Duration.ofSeconds(30),
          () -> details(s, "alerts").size() == 2 && details(s, "station-minutes").size() == 6,
          () -> "alerts " + details(s, "alerts") + ", minutes " + details(s, "station-minutes"));
      JsonNode revised = details(s, "alerts").get(1);
      assertThat(revised.get("station").asText()).isEqualTo("TS-02");
      assertThat(revised.get("vehicles").asLong()).isEqualTo(5);
      assertThat(revised.get("revision").asInt()).isEqualTo(2);
      assertThat(revised.get("windowStart").asText()).isEqualTo("2026-12-01T10:00:00Z");
      // only the changed row is emitted again
      JsonNode minute = details(s, "station-minutes").get(5);
      assertThat(
              minute.get("station").asText()
                  + " "
                  + minute.get("vehicles")
                  + " r"
                  + minute.get("revision"))
          .isEqualTo("TS-02 5 r2");

      // both watermarks past 10:03 (the 10:00 minute's end + allowedLateness): it is gone, and the
      // 10:01 minute closes (TS-01 1, TS-03 2, TS-04 1: no alert)
      send(s, passed("TS-03", t("03:20")), passed("TS-04", t("03:25")));
      send(s, passed("TS-02", t("00:50"))); // partition 0's watermark is 10:03:10: 10 s too late
      Await.until(
          Duration.ofSeconds(30),
          () ->
              details(s, "station-minutes").size() == 9
                  && deadLetters(s, "station-traffic").contains("late by")
                  && deadLetters(s, "station-minutes").contains("late by"),
          () ->
              "minutes "
                  + details(s, "station-minutes")
                  + ", dead letters "
                  + s.get("/dead-letters").body());
      assertThat(details(s, "alerts")).hasSize(2);
      for (String analysis : List.of("station-traffic", "station-minutes")) {
        JsonNode dl = s.get("/dead-letters?rule=analysis:" + analysis).json().get("deadLetters");
        assertThat(dl).hasSize(2);
        List<String> errors = new ArrayList<>();
        dl.forEach(d -> errors.add(d.get("error").asText()));
        assertThat(errors)
            .containsExactlyInAnyOrder(
                "eventTime: expected detail.passedAt to be RFC 3339 with an offset or epoch"
                    + " milliseconds, got \"yesterday\"",
                "late by 10s: event time 2026-12-01T10:00:50Z, watermark 2026-12-01T10:03:10Z,"
                    + " allowed lateness 2m");
      }

      // the lake: one row per station minute and revision
      Await.until(
          Duration.ofSeconds(30),
          () -> {
            JsonNode r = rows(s, "SELECT count(*) FROM station_minutes");
            return r != null && r.get(0).get(0).asLong() == 9;
          },
          () -> String.valueOf(rows(s, "SELECT * FROM station_minutes")));
      assertThat(
              rows(
                      s,
                      "SELECT window_start, station, name, vehicles, expected, revision FROM station_minutes"
                          + " ORDER BY window_start, station, revision")
                  .toString())
          .isEqualTo(
              "[[\"2026-12-01T10:00:00Z\",\"TS-01\",\"North Gate\",2,4,1],"
                  + "[\"2026-12-01T10:00:00Z\",\"TS-02\",\"Harbour Bridge\",4,2,1],"
                  + "[\"2026-12-01T10:00:00Z\",\"TS-02\",\"Harbour Bridge\",5,2,2],"
                  + "[\"2026-12-01T10:00:00Z\",\"TS-03\",\"Ring Road East\",1,6,1],"
                  + "[\"2026-12-01T10:00:00Z\",\"TS-04\",\"Airport\",1,3,1],"
                  + "[\"2026-12-01T10:00:00Z\",\"TS-99\",null,1,null,1],"
                  + "[\"2026-12-01T10:01:00Z\",\"TS-01\",\"North Gate\",1,4,1],"
                  + "[\"2026-12-01T10:01:00Z\",\"TS-03\",\"Ring Road East\",2,6,1],"
                  + "[\"2026-12-01T10:01:00Z\",\"TS-04\",\"Airport\",1,3,1]]");
      // the README's query: the latest revision of each station minute
      assertThat(
              rows(
                      s,
                      "SELECT window_start, station, arg_max(vehicles, revision) AS vehicles"
                          + " FROM station_minutes GROUP BY ALL ORDER BY window_start, station")
                  .toString())
          .isEqualTo(
              "[[\"2026-12-01T10:00:00Z\",\"TS-01\",2],[\"2026-12-01T10:00:00Z\",\"TS-02\",5],"
                  + "[\"2026-12-01T10:00:00Z\",\"TS-03\",1],[\"2026-12-01T10:00:00Z\",\"TS-04\",1],"
                  + "[\"2026-12-01T10:00:00Z\",\"TS-99\",1],[\"2026-12-01T10:01:00Z\",\"TS-01\",1],"
                  + "[\"2026-12-01T10:01:00Z\",\"TS-03\",2],[\"2026-12-01T10:01:00Z\",\"TS-04\",1]]");
      // the alert rule's log target got both revisions of the one alert
      Await.until(
          Duration.ofSeconds(30),
          () -> delivered(s, "station-alerts", "traffic-office") == 2,
          () -> s.get("/stats/targets").body());
      JsonNode st = s.get("/analyses/station-traffic").json();
      assertThat(st.get("late").asLong()).isEqualTo(1);
      assertThat(st.get("refused").asLong()).isEqualTo(1);
      assertThat(st.get("results").asLong()).isEqualTo(2);
    }
  }
}

package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health-monitoring example's monitor readings: analysis {@code vitals-trend} compares each
 * patient's minute with the patient's previous minute with readings, and rule {@code
 * alert-on-vitals-trend} logs the minutes where the heart rate rose 5 % or more or the systolic
 * pressure fell 10 % or more (both boundaries included), over the example's own
 * monitor-readings.ndjson with values worked out by hand.
 */
class HealthVitalsTrendTest {

  @TempDir Path dir;

  static List<JsonNode> details(ServerFixture s, String bus) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e :
        s.get("/buses/" + bus + "/events?from=earliest&limit=1000").json().get("events")) {
      out.add(e.get("event").get("detail"));
    }
    return out;
  }

  /** A number as plain text (80, not 8E+1), or null. */
  static String num(JsonNode n) {
    return n == null || n.isNull() ? "null" : n.decimalValue().stripTrailingZeros().toPlainString();
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
  void aRiseOfFivePercentInHeartRateOrAFallOfTenInPressureAgainstThePreviousMinuteAlerts()
      throws Exception {
    String yaml = Files.readString(HealthMonitoringTest.EXAMPLE.resolve("sluice.yaml"));
    try (ServerFixture s = HealthMonitoringTest.startExample(dir, yaml)) {
      List<String> lines =
          Files.readAllLines(HealthMonitoringTest.EXAMPLE.resolve("monitor-readings.ndjson"));
      var r =
          s.post("/buses/vitals/events", "application/json", "[" + String.join(",", lines) + "]");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).doesNotContain("\"error\"");
      // P001 08:00 hr 80 80 80, bp 120 → 80/120; 08:01 82 84 86 → 84: +5.0 % (alert, at the
      // boundary); 08:02 86 88 90 → 88: +4.8 %, bp 118 116 114 → 116: −3.3 %; 08:03 bp 104 104 105
      // → 104.3: −10.1 % (alert); 08:04 hr 92 92 93 → 92.3: +4.9 %. P002 08:00 70/130; 08:01
      // 73/117: +4.3 %, −10.0 % (alert, at the boundary; the "--" reading is left out); no
      // readings at 08:02; 08:03 77: +5.5 % against 08:01 (alert). The 08:05:10 reading closes
      // 08:04; the reading without measuredAt is a dead letter.
      Await.until(
          Duration.ofSeconds(30),
          () -> details(s, "vitals-trend").size() == 8,
          () -> details(s, "vitals-trend") + " " + s.get("/analyses/vitals-trend").body());
      assertThat(details(s, "vitals-trend"))
          .extracting(
              d ->
                  d.get("windowStart").asText().substring(11, 16)
                      + " "
                      + d.get("patient_id").asText()
                      + " n="
                      + d.get("readings").asInt()
                      + " hr "
                      + num(d.get("heart_rate"))
                      + " ("
                      + num(d.get("previous_heart_rate"))
                      + ", "
                      + num(d.get("heart_rate_change_pct"))
                      + " %) bp "
                      + num(d.get("systolic_bp"))
                      + " ("
                      + num(d.get("previous_systolic_bp"))
                      + ", "
                      + num(d.get("systolic_bp_change_pct"))
                      + " %) "
                      + d.get("alert"))
          .containsExactly(
              "08:00 P001 n=3 hr 80 (null, null %) bp 120 (null, null %) false",
              "08:00 P002 n=2 hr 70 (null, null %) bp 130 (null, null %) false",
              "08:01 P001 n=3 hr 84 (80, 5 %) bp 120 (120, 0 %) true",
              "08:01 P002 n=2 hr 73 (70, 4.3 %) bp 117 (130, -10 %) true",
              "08:02 P001 n=3 hr 88 (84, 4.8 %) bp 116 (120, -3.3 %) false",
              "08:03 P001 n=3 hr 88 (88, 0 %) bp 104.3 (116, -10.1 %) true",
              "08:03 P002 n=2 hr 77 (73, 5.5 %) bp 117 (117, 0 %) true",
              "08:04 P001 n=3 hr 92.3 (88, 4.9 %) bp 104 (104.3, -0.3 %) false");
      Await.until(
          Duration.ofSeconds(30),
          () -> delivered(s, "alert-on-vitals-trend", "oncall") == 4,
          () -> s.get("/stats/targets").body());
      JsonNode dl = s.get("/dead-letters?rule=analysis:vitals-trend").json().get("deadLetters");
      assertThat(dl).hasSize(1);
      assertThat(dl.get(0).get("error").asText())
          .isEqualTo("eventTime: the event has no detail.measuredAt");
      JsonNode st = s.get("/analyses/vitals-trend").json();
      assertThat(st.get("eventsIn").asLong()).isEqualTo(23); // 24 lines, "--" not among them
      assertThat(st.get("refused").asLong()).isEqualTo(1);
      assertThat(st.get("watermark").asText()).isEqualTo("2026-11-30T08:05:05Z");
      // the other rules of the example are untouched by the readings
      assertThat(delivered(s, "alert-on-abnormal", "oncall")).isIn(-1L, 0L);
    }
  }
}

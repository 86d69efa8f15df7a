package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.sluice.core.Json;
import io.sluice.testkit.Await;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimePart;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health example's daily report, as its config is written (the SMTP port swapped for a real
 * SMTP server's, GreenMail): a file is uploaded and analysed, the 07:00 schedule is fired, and the
 * mail that arrives has the summary, the rejected rows per file, the heart-rate and SpO2 charts as
 * inline images and the flagged readings, with the numbers the same SQL gives run directly. Needs
 * python3 (the analyzer), as the example does.
 */
class HealthReportTest {

  @TempDir Path dir;

  static JsonNode rows(ServerFixture s, String sql) {
    var r =
        s.post(
            "/query",
            "application/json",
            Json.MAPPER.createObjectNode().put("sql", sql).toString());
    return r.status() == 200 ? r.json().get("rows") : null;
  }

  static long count(ServerFixture s, String table) {
    JsonNode r = rows(s, "SELECT count(*) FROM " + table);
    return r == null ? -1 : r.get(0).get(0).asLong();
  }

  /**
   * Whether a report's CSV holds {@code header} and exactly the rows {@code sql} answers, numbers
   * compared as numbers (the lake's JSON may write 83 where the CSV writes 83.0).
   */
  static void assertSameTable(String csv, String header, JsonNode rows) {
    String[] lines = csv.split("\n");
    assertThat(lines[0]).isEqualTo(header);
    assertThat(lines).hasSize(rows.size() + 1);
    for (int i = 0; i < rows.size(); i++) {
      String[] cells = cells(lines[i + 1]);
      assertThat(cells).hasSize(rows.get(i).size());
      for (int j = 0; j < cells.length; j++) {
        JsonNode want = rows.get(i).get(j);
        if (want.isNumber()) {
          assertThat(new java.math.BigDecimal(cells[j])).isEqualByComparingTo(want.decimalValue());
        } else {
          assertThat(cells[j]).isEqualTo(want.asText());
        }
      }
    }
  }

  /** One CSV line's cells (RFC 4180 quoting; no line breaks inside cells here). */
  static String[] cells(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(cell.toString());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    out.add(cell.toString());
    return out.toArray(String[]::new);
  }

  @Test
  void theDailyReportIsMailedWithItsChartsAndTheNumbersOfTheLake() throws Exception {
    String yaml = Files.readString(HealthMonitoringTest.EXAMPLE.resolve("sluice.yaml"));
    assertThat(yaml).contains("port: 1025");
    GreenMail mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    mail.start();
    try (ServerFixture s =
        HealthMonitoringTest.startExample(
            dir, yaml.replace("port: 1025", "port: " + mail.getSmtp().getPort()))) {
      byte[] csv =
          Files.readAllBytes(HealthMonitoringTest.EXAMPLE.resolve("vitals-2026-11-30.csv"));
      var put =
          s.http.send(
              java.net.http.HttpRequest.newBuilder(
                      s.uri("/objects/health/raw/vitals-2026-11-30.csv"))
                  .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(csv))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      Await.until(
          Duration.ofSeconds(60),
          () ->
              count(s, "vitals") == 6 && count(s, "validations") == 1 && count(s, "abnormal") == 2,
          () ->
              "vitals "
                  + count(s, "vitals")
                  + ", validations "
                  + count(s, "validations")
                  + ", abnormal "
                  + count(s, "abnormal"));
      assertThat(s.get("/alarms").json().toString()).contains("\"rejected-files\"");

      var fire = s.post("/schedules/daily-health/fire", "application/json", "");
      assertThat(fire.status()).as(fire.body()).isEqualTo(200);
      Await.until(
          Duration.ofSeconds(60),
          () -> mail.getReceivedMessages().length == 1,
          () -> mail.getReceivedMessages().length + " mails");
      MimeMessage m = mail.getReceivedMessages()[0];
      assertThat(m.getSubject()).startsWith("Health report 20");
      assertThat(m.getAllRecipients())
          .extracting(Object::toString)
          .containsExactly("oncall@example.com");
      List<Part> parts = new ArrayList<>();
      ReportsApiTest.leaves(m, parts);
      Map<String, String> attached = new LinkedHashMap<>();
      int charts = 0;
      String html = null;
      for (Part p : parts) {
        if (p.isMimeType("image/png")) {
          charts++;
        } else if (p.isMimeType("text/html")) {
          html = p.getContent().toString();
        } else if (p.getFileName() != null && p.getFileName().endsWith(".csv")) {
          attached.put(
              p.getFileName(),
              new String(((MimePart) p).getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                  .replace("\r\n", "\n"));
        }
      }
      assertThat(charts).as("heart rate and SpO2").isEqualTo(2);
      assertThat(html).contains("Heart rate by patient").contains("SpO2 by patient");
      assertThat(attached.keySet())
          .containsExactly(
              "01-summary.csv",
              "02-rejected-rows-per-file.csv",
              "03-heart-rate-by-patient.csv",
              "04-spo2-by-patient.csv",
              "05-flagged-abnormal-readings.csv");
      assertSameTable(
          attached.get("01-summary.csv"),
          "readings,patients,avg_heart_rate,lowest_spo2",
          rows(
              s,
              "SELECT count(*), count(DISTINCT patient_id), round(avg(heart_rate), 1), min(spo2)"
                  + " FROM vitals"));
      assertSameTable(
          attached.get("03-heart-rate-by-patient.csv"),
          "patient_id,heart_rate",
          rows(
              s,
              "SELECT patient_id, max(heart_rate) FROM vitals GROUP BY patient_id"
                  + " ORDER BY patient_id"));
      assertThat(attached.get("02-rejected-rows-per-file.csv"))
          .isEqualTo(
              "file,status,rows_valid,rows_rejected\nraw/vitals-2026-11-30.csv,partial,6,6\n");
      assertThat(attached.get("05-flagged-abnormal-readings.csv"))
          .startsWith("patient_id,reading_time,severity,findings\nP011,")
          .contains("critical")
          .contains("\nP006,")
          .contains("warning");
      JsonNode[] generated = new JsonNode[1];
      Await.until(
          Duration.ofSeconds(30),
          () -> {
            for (JsonNode e :
                s.get("/buses/default/events?from=earliest&limit=1000").json().get("events")) {
              if (e.get("event").get("source").asText().equals("sluice.reports")) {
                generated[0] = e.get("event");
              }
            }
            return generated[0] != null;
          },
          () -> "no report event");
      assertThat(generated[0].get("detail-type").asText()).isEqualTo("Report Generated");
      assertThat(generated[0].get("detail").get("status").asText()).isEqualTo("ok");
    } finally {
      mail.stop();
    }
  }
}

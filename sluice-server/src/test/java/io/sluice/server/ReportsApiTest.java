package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.sluice.testkit.Await;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimePart;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reports on a real server: GET /reports, POST /reports/{name}/run, the report target triggered by
 * an event shaped like the scheduler's, the stored objects and the Report Generated event.
 */
class ReportsApiTest {

  @TempDir Path dir;

  static final String CONFIG =
      """
      buses: [{name: default}, {name: ops}]
      schedules:
        - {name: hourly, cron: "0 * * * *", enabled: false}  # its events are posted by hand here
      reports:
        - name: wards
          on: {schedule: hourly}
          title: "Wards {{date}} {{detail.note}}"
          bus: ops
          sections:
            - {title: Heart rate, sql: "SELECT * FROM (VALUES ('north', 71), ('south', 64)) t(ward, hr) ORDER BY ward",
               chart: {type: bar, x: ward, y: hr}}
          formats: [html, json]
        - name: broken
          sections:
            - {title: Missing, sql: "SELECT x FROM no_such_table"}
      rules:
        - name: on-demand
          pattern: {source: [ops], detail-type: [Run Broken]}
          targets: [{id: r, report: {name: broken}}]
      """;

  static JsonNode awaitEvent(ServerFixture s, String report) {
    JsonNode[] got = new JsonNode[1];
    Await.until(
        Duration.ofSeconds(30),
        () -> {
          for (JsonNode e :
              s.get(
                      "/buses/"
                          + (report.equals("wards") ? "ops" : "default")
                          + "/events?from=earliest&limit=100")
                  .json()
                  .path("events")) {
            JsonNode ev = e.path("event");
            if (ev.path("source").asText().equals("sluice.reports")
                && ev.path("detail").path("report").asText().equals(report)) {
              got[0] = ev;
              return true;
            }
          }
          return false;
        },
        () -> "no report event for " + report);
    return got[0];
  }

  @Test
  void aRunOnRequestStoresTheReportAndPutsItsEventOnItsBus() throws Exception {
    try (ServerFixture s = ServerFixture.start(dir, CONFIG)) {
      JsonNode list = s.get("/reports").json();
      assertThat(list.path("reports").findValuesAsText("name")).containsExactly("wards", "broken");

      var run = s.post("/reports/wards/run", "application/json", "{\"detail\":{\"note\":\"now\"}}");
      assertThat(run.status()).as(run.body()).isEqualTo(200);
      JsonNode r = run.json();
      assertThat(r.path("status").asText()).isEqualTo("ok");
      assertThat(r.path("title").asText()).startsWith("Wards 20").endsWith(" now");
      assertThat(r.path("keys")).hasSize(2);
      String htmlKey = r.path("keys").path(0).asText();
      assertThat(htmlKey).startsWith("reports/wards/").endsWith("/report.html");
      var html = s.get("/objects/reports/" + htmlKey);
      assertThat(html.status()).isEqualTo(200);
      assertThat(html.body()).contains("<svg").contains("<tr><td>north</td><td>71</td></tr>");

      JsonNode event = awaitEvent(s, "wards");
      assertThat(event.path("detail-type").asText()).isEqualTo("Report Generated");
      assertThat(event.path("detail").path("keys")).isEqualTo(r.path("keys"));
    }
  }

  @Test
  void anEventShapedLikeTheSchedulersRunsTheReportThroughItsImplicitRule() throws Exception {
    try (ServerFixture s = ServerFixture.start(dir, CONFIG)) {
      var put =
          s.post(
              "/buses/default/events",
              "application/json",
              "{\"source\":\"sluice.scheduler\",\"detail-type\":\"Scheduled Event\",\"detail\":"
                  + "{\"schedule\":\"hourly\",\"scheduledTime\":\"2026-12-02T07:00:00Z\"}}");
      assertThat(put.status()).as(put.body()).isEqualTo(200);
      JsonNode event = awaitEvent(s, "wards");
      assertThat(event.path("detail").path("status").asText()).isEqualTo("ok");
      assertThat(event.path("detail").path("keys").path(0).asText())
          .isEqualTo("reports/wards/2026-12-02/070000Z/report.html");
      assertThat(s.get("/objects/reports/reports/wards/2026-12-02/070000Z/report.json").status())
          .isEqualTo(200);
    }
  }

  @Test
  void aRuleTargetRunsAPartialReportAndAnUnknownReportIsNotFound() throws Exception {
    try (ServerFixture s = ServerFixture.start(dir, CONFIG)) {
      var put =
          s.post(
              "/buses/default/events",
              "application/json",
              "{\"source\":\"ops\",\"detail-type\":\"Run Broken\",\"detail\":{}}");
      assertThat(put.status()).as(put.body()).isEqualTo(200);
      JsonNode event = awaitEvent(s, "broken");
      assertThat(event.path("detail-type").asText()).isEqualTo("Report Generated");
      assertThat(event.path("detail").path("status").asText()).isEqualTo("partial");
      assertThat(event.path("detail").path("errors").path(0).asText())
          .startsWith("section \"Missing\": ");

      var missing = s.post("/reports/nope/run", "application/json", "");
      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.body()).contains("no report named \\\"nope\\\" (reports: wards, broken)");
    }
  }

  /** A run writes objects and puts an event on the report's bus: it needs both scopes. */
  @Test
  void runningAReportNeedsObjectsWriteAndIngestOnItsBus() throws Exception {
    String objectsOnly = "objects-key-0123456789";
    String both = "both-key-0123456789";
    try (ServerFixture s =
        ServerFixture.start(
            dir,
            CONFIG
                + "auth:\n  keys:\n    - {name: o, sha256: "
                + ApiKeys.sha256Hex(objectsOnly)
                + ", scopes: [\"objects:write\"]}\n    - {name: b, sha256: "
                + ApiKeys.sha256Hex(both)
                + ", scopes: [\"objects:write\", \"ingest:ops\"]}\n")) {
      var denied =
          s.post(
              "/reports/wards/run",
              "application/json",
              "",
              "Authorization",
              "Bearer " + objectsOnly);
      assertThat(denied.status()).as(denied.body()).isEqualTo(403);
      assertThat(denied.body()).contains("ingest:ops");
      var ran =
          s.post("/reports/wards/run", "application/json", "", "Authorization", "Bearer " + both);
      assertThat(ran.status()).as(ran.body()).isEqualTo(200);
    }
  }

  /**
   * The README's example as written (its SMTP port swapped for a real SMTP server's, GreenMail):
   * the schedule fired as at 07:00 runs the report through its implicit rule, and the mail that
   * arrives has the subject, the recipient, text and HTML parts, one inline PNG per chart and the
   * CSV attachments, with the numbers the same SQL gives when run directly.
   */
  @Test
  void theReadmeExampleFiredByItsScheduleIsMailedWithItsChartsAndCsv() throws Exception {
    String readme = java.nio.file.Files.readString(Path.of("../README.md"));
    int at = readme.indexOf("```yaml", readme.indexOf("### Reports"));
    String yaml = readme.substring(at + "```yaml".length(), readme.indexOf("```", at + 7));
    assertThat(yaml).contains("port: 1025");
    GreenMail mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    mail.start();
    try (ServerFixture s =
        ServerFixture.start(dir, yaml.replace("port: 1025", "port: " + mail.getSmtp().getPort()))) {
      java.util.List<io.sluice.lake.Lake.Row> rows = new java.util.ArrayList<>();
      for (int i = 1; i <= 12; i++) {
        var data =
            io.sluice.core.Json.MAPPER
                .createObjectNode()
                .put("patient_id", "p" + (i % 4))
                .put("ward", i % 2 == 0 ? "north" : "south")
                .put("heart_rate", 60 + i);
        var event = io.sluice.core.Json.MAPPER.createObjectNode().put("source", "test");
        event.put("detail-type", "Vital").set("detail", data);
        rows.add(new io.sluice.lake.Lake.Row(i, event, data, "objects/b/vitals.csv", 1000 + i));
      }
      s.server.node().lake().append("vitals", "test", rows);
      assertThat(s.get("/reports").json().path("reports").path(0).path("schedule").asText())
          .isEqualTo("daily-health");

      var fire = s.post("/schedules/daily-health/fire", "application/json", "");
      assertThat(fire.status()).as(fire.body()).isEqualTo(200);
      JsonNode event = awaitEvent(s, "daily-health");
      assertThat(event.path("detail").path("status").asText()).as(event.toString()).isEqualTo("ok");
      assertThat(event.path("detail").path("keys")).hasSize(5);
      String html =
          s.get("/objects/reports/" + event.path("detail").path("keys").path(0).asText()).body();
      assertThat(html).contains("<tr><td>12</td><td>4</td></tr>").contains("<svg");

      Await.until(
          Duration.ofSeconds(30),
          () -> mail.getReceivedMessages().length == 1,
          () -> mail.getReceivedMessages().length + " mails");
      MimeMessage m = mail.getReceivedMessages()[0];
      assertThat(m.getSubject()).startsWith("Health report 20");
      assertThat(m.getAllRecipients())
          .extracting(Object::toString)
          .containsExactly("oncall@example.com");
      java.util.List<Part> parts = new java.util.ArrayList<>();
      leaves(m, parts);
      String text = null;
      String htmlPart = null;
      java.util.Map<String, String> csv = new java.util.LinkedHashMap<>();
      int pngs = 0;
      for (Part p : parts) {
        if (p.isMimeType("text/plain") && p.getFileName() == null) {
          text = p.getContent().toString();
        } else if (p.isMimeType("text/html")) {
          htmlPart = p.getContent().toString();
        } else if (p.isMimeType("image/png")) {
          byte[] png = ((MimePart) p).getInputStream().readAllBytes();
          assertThat(java.util.Arrays.copyOf(png, 8))
              .isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
          assertThat(((MimePart) p).getContentID()).startsWith("<chart-");
          pngs++;
        } else if (p.getFileName() != null && p.getFileName().endsWith(".csv")) {
          csv.put(
              p.getFileName(),
              new String(
                  ((MimePart) p).getInputStream().readAllBytes(),
                  java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      assertThat(text).isNotBlank();
      assertThat(htmlPart).contains("cid:chart-").doesNotContain("<svg");
      assertThat(pngs).as("one inline PNG per chart").isEqualTo(1);
      assertThat(csv).hasSize(3);

      // the numbers are the same SQL's, run directly
      JsonNode summary =
          s.post(
                  "/query",
                  "application/json",
                  io.sluice.core.Json.MAPPER
                      .createObjectNode()
                      .put(
                          "sql",
                          "SELECT count(*) AS readings, count(DISTINCT patient_id) AS patients"
                              + " FROM vitals")
                      .toString())
              .json();
      String first = csv.values().iterator().next().replace("\r\n", "\n");
      assertThat(first)
          .isEqualTo(
              "readings,patients\n"
                  + summary.path("rows").path(0).path(0).asText()
                  + ","
                  + summary.path("rows").path(0).path(1).asText()
                  + "\n");
    } finally {
      mail.stop();
    }
  }

  /** Every leaf part of a MIME tree. */
  static void leaves(Part p, java.util.List<Part> out) throws Exception {
    if (p.isMimeType("multipart/*")) {
      Multipart mp = (Multipart) p.getContent();
      for (int i = 0; i < mp.getCount(); i++) {
        leaves(mp.getBodyPart(i), out);
      }
    } else {
      out.add(p);
    }
  }
}

package io.sluice.notify.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.Json;
import io.sluice.core.config.ReportConfig;
import io.sluice.core.config.ReportConfig.Chart;
import io.sluice.core.config.ReportConfig.Email;
import io.sluice.core.config.ReportConfig.Section;
import io.sluice.core.functions.Functions;
import io.sluice.core.functions.InvocationResult;
import io.sluice.core.kinds.EventSink;
import io.sluice.lake.Lake;
import io.sluice.lake.LakeSettings;
import io.sluice.lake.RowSink;
import io.sluice.notify.MailMessage;
import io.sluice.objects.ObjectEvents;
import io.sluice.objects.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reports over a real lake (DuckDB) and a real object store. */
class ReportTest {

  @TempDir java.nio.file.Path dir;
  Lake lake;
  ObjectStore store;
  final List<JsonNode> events = new CopyOnWriteArrayList<>();
  final List<String> eventBuses = new CopyOnWriteArrayList<>();
  final List<MailMessage> mails = new CopyOnWriteArrayList<>();
  final Clock clock = Clock.fixed(Instant.parse("2026-12-02T06:00:00Z"), ZoneOffset.UTC);

  final EventSink sink =
      (bus, evs) -> {
        eventBuses.add(bus);
        events.addAll(evs);
        return CompletableFuture.completedFuture(
            evs.stream().map(e -> EventSink.Result.STORED).toList());
      };

  /** Functions as the node's: insights answers {text}, broken fails as a handler error would. */
  final Functions functions =
      new Functions() {
        @Override
        public InvocationResult invoke(
            String name, byte[] payload, String caller, Duration maxWait, String requestId) {
          if (name.equals("insights")) {
            JsonNode in = read(payload);
            return new InvocationResult.Success(
                ("{\"text\":\"" + in.path("rows").size() + " wards checked\"}")
                    .getBytes(StandardCharsets.UTF_8),
                Duration.ZERO);
          }
          return new InvocationResult.Failure(
              "ValueError", "no model", List.of(), InvocationResult.Kind.HANDLER, Duration.ZERO);
        }

        @Override
        public String invokeAsync(String name, byte[] payload) {
          throw new UnsupportedOperationException();
        }

        @Override
        public boolean has(String name) {
          return true;
        }

        @Override
        public List<Info> list() {
          return List.of();
        }

        @Override
        public List<LogLine> logs(String name, long afterSequence, int limit) {
          return List.of();
        }

        @Override
        public String bootId() {
          return "test";
        }
      };

  static JsonNode read(byte[] b) {
    try {
      return Json.MAPPER.readTree(b);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @BeforeEach
  void open() throws Exception {
    lake =
        Lake.open(
            dir.resolve("lake"),
            Clock.systemUTC(),
            new SimpleMeterRegistry(),
            LakeSettings.DEFAULTS.withCompactionInterval(Duration.ZERO));
    List<Lake.Row> rows = new ArrayList<>();
    String[] wards = {"north", "south", "east"};
    for (int i = 1; i <= 30; i++) {
      var data =
          Json.MAPPER
              .createObjectNode()
              .put("patient_id", "p" + (i % 7))
              .put("ward", wards[i % 3])
              .put("heart_rate", 60 + (i * 7) % 50);
      var event = Json.MAPPER.createObjectNode().put("id", "v-" + i).put("source", "test");
      event.put("detail-type", "Vital").put("time", "2026-12-01T10:00:00Z").set("detail", data);
      rows.add(new Lake.Row(i, event, data, "objects/b/vitals.csv", 1000 + i));
    }
    lake.append("vitals", "test", rows);
    store = new ObjectStore(dir.resolve("objects"), 1L << 30, ObjectEvents.NONE, clock);
  }

  @AfterEach
  void close() {
    lake.close();
  }

  static final String BY_WARD =
      "SELECT ward, avg(heart_rate) AS hr, max(heart_rate) AS top FROM vitals GROUP BY ward ORDER BY"
          + " ward";

  ReportConfig health(Email email, Section... extra) {
    List<Section> sections = new ArrayList<>();
    sections.add(
        new Section(
            "Summary",
            "SELECT count(*) AS readings, count(DISTINCT patient_id) AS patients FROM vitals",
            null,
            null,
            100));
    sections.add(
        new Section(
            "Heart rate by ward",
            BY_WARD,
            new Chart("bar", "ward", List.of("hr", "top")),
            null,
            100));
    sections.add(
        new Section("Readings", "SELECT * FROM vitals ORDER BY heart_rate", null, null, 5));
    sections.addAll(Arrays.asList(extra));
    return new ReportConfig(
        "daily-health",
        "daily-health",
        "Health report {{date}} ({{detail.ward}})",
        sections,
        List.of("html", "csv", "json"),
        "reports",
        "ops",
        email);
  }

  Reports reports(ReportConfig c, io.sluice.notify.Mailer mailer) {
    return new Reports(List.of(c), lake, store, functions, mailer, sink, clock);
  }

  List<List<String>> direct(String sql) throws Exception {
    List<List<String>> out = new ArrayList<>();
    lake.query(
        sql,
        new RowSink() {
          @Override
          public void start(List<String> columns, List<String> types) {}

          @Override
          public void row(Object[] values) {
            List<String> r = new ArrayList<>();
            for (Object v : values) {
              r.add(ReportRenderer.cell(v));
            }
            out.add(r);
          }

          @Override
          public void end(long rows, boolean truncated) {}
        });
    return out;
  }

  String object(String key) throws Exception {
    var in = store.open("reports", key).orElseThrow(() -> new AssertionError("no object " + key));
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aReportOverTheLakeIsStoredAsHtmlCsvAndJsonWithTheNumbersOfItsSql() throws Exception {
    var scheduled =
        Json.MAPPER.readTree(
            "{\"source\":\"sluice.scheduler\",\"detail-type\":\"Scheduled Event\",\"detail\":"
                + "{\"schedule\":\"daily-health\",\"scheduledTime\":\"2026-12-02T05:00:00Z\","
                + "\"ward\":\"all\"}}");
    ReportRun run = reports(health(null), null).run("daily-health", scheduled);

    assertThat(run.status()).as("%s", run.errors()).isEqualTo("ok");
    assertThat(run.title()).isEqualTo("Health report 2026-12-02 (all)");
    String prefix = "reports/daily-health/2026-12-02/050000Z/";
    assertThat(run.keys())
        .containsExactly(
            prefix + "report.html",
            prefix + "01-summary.csv",
            prefix + "02-heart-rate-by-ward.csv",
            prefix + "03-readings.csv",
            prefix + "report.json");
    for (String k : run.keys()) {
      assertThat(store.head("reports", k)).as(k).isPresent();
    }

    List<List<String>> byWard = direct(BY_WARD);
    assertThat(byWard).hasSize(3);
    String html = object(prefix + "report.html");
    for (List<String> row : byWard) {
      assertThat(html).contains("<tr><td>" + String.join("</td><td>", row) + "</td></tr>");
    }
    List<String> summary = direct("SELECT count(*), count(DISTINCT patient_id) FROM vitals").get(0);
    assertThat(summary).containsExactly("30", "7");
    assertThat(html).contains("<tr><td>30</td><td>7</td></tr>");
    // a table shows its limit and says the total
    assertThat(html).contains("showing 5 of 30 rows");
    // self-contained: one inline SVG for the one chart, nothing fetched from elsewhere
    assertThat(html.split("<svg", -1)).hasSize(2);
    assertThat(html).doesNotContainIgnoringCase("<script").doesNotContain("<link");
    assertThat(html).doesNotContain("src=").doesNotContain("href=");
    // the SVG's clip paths are url(#id): references within the file
    assertThat(html).doesNotContainPattern("url\\((?!#)");

    StringBuilder csv = new StringBuilder("ward,hr,top\r\n");
    byWard.forEach(r -> csv.append(String.join(",", r)).append("\r\n"));
    assertThat(object(prefix + "02-heart-rate-by-ward.csv")).isEqualTo(csv.toString());
    assertThat(object(prefix + "03-readings.csv").split("\r\n")).hasSize(31);

    JsonNode json = Json.MAPPER.readTree(object(prefix + "report.json"));
    assertThat(json.path("title").asText()).isEqualTo(run.title());
    assertThat(json.path("status").asText()).isEqualTo("ok");
    assertThat(json.path("time").asText()).isEqualTo("2026-12-02T05:00:00Z");
    JsonNode ward = json.path("sections").path(1);
    assertThat(ward.path("columns").toString()).isEqualTo("[\"ward\",\"hr\",\"top\"]");
    for (int i = 0; i < 3; i++) {
      for (int c = 0; c < 3; c++) {
        assertThat(ward.path("rows").path(i).path(c).asText()).isEqualTo(byWard.get(i).get(c));
      }
    }
    assertThat(json.path("sections").path(2).path("total").asInt()).isEqualTo(30);

    assertThat(eventBuses).containsExactly("ops");
    JsonNode e = events.get(0);
    assertThat(e.path("source").asText()).isEqualTo("sluice.reports");
    assertThat(e.path("detail-type").asText()).isEqualTo("Report Generated");
    assertThat(e.path("detail").path("report").asText()).isEqualTo("daily-health");
    assertThat(e.path("detail").path("status").asText()).isEqualTo("ok");
    assertThat(e.path("detail").path("sections").asInt()).isEqualTo(3);
    assertThat(e.path("detail").path("keys")).hasSize(5);
    assertThat(e.path("detail").path("errors")).isEmpty();
  }

  @Test
  void runsAtOtherTimesDoNotOverwriteEachOther() throws Exception {
    Reports r = reports(health(null), null);
    ReportRun a =
        r.run(
            "daily-health",
            Json.MAPPER.readTree("{\"detail\":{\"scheduledTime\":\"2026-12-02T05:00:00Z\"}}"));
    ReportRun b =
        r.run(
            "daily-health",
            Json.MAPPER.readTree("{\"detail\":{\"scheduledTime\":\"2026-12-02T06:00:00Z\"}}"));
    assertThat(a.keys()).doesNotContainAnyElementsOf(b.keys());
    assertThat(b.keys().get(0)).isEqualTo("reports/daily-health/2026-12-02/060000Z/report.html");
  }

  @Test
  void aFailingSqlOrFunctionSectionIsAnErrorSectionAndTheReportIsPartialButStored()
      throws Exception {
    ReportConfig c =
        health(
            null,
            new Section("Broken", "SELECT nope FROM no_such_table", null, null, 100),
            new Section("Not read-only", "DELETE FROM vitals", null, null, 100),
            new Section("Insights", BY_WARD, null, "insights", 100),
            new Section("Model", null, null, "broken", 100));
    ReportRun run = reports(c, null).run("daily-health", null);

    assertThat(run.status()).isEqualTo("partial");
    assertThat(run.errors()).hasSize(3);
    assertThat(run.errors().get(0)).startsWith("section \"Broken\": ");
    assertThat(run.errors().get(1)).startsWith("section \"Not read-only\": ");
    assertThat(run.errors().get(2))
        .isEqualTo("section \"Model\": function broken failed: ValueError: no model");
    String prefix = "reports/daily-health/2026-12-02/060000Z/";
    String html = object(prefix + "report.html");
    assertThat(html).contains("<h2>Broken</h2>\n<div class=\"error\">");
    assertThat(html)
        .contains(
            "<h2>Model</h2>\n<div class=\"error\"><strong>Error:</strong> function broken failed: ValueError: no model");
    assertThat(html).contains("<div class=\"text\">3 wards checked</div>");
    JsonNode json = Json.MAPPER.readTree(object(prefix + "report.json"));
    assertThat(json.path("status").asText()).isEqualTo("partial");
    assertThat(json.path("sections").path(3).path("error").asText()).isNotEmpty();
    assertThat(json.path("sections").path(5).path("text").asText()).isEqualTo("3 wards checked");
    // the vitals are still there: the DELETE was refused
    assertThat(direct("SELECT count(*) FROM vitals").get(0)).containsExactly("30");

    JsonNode e = events.get(0);
    assertThat(e.path("detail-type").asText()).isEqualTo("Report Generated");
    assertThat(e.path("detail").path("status").asText()).isEqualTo("partial");
    assertThat(e.path("detail").path("errors")).hasSize(3);
    assertThat(e.path("detail").path("keys")).hasSize(5);
  }

  @Test
  void theMailHasTheTitleTextHtmlAnInlinePngPerChartAndTheCsvAttachments() throws Exception {
    ReportConfig c =
        health(
            new Email(List.of("oncall@example.com"), List.of(), List.of("csv")),
            new Section("Trend", BY_WARD, new Chart("line", "ward", List.of("hr")), null, 100));
    ReportRun run = reports(c, mails::add).run("daily-health", null);

    assertThat(run.status()).as("%s", run.errors()).isEqualTo("ok");
    assertThat(mails).hasSize(1);
    MailMessage m = mails.get(0);
    assertThat(m.to()).containsExactly("oncall@example.com");
    assertThat(m.subject()).isEqualTo("Health report 2026-12-02 ()");
    assertThat(m.text()).contains("Heart rate by ward").contains("ward | hr | top");
    assertThat(m.html()).contains("<img src=\"cid:chart-2\"").contains("<img src=\"cid:chart-4\"");
    assertThat(m.html()).doesNotContain("<svg");
    assertThat(m.inline()).extracting(MailMessage.Part::name).containsExactly("chart-2", "chart-4");
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    for (MailMessage.Part p : m.inline()) {
      assertThat(p.contentType()).isEqualTo("image/png");
      assertThat(Arrays.copyOf(p.bytes(), 8)).isEqualTo(png);
    }
    assertThat(m.attachments())
        .extracting(MailMessage.Part::name)
        .containsExactly(
            "01-summary.csv", "02-heart-rate-by-ward.csv", "03-readings.csv", "04-trend.csv");
    assertThat(new String(m.attachments().get(1).bytes(), StandardCharsets.UTF_8))
        .isEqualTo(object("reports/daily-health/2026-12-02/060000Z/02-heart-rate-by-ward.csv"));
  }

  @Test
  void aMailThatCannotBeSentMakesTheRunPartial() {
    ReportConfig c = health(new Email(List.of("oncall@example.com"), List.of(), List.of()));
    ReportRun run =
        reports(
                c,
                m -> {
                  throw io.sluice.core.targets.DeliveryException.retryable("421 try later");
                })
            .run("daily-health", null);
    assertThat(run.status()).isEqualTo("partial");
    assertThat(run.errors())
        .singleElement()
        .asString()
        .startsWith("email: not sent to oncall@example.com: ")
        .contains("421 try later");
    assertThat(events.get(0).path("detail").path("status").asText()).isEqualTo("partial");
  }

  /**
   * A report stored and mailed whose event the bus refuses is not run again (it would be mailed
   * twice): the run stands, partial, with the event's failure among its errors.
   */
  @Test
  void aRefusedEventAfterTheMailDoesNotRunTheReportAgain() {
    ReportConfig c = health(new Email(List.of("oncall@example.com"), List.of(), List.of()));
    EventSink refusing =
        (bus, evs) ->
            CompletableFuture.completedFuture(
                evs.stream().map(e -> new EventSink.Result("bus is full", true)).toList());
    ReportRun run =
        new Reports(List.of(c), lake, store, functions, mails::add, refusing, clock)
            .run("daily-health", null);
    assertThat(mails).hasSize(1);
    assertThat(run.status()).isEqualTo("partial");
    assertThat(run.keys()).isNotEmpty();
    assertThat(run.errors())
        .singleElement()
        .asString()
        .startsWith("event: report daily-health ran (ok) but its event was not stored on bus")
        .endsWith("bus is full");
  }

  @Test
  void anUnknownReportIsNotFound() {
    Reports r = reports(health(null), null);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.run("nope", null))
        .isInstanceOf(io.sluice.core.InvalidInputException.class)
        .hasMessageContaining("no report named \"nope\" (reports: daily-health)");
  }
}

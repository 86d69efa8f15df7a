package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sports-events example's Lambda path end to end, with a real python3: its Firehose transform
 * reshapes every match into {@code cat1_lambda} beside the jq rule's {@code cat1}, a record it
 * fails is dead-lettered with its message, and the Invoke API answers Firehose's test event.
 */
class SportsEventsTest {

  static final Path EXAMPLE = Path.of("../examples/sports-events");

  @TempDir Path dir;

  static ServerFixture start(Path dir) throws Exception {
    return ServerFixture.start(dir, EXAMPLE, Files.readString(EXAMPLE.resolve("sluice.yaml")), 0);
  }

  static JsonNode rows(ServerFixture s, String sql) {
    var r =
        s.post(
            "/query",
            "application/json",
            Json.MAPPER.createObjectNode().put("sql", sql).toString());
    if (r.status() != 200) {
      throw new AssertionError(sql + " → " + r.status() + " " + r.body());
    }
    return r.json().get("rows");
  }

  static long count(ServerFixture s, String table) {
    var r =
        s.post(
            "/query",
            "application/json",
            Json.MAPPER.createObjectNode().put("sql", "SELECT count(*) FROM " + table).toString());
    return r.status() == 200 ? r.json().get("rows").get(0).get(0).asLong() : -1;
  }

  @Test
  void theFirehoseLambdaReshapesEveryMatchBesideTheJqRuleAndFailsABadRecordByName()
      throws Exception {
    try (ServerFixture s = start(dir)) {
      var sent =
          s.post(
              "/buses/databus/events",
              "application/x-ndjson",
              Files.readAllBytes(EXAMPLE.resolve("events.ndjson")));
      assertThat(sent.status()).as(sent.body()).isEqualTo(200);
      Await.until(
          Duration.ofSeconds(60),
          () -> count(s, "cat1_lambda") == 60 && count(s, "cat1") == 60 && count(s, "cat2") == 156,
          () ->
              "rows: cat1 "
                  + count(s, "cat1")
                  + ", cat1_lambda "
                  + count(s, "cat1_lambda")
                  + ", cat2 "
                  + count(s, "cat2"));

      // each row is its jq twin's, with the revenue rounded to cents and a fixture label
      assertThat(
              rows(
                      s,
                      "SELECT count(*) FROM cat1 m JOIN cat1_lambda l USING (match_id)"
                          + " WHERE l.revenue = round(m.revenue, 2) AND l.sport = m.sport"
                          + " AND l.dt = m.dt AND l.fixture = m.home_team || ' v ' || m.away_team")
                  .toString())
          .isEqualTo("[[60]]");
      assertThat(
              rows(
                      s,
                      "SELECT m.revenue, l.revenue, l.fixture FROM cat1 m JOIN cat1_lambda l"
                          + " USING (match_id) WHERE match_id = 'M-001'")
                  .toString())
          .isEqualTo("[[3706796.6100000003,3706796.61,\"Brighton v Chelsea\"]]");
      // the table's columns are the row the function made (sport is a partition key, not a field)
      List<String> columns = new ArrayList<>();
      rows(s, "SELECT column_name FROM (DESCRIBE cat1_lambda)")
          .forEach(r -> columns.add(r.get(0).asText()));
      assertThat(columns)
          .containsExactly(
              "id",
              "source",
              "detail_type",
              "time",
              "ingestion_time",
              "bus",
              "partition",
              "offset",
              "replay_name",
              "_extra",
              "match_id",
              "league",
              "home_team",
              "away_team",
              "venue",
              "city",
              "kickoff",
              "tickets_sold",
              "ticket_price",
              "revenue",
              "fixture",
              "dt",
              "sport");

      // a match without a price: the function answers ProcessingFailed; the lake keeps the row
      // in its _errors with the function's message
      var bad =
          s.post(
              "/buses/databus/events",
              "application/json",
              "{\"id\":\"M-103-scheduled\",\"source\":\"sports.feed\",\"detail-type\":\"Match"
                  + " Scheduled\",\"detail\":{\"match_id\":\"M-103\",\"sport\":\"rugby\","
                  + "\"home_team\":\"Leeds\",\"away_team\":\"Bath\",\"tickets_sold\":12000,"
                  + "\"ticket_price\":\"TBA\"}}");
      assertThat(bad.status()).as(bad.body()).isEqualTo(200);
      java.nio.file.Path errors =
          s.server.node().config().dataDir().resolve("lake/_errors/cat1_lambda");
      String[] written = new String[1];
      Await.until(
          Duration.ofSeconds(60),
          () -> {
            try (var files = Files.list(errors)) {
              written[0] =
                  files
                      .map(
                          f -> {
                            try {
                              return Files.readString(f);
                            } catch (java.io.IOException e) {
                              return "";
                            }
                          })
                      .reduce("", String::concat);
              return written[0].contains("M-103-scheduled");
            } catch (java.io.IOException e) {
              return false;
            }
          },
          () -> "no _errors entry for M-103: " + written[0]);
      JsonNode entry = Json.MAPPER.readTree(written[0].lines().findFirst().orElseThrow());
      assertThat(entry.get("target").asText()).isEqualTo("databus/matches-lambda/cat1-lambda");
      assertThat(entry.get("event").get("id").asText()).isEqualTo("M-103-scheduled");
      assertThat(entry.get("error").asText())
          .isEqualTo(
              "transform failed: function firehose-transform failed record 0 (ProcessingFailed):"
                  + " ticket_price: expected a number, got \"TBA\"");
      assertThat(s.get("/dead-letters?rule=matches-lambda").json().get("deadLetters")).isEmpty();
      assertThat(count(s, "cat1_lambda")).isEqualTo(60);
    }
  }

  @Test
  void theInvokeApiAnswersFirehosesTestEventWithOkDroppedAndProcessingFailed() throws Exception {
    try (ServerFixture s = start(dir)) {
      var r =
          s.post(
              "/2015-03-31/functions/firehose-transform/invocations",
              "application/json",
              Files.readAllBytes(EXAMPLE.resolve("firehose-test-event.json")));
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.header("X-Amz-Function-Error")).isNull();
      JsonNode records = r.json().get("records");
      assertThat(records).hasSize(3);
      assertThat(records.get(0).get("recordId").asText()).isEqualTo("1");
      assertThat(records.get(0).get("result").asText()).isEqualTo("Ok");
      assertThat(
              new String(
                  Base64.getDecoder().decode(records.get(0).get("data").asText()),
                  StandardCharsets.UTF_8))
          .isEqualTo(
              "{\"match_id\":\"M-101\",\"home_team\":\"Brighton\",\"away_team\":\"Chelsea\","
                  + "\"tickets_sold\":31053,\"ticket_price\":119.37,\"revenue\":3706796.61,"
                  + "\"fixture\":\"Brighton v Chelsea\"}");
      assertThat(records.get(1).toString())
          .isEqualTo("{\"recordId\":\"2\",\"result\":\"Dropped\"}");
      assertThat(records.get(2).toString())
          .isEqualTo(
              "{\"recordId\":\"3\",\"result\":\"ProcessingFailed\",\"errorMessage\":"
                  + "\"ticket_price: expected a number, got \\\"TBA\\\"\"}");
    }
  }

  /**
   * The hourly revenue report of the example, run on request over the events as sent: its CSV of
   * revenue per sport is what the same SQL answers, its HTML carries the chart, and a Report
   * Generated event names the objects on databus.
   */
  @Test
  void theHourlyRevenueReportIsStoredWithTheNumbersOfItsSql() throws Exception {
    try (ServerFixture s = start(dir)) {
      var sent =
          s.post(
              "/buses/databus/events",
              "application/x-ndjson",
              Files.readAllBytes(EXAMPLE.resolve("events.ndjson")));
      assertThat(sent.status()).as(sent.body()).isEqualTo(200);
      Await.until(Duration.ofSeconds(60), () -> count(s, "cat1") == 60, () -> "cat1 rows");
      var run = s.post("/reports/hourly-revenue/run", "application/json", "");
      assertThat(run.status()).as(run.body()).isEqualTo(200);
      JsonNode r = run.json();
      assertThat(r.path("status").asText()).as(run.body()).isEqualTo("ok");
      java.util.List<String> keys = new java.util.ArrayList<>();
      r.path("keys").forEach(k -> keys.add(k.asText()));
      assertThat(keys).hasSize(4).allMatch(k -> k.startsWith("reports/hourly-revenue/"));
      String csvKey =
          keys.stream()
              .filter(k -> k.endsWith("01-revenue-by-sport.csv"))
              .findFirst()
              .orElseThrow();
      String csv = s.get("/objects/reports/" + csvKey).body().replace("\r\n", "\n");
      JsonNode want =
          rows(
              s,
              "SELECT sport, count(*), sum(tickets_sold), round(sum(revenue), 2) FROM cat1"
                  + " GROUP BY sport ORDER BY 4 DESC");
      String[] lines = csv.split("\n");
      assertThat(lines[0]).isEqualTo("sport,matches,tickets,revenue");
      assertThat(lines).hasSize(want.size() + 1);
      for (int i = 0; i < want.size(); i++) {
        String[] cells = lines[i + 1].split(",");
        assertThat(cells[0]).isEqualTo(want.get(i).get(0).asText());
        assertThat(Long.parseLong(cells[1])).isEqualTo(want.get(i).get(1).asLong());
        assertThat(Long.parseLong(cells[2])).isEqualTo(want.get(i).get(2).asLong());
        assertThat(new java.math.BigDecimal(cells[3]))
            .isEqualByComparingTo(want.get(i).get(3).decimalValue());
      }
      String htmlKey =
          keys.stream().filter(k -> k.endsWith("report.html")).findFirst().orElseThrow();
      assertThat(s.get("/objects/reports/" + htmlKey).body())
          .contains("<svg")
          .contains("Top venues")
          .contains("Ticket revenue, 20");
      Await.until(
          Duration.ofSeconds(30),
          () -> {
            for (JsonNode e :
                s.get("/buses/databus/events?from=earliest&limit=1000").json().get("events")) {
              JsonNode ev = e.get("event");
              if (ev.get("source").asText().equals("sluice.reports")
                  && ev.get("detail").get("keys").toString().contains(htmlKey)) {
                return true;
              }
            }
            return false;
          },
          () -> "no Report Generated event on databus");
    }
  }
}

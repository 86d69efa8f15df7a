package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.testkit.Await;
import io.sluice.testkit.HttpReceiver;
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
 * The market-and-accounts example as written, its webhooks pointed at a receiver: the example's own
 * payments.ndjson and prices.ndjson over HTTP, every result and every alert checked against values
 * counted by hand (the comments give the arithmetic), the bad lines of the files ignored or
 * dead-lettered.
 */
class MarketAndAccountsTest {

  static final Path EXAMPLE = Path.of("../examples/market-and-accounts");

  @TempDir Path dir;

  static ServerFixture start(Path dir, HttpReceiver hooks) throws Exception {
    String yaml = Files.readString(EXAMPLE.resolve("sluice.yaml"));
    assertThat(yaml).contains("http://127.0.0.1:9000/");
    String base = hooks.url().toString().replaceAll("/$", "");
    return ServerFixture.start(dir, EXAMPLE, yaml.replace("http://127.0.0.1:9000", base), 0);
  }

  /** The example's NDJSON file as one POST, in file order (the buses have one partition). */
  static void sendFile(ServerFixture s, String bus, String file) throws Exception {
    List<String> lines = Files.readAllLines(EXAMPLE.resolve(file));
    var r =
        s.post(
            "/buses/" + bus + "/events", "application/json", "[" + String.join(",", lines) + "]");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("\"error\"");
    assertThat(r.json().get("entries")).hasSize(lines.size());
  }

  static List<JsonNode> details(ServerFixture s, String bus) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e :
        s.get("/buses/" + bus + "/events?from=earliest&limit=1000").json().get("events")) {
      out.add(e.get("event").get("detail"));
    }
    return out;
  }

  /** A number as plain text (50, not 5E+1 nor 50.0), or null. */
  static String num(JsonNode n) {
    return n == null || n.isNull() ? "null" : n.decimalValue().stripTrailingZeros().toPlainString();
  }

  static List<String> hooks(HttpReceiver r, String path) {
    List<String> out = new ArrayList<>();
    for (HttpReceiver.Request q : r.requests()) {
      if (q.path().equals(path)) {
        out.add(
            q.json().get("detail").get("windowStart").asText()
                + " "
                + q.json().get("detail").toString());
      }
    }
    return out;
  }

  static List<String> errors(ServerFixture s, String analysis) {
    List<String> out = new ArrayList<>();
    s.get("/dead-letters?rule=analysis:" + analysis)
        .json()
        .get("deadLetters")
        .forEach(d -> out.add(d.get("error").asText()));
    return out;
  }

  @Test
  void aBalanceBelowTenAlertsOncePerCrossingNotWhileItStaysBelow() throws Exception {
    try (HttpReceiver hooks = HttpReceiver.start(r -> HttpReceiver.Reply.OK);
        ServerFixture s = start(dir, hooks)) {
      sendFile(s, "payments", "payments.ndjson");
      // C-1001: 09:00:00 +25 → 25; :01 -8 -4 → 13; :02 -5 → 8 (13 ≥ 10, 8 < 10: crossed);
      // :03 -3 → 5 (already below: no alert; "ten" is not a number, the pattern leaves it out;
      // "2026-12-01 09:00:03" is no RFC 3339 time: a dead letter); :04 +10 → 15 (sent after the
      // :05 payment, 0.6 s out of order, within maxOutOfOrder); :05 -2 → 13; :06 -3.5 → 9.5
      // (crossed again). C-2002: +5 → 5 is below 10 from the start: never a crossing. The
      // watermark is 09:00:08 (C-2002's 09:00:10 minus 2 s): the 09:00:10 second is still open.
      Await.until(
          Duration.ofSeconds(30),
          () -> details(s, "balances").size() == 8 && errors(s, "customer-balance").size() == 2,
          () ->
              "balances "
                  + details(s, "balances")
                  + ", dead letters "
                  + errors(s, "customer-balance"));
      assertThat(details(s, "balances"))
          .extracting(
              d ->
                  d.get("windowStart").asText().substring(17, 19)
                      + " "
                      + d.get("customer").asText()
                      + " "
                      + num(d.get("balance"))
                      + " "
                      + d.get("crossed"))
          .containsExactly(
              "00 C-1001 25 false",
              "00 C-2002 5 false",
              "01 C-1001 13 false",
              "02 C-1001 8 true",
              "03 C-1001 5 false",
              "04 C-1001 15 false",
              "05 C-1001 13 false",
              "06 C-1001 9.5 true");
      Await.until(
          Duration.ofSeconds(30),
          () -> hooks(hooks, "/low-balance").size() == 2,
          () -> hooks.requests().toString());
      assertThat(hooks(hooks, "/low-balance")) // deliveries run concurrently: in any order
          .containsExactlyInAnyOrder(
              "2026-12-01T09:00:02Z {\"customer\":\"C-1001\",\"balance\":8,\"crossed\":true,"
                  + "\"analysis\":\"customer-balance\",\"windowStart\":\"2026-12-01T09:00:02Z\","
                  + "\"windowEnd\":\"2026-12-01T09:00:03Z\",\"revision\":1}",
              "2026-12-01T09:00:06Z {\"customer\":\"C-1001\",\"balance\":9.5,\"crossed\":true,"
                  + "\"analysis\":\"customer-balance\",\"windowStart\":\"2026-12-01T09:00:06Z\","
                  + "\"windowEnd\":\"2026-12-01T09:00:07Z\",\"revision\":1}");
      assertThat(hooks.requests()).hasSize(2);
      // the last line, C-1001 -1 at 09:00:00.900, came after the watermark passed 09:00:08: with
      // no allowedLateness it is a dead letter, and no balance (nor alert) is revised
      assertThat(errors(s, "customer-balance"))
          .containsExactlyInAnyOrder(
              "eventTime: expected detail.at to be RFC 3339 with an offset or epoch milliseconds,"
                  + " got \"2026-12-01 09:00:03\"",
              "late by 7s: event time 2026-12-01T09:00:00.900Z, watermark 2026-12-01T09:00:08Z,"
                  + " allowed lateness 0s");
      JsonNode st = s.get("/analyses/customer-balance").json();
      assertThat(st.get("eventsIn").asLong()).isEqualTo(12); // 13 lines, "ten" not among them
      assertThat(st.get("results").asLong()).isEqualTo(8);
    }
  }

  @Test
  void aLastPriceFallingThroughItsStopLimitAlertsOnceAtTheSecondItFalls() throws Exception {
    try (HttpReceiver hooks = HttpReceiver.start(r -> HttpReceiver.Reply.OK);
        ServerFixture s = start(dir, hooks)) {
      var put =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(s.uri("/objects/market/ref/stop-limits.csv"))
                      .PUT(HttpRequest.BodyPublishers.ofFile(EXAMPLE.resolve("stop-limits.csv")))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      sendFile(s, "prices", "prices.ndjson");
      // CRANE (limit 100), last price by event time per second: :00 100.5; :01 100.2 (the 99.0
      // at 01.3 arrived after the 100.2 at 01.9); :02 99.5 (100.2 ≥ 100 > 99.5: crossed); :03 98
      // (already below; "n/a" is left out); :04 101; :05 99.9 (crossed); :08 100, closed by the
      // 09:45 ticks. BOLT (limit 50): :00 49; :02 51; :03 48 (crossed; the tick at "09:30:03"
      // has no date: a dead letter). ZZZ has no limit: no row; ACME-A and ACME-B neither.
      Await.until(
          Duration.ofSeconds(30),
          () -> details(s, "quotes").size() == 10 && errors(s, "stop-limit").size() == 1,
          () -> "quotes " + details(s, "quotes") + ", dead letters " + errors(s, "stop-limit"));
      assertThat(details(s, "quotes"))
          .extracting(
              d ->
                  d.get("windowStart").asText().substring(17, 19)
                      + " "
                      + d.get("symbol").asText()
                      + " "
                      + num(d.get("last_price"))
                      + " after "
                      + num(d.get("previous_price"))
                      + " limit "
                      + num(d.get("stop_limit"))
                      + " "
                      + d.get("crossed"))
          .containsExactly(
              "00 BOLT 49 after null limit 50 false",
              "00 CRANE 100.5 after null limit 100 false",
              "01 CRANE 100.2 after 100.5 limit 100 false",
              "02 BOLT 51 after 49 limit 50 false",
              "02 CRANE 99.5 after 100.2 limit 100 true",
              "03 BOLT 48 after 51 limit 50 true",
              "03 CRANE 98 after 99.5 limit 100 false",
              "04 CRANE 101 after 98 limit 100 false",
              "05 CRANE 99.9 after 101 limit 100 true",
              "08 CRANE 100 after 99.9 limit 100 false");
      Await.until(
          Duration.ofSeconds(30),
          () -> hooks(hooks, "/stop-limit").size() == 3,
          () -> hooks.requests().toString());
      assertThat(hooks(hooks, "/stop-limit"))
          .extracting(
              h ->
                  h.substring(0, h.indexOf(' '))
                      + " "
                      + h.replaceAll(
                          ".*\"symbol\":\"([A-Z]+)\",\"last_price\":([0-9.]+).*", "$1 $2"))
          .containsExactlyInAnyOrder(
              "2026-12-01T09:30:02Z CRANE 99.5",
              "2026-12-01T09:30:03Z BOLT 48",
              "2026-12-01T09:30:05Z CRANE 99.9");
      assertThat(errors(s, "stop-limit"))
          .containsExactly(
              "eventTime: expected detail.at to be RFC 3339 with an offset or epoch milliseconds,"
                  + " got \"09:30:03\"");
      assertThat(errors(s, "pair-spread")).isEmpty(); // BOLT is not one of its pair
    }
  }

  @Test
  void theSpreadAlertsEveryFiveSecondWindowAboveTwoPercentAndNotAtExactlyTwo() throws Exception {
    try (HttpReceiver hooks = HttpReceiver.start(r -> HttpReceiver.Reply.OK);
        ServerFixture s = start(dir, hooks)) {
      sendFile(s, "prices", "prices.ndjson");
      // one tick of each at 09:45:00.5, 01.5, … 05.5; ACME-B always 50, ACME-A 50 50 53 53 50 50.
      // Windows [k, k+5 s): 09:44:58 has A 50 50 53 → 51, 2.0 % (not above 2); 09:44:59 has
      // 50 50 53 53 → 51.5, 3 %; 09:45:00 and :01 have 51.2, 2.4 %; :02 has 53 53 50 50 → 51.5,
      // 3 %; :03 has 53 50 50 → 51, 2.0 %; later ones 0 %. The ticks at 09:45:12 close every
      // window ending by then (the "n/a" tick is left out by the pattern).
      Await.until(
          Duration.ofSeconds(30),
          () ->
              "2026-12-01T09:45:12Z"
                      .equals(s.get("/analyses/pair-spread").json().path("watermark").asText())
                  && details(s, "market-alerts").size() == 4,
          () -> s.get("/analyses/pair-spread").body() + " " + details(s, "market-alerts"));
      assertThat(details(s, "market-alerts"))
          .extracting(
              d ->
                  d.get("windowStart").asText()
                      + " – "
                      + d.get("windowEnd").asText()
                      + " "
                      + d.get("pair").asText()
                      + " "
                      + num(d.get("avg_a"))
                      + " "
                      + num(d.get("avg_b"))
                      + " "
                      + num(d.get("spread_pct"))
                      + " %")
          .containsExactly(
              "2026-12-01T09:44:59Z – 2026-12-01T09:45:04Z ACME-A/ACME-B 51.5 50 3 %",
              "2026-12-01T09:45:00Z – 2026-12-01T09:45:05Z ACME-A/ACME-B 51.2 50 2.4 %",
              "2026-12-01T09:45:01Z – 2026-12-01T09:45:06Z ACME-A/ACME-B 51.2 50 2.4 %",
              "2026-12-01T09:45:02Z – 2026-12-01T09:45:07Z ACME-A/ACME-B 51.5 50 3 %");
      Await.until(
          Duration.ofSeconds(30),
          () -> hooks(hooks, "/spread").size() == 4,
          () -> hooks.requests().toString());
      assertThat(hooks(hooks, "/spread"))
          .extracting(h -> h.substring(0, h.indexOf(' ')))
          .containsExactlyInAnyOrder(
              "2026-12-01T09:44:59Z",
              "2026-12-01T09:45:00Z",
              "2026-12-01T09:45:01Z",
              "2026-12-01T09:45:02Z");
      assertThat(errors(s, "pair-spread")).isEmpty();
      // the stop limits were never uploaded: stop-limit fails each evaluation and says why, the
      // other analyses go on
      Await.until(
          Duration.ofSeconds(30),
          () ->
              s.get("/analyses/stop-limit")
                  .json()
                  .path("error")
                  .asText()
                  .contains("there is no object market/ref/stop-limits.csv"),
          () -> s.get("/analyses/stop-limit").body());
      assertThat(details(s, "quotes")).isEmpty();
    }
  }
}

package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Analysis engine bugs found while writing the examples (toll-stations, market-and-accounts,
 * health-monitoring's vitals-trend), each as the smallest server test that fails today. They are
 * disabled so the build stays green until the engine is fixed; remove {@code @Disabled} to see each
 * fail (or run with {@code -Djunit.jupiter.conditions.deactivate=org.junit.*DisabledCondition}).
 */
class AnalysesEngineBugsTest {

  @TempDir Path dir;

  static String event(String detail, String at) {
    return "{\"source\":\"s\",\"detail-type\":\"t\",\"detail\":{"
        + detail
        + ",\"at\":\"2026-12-01T09:00:"
        + at
        + "Z\"}}";
  }

  static void send(ServerFixture s, String... events) {
    var r = s.post("/buses/in/events", "application/json", "[" + String.join(",", events) + "]");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  static List<JsonNode> out(ServerFixture s) {
    List<JsonNode> o = new ArrayList<>();
    for (JsonNode e : s.get("/buses/out/events?from=earliest&limit=100").json().get("events")) {
      o.add(e.get("event").get("detail"));
    }
    return o;
  }

  static String yaml(String fields, String sql) {
    return """
        buses: [{name: in}, {name: out}]
        analyses:
          - name: a
            bus: in
            eventTime: detail.at
            window: {tumbling: 1s}
            key: [k]
        %s
            sql: |
        %s
            emit: {bus: out}
        """
        .formatted(
            fields == null ? "" : "    fields: " + fields,
            sql.lines().map(l -> "      " + l).reduce((x, y) -> x + "\n" + y).orElseThrow());
  }

  /**
   * {@code SELECT *} (here {@code m.*}) with {@code previous}: the first window's {@code previous}
   * is built from the SELECT list's names as DuckDB parses them ({@code SqlEvaluator.selectNames}),
   * which has no name for a star, so it lacks column {@code k}: "Binder Error: Values list
   * "previous" does not have a column named "k"". The result columns are only learned from a
   * successful run, so every retry fails the same way: the analysis never emits anything.
   */
  @Test
  @Disabled("engine bug: SELECT * with previous fails at the first window, forever")
  void aSelectStarOverPreviousIsEvaluated() {
    String y =
        yaml(
            null,
            """
            WITH m AS (SELECT e.detail.k AS k, count(*) AS n FROM events e GROUP BY ALL)
            SELECT m.*, previous.n AS before FROM m LEFT JOIN previous ON previous.k = m.k""");
    try (ServerFixture s = ServerFixture.start(dir, y)) {
      send(
          s,
          event("\"k\":\"a\"", "00.100"),
          event("\"k\":\"a\"", "01.100"),
          event("\"k\":\"a\"", "02.100"));
      Await.until(
          Duration.ofSeconds(15),
          () -> out(s).size() == 2,
          () -> s.get("/analyses/a").json().path("error").asText());
      assertThat(out(s))
          .extracting(d -> d.get("k").asText() + " " + d.get("n") + " " + d.get("before"))
          .containsExactly("a 1 null", "a 1 1");
    }
  }

  /**
   * With {@code fields:} declared, the start-up check runs the SQL over a made-up event with {@code
   * previous} = {@code SELECT NULL AS _none WHERE false} and forgives only errors whose message
   * contains "previous" ({@code Analyses.check}); with the usual alias ({@code previous p})
   * DuckDB's message names {@code p}, so a correct analysis stops the server from starting: "DuckDB
   * refuses the SQL over the window's columns: Binder Error: Values list "p" does not have a column
   * named "k"". Without {@code fields:} the same SQL runs.
   */
  @Test
  void anAliasedPreviousWithDeclaredFieldsStarts() {
    String y =
        yaml(
            "{k: VARCHAR}",
            """
            SELECT e.detail.k AS k, count(*) AS n, any_value(p.n) AS before
            FROM events e LEFT JOIN previous p ON p.k = e.detail.k GROUP BY ALL""");
    try (ServerFixture s = ServerFixture.start(dir, y)) {
      send(
          s,
          event("\"k\":\"a\"", "00.100"),
          event("\"k\":\"a\"", "01.100"),
          event("\"k\":\"a\"", "02.100"));
      Await.until(Duration.ofSeconds(15), () -> out(s).size() == 2, () -> out(s).toString());
      assertThat(out(s))
          .extracting(d -> d.get("n") + " " + d.get("before"))
          .containsExactly("1 null", "1 1");
    }
  }

  /**
   * One event whose detail value does not fit its declared type ({@code amount: "abc"} with {@code
   * fields: {amount: DOUBLE}}) is accepted into the window, and then every evaluation of that
   * window fails in read_json ("Failed to cast value to double: "abc""): the analysis retries with
   * backoff forever, and no later window is ever emitted either. Expected: the bad event is refused
   * (a dead letter, as a missing event time is) or its value read as null, and the analysis goes
   * on.
   */
  @Test
  @Disabled("engine bug: a value not of its declared type stops the analysis for good")
  void aValueNotOfItsDeclaredTypeDoesNotStopTheAnalysis() {
    String y =
        yaml(
            "{k: VARCHAR, amount: DOUBLE}",
            "SELECT e.detail.k AS k, count(e.detail.amount) AS n, sum(e.detail.amount) AS total\n"
                + "FROM events e GROUP BY ALL");
    try (ServerFixture s = ServerFixture.start(dir, y)) {
      send(
          s,
          event("\"k\":\"a\",\"amount\":1", "00.100"),
          event("\"k\":\"a\",\"amount\":\"abc\"", "00.200"),
          event("\"k\":\"a\",\"amount\":2", "01.100"),
          event("\"k\":\"a\",\"amount\":3", "02.100"));
      Await.until(
          Duration.ofSeconds(15),
          () -> out(s).size() == 2,
          () -> s.get("/analyses/a").json().path("error").asText());
      assertThat(out(s))
          .extracting(d -> d.get("n") + " " + d.get("total").asDouble())
          .containsExactly("1 1.0", "1 2.0");
      assertThat(s.get("/analyses/a").json().path("error").isNull()).isTrue();
    }
  }

  /**
   * Result numbers go through {@code Json.MAPPER.valueToTree} ({@code SqlEvaluator.run}), which
   * reads floats as BigDecimal and normalises them (stripTrailingZeros): a DOUBLE 50.0 is emitted
   * as {@code 5E+1}, 100.0 as {@code 1E+2}, a DECIMAL 10.000 as {@code 1E+1}. Valid JSON, but every
   * alert, webhook body and log line with a whole number of 10 or more reads that way (e.g. {@code
   * "heart_rate":8E+1} in health-monitoring's vitals-trend).
   */
  @Test
  @Disabled("engine bug: whole numbers in results are emitted as 5E+1")
  void wholeNumbersInResultsAreNotInExponentForm() {
    String y =
        yaml(
            null,
            "SELECT e.detail.k AS k, 50.0::DOUBLE AS x, 10.000::DECIMAL(18,3) AS d\n"
                + "FROM events e GROUP BY ALL");
    try (ServerFixture s = ServerFixture.start(dir, y)) {
      send(s, event("\"k\":\"a\"", "00.100"), event("\"k\":\"a\"", "01.100"));
      Await.until(Duration.ofSeconds(15), () -> out(s).size() == 1, () -> out(s).toString());
      String text = out(s).get(0).toString();
      assertThat(text).doesNotContain("E+");
      assertThat(text).matches("\\{\"k\":\"a\",\"x\":50(\\.0)?,\"d\":10(\\.000)?,.*");
    }
  }
}

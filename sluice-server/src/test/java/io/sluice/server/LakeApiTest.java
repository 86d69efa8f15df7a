package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /query and the catalog API over a real server, lake and DuckDB. */
class LakeApiTest {

  @TempDir Path dir;

  static final String YAML =
      """
      buses: [{name: default}]
      rules:
        - name: orders
          bus: default
          pattern: {detail-type: [order]}
          targets:
            - {id: lake, lake: {table: orders, buffer: {interval: 1s}, partitionBy: ["dt=${time:yyyy-MM-dd}"]}}
      """;

  static String query(String sql) {
    return Json.MAPPER.createObjectNode().put("sql", sql).toString();
  }

  @Test
  void queriesTheLakeInJsonCsvAndNdjsonAndShowsTheCatalog() throws Exception {
    try (ServerFixture s = ServerFixture.start(dir, YAML)) {
      List<String> events = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        events.add(
            "{\"source\":\"shop\",\"detail-type\":\"order\",\"time\":\"2026-11-30T10:00:00Z\","
                + "\"detail\":{\"amount\":"
                + i
                + ",\"item\":\""
                + (i % 2 == 0 ? "tea" : "pot, \\\"big\\\"")
                + "\"}}");
      }
      assertThat(
              s.post(
                      "/buses/default/events",
                      "application/json",
                      "[" + String.join(",", events) + "]")
                  .status())
          .isEqualTo(200);
      Await.until(
          Duration.ofSeconds(30),
          () -> {
            var r = s.post("/query", "application/json", query("SELECT count(*) AS n FROM orders"));
            return r.status() == 200 && r.json().get("rows").get(0).get(0).asLong() == 50;
          },
          () -> s.post("/query", "application/json", query("SELECT count(*) FROM orders")).body());

      var json =
          s.post(
              "/query",
              "application/json",
              query(
                  "SELECT item, count(*) AS n, sum(amount) AS total FROM orders GROUP BY item ORDER BY item"));
      JsonNode j = json.json();
      assertThat(j.get("columns").toString()).isEqualTo("[\"item\",\"n\",\"total\"]");
      assertThat(j.get("types").toString()).isEqualTo("[\"VARCHAR\",\"BIGINT\",\"HUGEINT\"]");
      assertThat(j.get("rows").toString())
          .isEqualTo("[[\"pot, \\\"big\\\"\",25,625],[\"tea\",25,600]]");
      assertThat(j.get("rowCount").asLong()).isEqualTo(2);
      assertThat(j.get("truncated").asBoolean()).isFalse();

      var csv =
          s.post(
              "/query",
              "application/json",
              query("SELECT item, count(*) AS n FROM orders GROUP BY item ORDER BY item"),
              "Accept",
              "text/csv");
      assertThat(csv.header("Content-Type")).startsWith("text/csv");
      assertThat(csv.body()).isEqualTo("item,n\r\n\"pot, \"\"big\"\"\",25\r\ntea,25\r\n");

      var nd =
          s.post(
              "/query",
              "application/json",
              query("SELECT amount FROM orders ORDER BY amount LIMIT 2"),
              "Accept",
              "application/x-ndjson");
      assertThat(nd.body()).isEqualTo("{\"amount\":0}\n{\"amount\":1}\n");

      var limited =
          s.post(
                  "/query",
                  "application/json",
                  "{\"sql\":\"SELECT amount FROM orders\",\"maxRows\":3}")
              .json();
      assertThat(limited.get("rows").size()).isEqualTo(3);
      assertThat(limited.get("truncated").asBoolean()).isTrue();

      JsonNode tables = s.get("/lake/tables").json().get("tables");
      assertThat(tables.get(0).get("name").asText()).isEqualTo("orders");
      assertThat(tables.get(0).get("rows").asLong()).isEqualTo(50);
      JsonNode orders = s.get("/lake/tables/orders").json();
      assertThat(orders.get("partitionKeys").toString()).isEqualTo("[\"dt\"]");
      assertThat(orders.get("partitions").get(0).get("values").toString())
          .isEqualTo("{\"dt\":\"2026-11-30\"}");
      assertThat(orders.get("columns").toString())
          .contains("{\"name\":\"amount\",\"type\":\"BIGINT\"}");
      assertThat(orders.get("schemas").size()).isEqualTo(2);
      assertThat(
              s.post("/lake/tables/orders/compact", null, "").json().get("filesReplaced").asInt())
          .isZero();
    }
  }

  @Test
  void badQueriesGetClearErrors() throws Exception {
    try (ServerFixture s = ServerFixture.start(dir, YAML)) {
      var syntax = s.post("/query", "application/json", query("SELECT 1 +"));
      assertThat(syntax.status()).isEqualTo(400);
      assertThat(syntax.json().get("code").asText()).isEqualTo("SqlError");
      assertThat(syntax.json().get("message").asText())
          .isEqualTo("Parser Error: syntax error at or near \"+\" (at line 1, column 10)");
      assertThat(syntax.json().get("position").asInt()).isEqualTo(9);

      var unknown = s.post("/query", "application/json", query("SELECT x FROM orders"));
      assertThat(unknown.status()).isEqualTo(400);
      assertThat(unknown.json().get("position").asInt()).isEqualTo(7);

      var passwd =
          s.post("/query", "application/json", query("SELECT * FROM read_csv('/etc/passwd')"));
      assertThat(passwd.status()).isEqualTo(403);
      assertThat(passwd.json().get("code").asText()).isEqualTo("Forbidden");

      var copy = s.post("/query", "application/json", query("COPY orders TO '/tmp/out.csv'"));
      assertThat(copy.status()).isEqualTo(403);
      assertThat(copy.json().get("message").asText())
          .isEqualTo("only SELECT queries run on the lake (read-only); this statement is COPY");

      var noSql = s.post("/query", "application/json", "{\"query\":\"SELECT 1\"}");
      assertThat(noSql.status()).isEqualTo(400);
      assertThat(noSql.json().get("message").asText())
          .isEqualTo("/sql: is required: a SELECT statement as a string, got nothing");
      var badRows = s.post("/query", "application/json", "{\"sql\":\"SELECT 1\",\"maxRows\":0}");
      assertThat(badRows.json().get("message").asText())
          .isEqualTo("/maxRows: expected a positive integer, got number 0");
      assertThat(s.post("/query", "application/json", "{").status()).isEqualTo(400);
      var missing = s.get("/lake/tables/nope");
      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.json().get("message").asText())
          .isEqualTo("/table: no lake table named \"nope\" (tables: orders)");
    }
  }
}

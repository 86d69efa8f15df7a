package io.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lake's public row API, as file validation uses it: rows added exactly once per writer. */
class LakeRowsTest {

  @TempDir Path dir;
  Lake lake;

  @BeforeEach
  void open() {
    lake =
        Lake.open(
            dir,
            Clock.systemUTC(),
            new SimpleMeterRegistry(),
            LakeSettings.DEFAULTS.withCompactionInterval(Duration.ZERO));
  }

  @AfterEach
  void close() {
    lake.close();
  }

  static List<Lake.Row> rows(long from, long to) {
    List<Lake.Row> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      var data = Json.MAPPER.createObjectNode().put("n", i).put("name", "row " + i);
      var event = Json.MAPPER.createObjectNode().put("id", "r-" + i).put("source", "test");
      event.put("detail-type", "Row").put("time", "2026-11-30T10:00:00Z").set("detail", data);
      out.add(new Lake.Row(i, event, data, "objects/b/k.csv", 1000 + i));
    }
    return out;
  }

  long count(String sql) throws Exception {
    Rows r = new Rows();
    lake.query(sql, r);
    return ((Number) r.single()).longValue();
  }

  @Test
  void rowsAreAddedOnceEvenWhenAWriterSendsThemAgain() throws Exception {
    assertThat(lake.committedPosition("vitals", "validate/b/abc")).isEqualTo(-1);
    lake.append("vitals", "validate/b/abc", rows(1, 5));
    assertThat(lake.committedPosition("vitals", "validate/b/abc")).isEqualTo(5);

    // a writer interrupted after its commit sends rows 1..8 again: only 6..8 are new
    lake.append("vitals", "validate/b/abc", rows(1, 8));
    assertThat(count("SELECT count(*) FROM vitals")).isEqualTo(8);
    assertThat(count("SELECT count(DISTINCT n) FROM vitals")).isEqualTo(8);
    assertThat(lake.committedPosition("vitals", "validate/b/abc")).isEqualTo(8);

    // another writer has its own positions
    lake.append("vitals", "validate/b/def", rows(1, 2));
    assertThat(count("SELECT count(*) FROM vitals")).isEqualTo(10);
    assertThat(lake.committedPosition("vitals", "validate/b/def")).isEqualTo(2);
  }

  @Test
  void nothingToAddIsNoCommit() throws Exception {
    lake.append("vitals", "w", rows(1, 3));
    long version = lake.table("vitals").version();
    lake.append("vitals", "w", rows(1, 3));
    lake.append("vitals", "w", List.of());
    assertThat(lake.table("vitals").version()).isEqualTo(version);
  }

  @Test
  void aTableIsQueryableOnceCreatedAndBadNamesAreRefused() throws Exception {
    lake.createTable("empty_one");
    assertThat(lake.table("empty_one")).isNotNull();
    assertThat(Lake.TABLE_NAME.matcher("Bad-Name").matches()).isFalse();
    assertThatThrownBy(() -> lake.append("../escape", "w", rows(1, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "expected a table name of 1-63 characters a-z 0-9 _, starting with a letter, got"
                + " \"../escape\"");
    assertThat(dir.resolve("../escape")).doesNotExist();
  }

  static Lake.Row row(long position, String data) {
    var d = Json.MAPPER.createObjectNode();
    try {
      d = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(data);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
    var event = Json.MAPPER.createObjectNode().put("id", "r-" + position).put("source", "test");
    event.put("detail-type", "Row").put("time", "2026-11-30T10:00:00Z").set("detail", d);
    return new Lake.Row(position, event, d, "objects/b/k.csv", 1000 + position);
  }

  Rows sql(String sql) throws Exception {
    Rows r = new Rows();
    lake.query(sql, r);
    return r;
  }

  static final Map<String, ColumnType> TYPES =
      Map.of(
          "taken", ColumnType.TIMESTAMPTZ,
          "day", ColumnType.DATE,
          "n", ColumnType.BIGINT,
          "x", ColumnType.DOUBLE,
          "ok", ColumnType.BOOLEAN,
          "s", ColumnType.VARCHAR,
          "never", ColumnType.DATE);

  @Test
  void declaredTypesMakeTypedColumnsAndAValueThatDoesNotFitGoesToExtra() throws Exception {
    lake.append(
        "typed",
        "w",
        List.of(
            row(
                1,
                "{\"taken\":\"2026-11-30T08:00:00.123456+01:00\",\"day\":\"2026-11-30\",\"n\":5,"
                    + "\"x\":1,\"ok\":true,\"s\":\"a\",\"never\":null,\"other\":\"2026-11-30\"}"),
            row(
                2,
                "{\"taken\":\"30/11/2026\",\"day\":\"+10000-01-01\",\"n\":null,\"x\":2.5,"
                    + "\"ok\":\"yes\"}"),
            row(3, "{\"taken\":\"0000-01-01T00:00:00Z\",\"day\":\"9999-12-31\"}")),
        TYPES);
    Rows types =
        sql(
            "SELECT typeof(taken), typeof(day), typeof(n), typeof(x), typeof(ok), typeof(s),"
                + " typeof(never), typeof(other) FROM typed LIMIT 1");
    assertThat(types.rows.get(0))
        .containsExactly(
            "TIMESTAMP WITH TIME ZONE",
            "DATE",
            "BIGINT",
            "DOUBLE",
            "BOOLEAN",
            "VARCHAR",
            "DATE",
            "VARCHAR");
    assertThat(
            count(
                "SELECT count(*) FROM typed WHERE taken = TIMESTAMPTZ '2026-11-30 07:00:00.123456Z'"
                    + " AND day = DATE '2026-11-30' AND n = 5 AND x = 1.0 AND ok AND _extra IS"
                    + " NULL"))
        .isEqualTo(1);
    Rows second = sql("SELECT taken, day, n, x, ok, _extra FROM typed WHERE \"offset\" = 2");
    assertThat(second.rows.get(0).subList(0, 5)).containsExactly(null, null, null, 2.5, null);
    assertThat(Json.MAPPER.readTree((String) second.rows.get(0).get(5)))
        .isEqualTo(
            Json.MAPPER.readTree(
                "{\"taken\":\"30/11/2026\",\"day\":\"+10000-01-01\",\"ok\":\"yes\"}"));
    assertThat(
            count(
                "SELECT count(*) FROM typed WHERE taken = TIMESTAMPTZ '0000-01-01 00:00:00Z' AND day"
                    + " = DATE '9999-12-31'"))
        .isEqualTo(1);
    assertThat(lake.table("typed").columns())
        .contains(
            new Column("taken", ColumnType.TIMESTAMPTZ),
            new Column("day", ColumnType.DATE),
            new Column("never", ColumnType.DATE));
    // outside readers (pyarrow: timestamp[us, tz=UTC], date32) see the types in the file itself
    String file =
        dir.resolve("typed").resolve(lake.table("typed").files().get(0).path()).toString();
    Rows schema =
        sql(
            "SELECT name, type, converted_type, logical_type FROM parquet_schema('"
                + file
                + "') WHERE name IN ('taken', 'day') ORDER BY name");
    assertThat(schema.rows.get(0)).containsExactly("day", "INT32", "DATE", null);
    assertThat(schema.rows.get(1).subList(0, 3))
        .containsExactly("taken", "INT64", "TIMESTAMP_MICROS");
    assertThat((String) schema.rows.get(1).get(3))
        .startsWith("TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS=<null>, MICROS=");
  }

  @Test
  void anExistingColumnKeepsItsTypeAndTakesWhatFitsIt() throws Exception {
    // made before types were declared: taken and day are VARCHAR, n is BIGINT
    lake.append(
        "older",
        "w",
        List.of(row(1, "{\"taken\":\"2026-11-29T08:00:00Z\",\"day\":\"x\",\"n\":1}")));
    lake.append(
        "older",
        "w",
        List.of(
            row(
                2,
                "{\"taken\":\"2026-11-30T08:00:00+01:00\",\"day\":\"2026-11-30\","
                    + "\"n\":\"2026-11-30T08:00:00Z\"}")),
        Map.of(
            "taken", ColumnType.TIMESTAMPTZ, "day", ColumnType.DATE, "n", ColumnType.TIMESTAMPTZ));
    Rows r = sql("SELECT typeof(taken), typeof(day), typeof(n) FROM older LIMIT 1");
    assertThat(r.rows.get(0)).containsExactly("VARCHAR", "VARCHAR", "BIGINT");
    Rows rows = sql("SELECT taken, day, n, _extra FROM older ORDER BY \"offset\"");
    assertThat(rows.rows.get(0)).containsExactly("2026-11-29T08:00:00Z", "x", 1L, null);
    // a VARCHAR column takes the text it always held; a time does not fit a BIGINT: _extra
    assertThat(rows.rows.get(1).subList(0, 3))
        .containsExactly("2026-11-30T08:00:00+01:00", "2026-11-30", null);
    assertThat(rows.rows.get(1).get(3)).isEqualTo("{\"n\":\"2026-11-30T08:00:00Z\"}");
    assertThat(lake.table("older").schemaVersion()).isEqualTo(2);
  }

  @Test
  void aTypeThatNoDataColumnHasIsRefusedNamingTheField() {
    assertThatThrownBy(
            () ->
                lake.append(
                    "t", "w", List.of(row(1, "{\"p\":1}")), Map.of("p", ColumnType.INTEGER)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "types/p: expected a data column type (VARCHAR, BIGINT, DOUBLE, BOOLEAN,"
                + " TIMESTAMPTZ, DATE or JSON), got INTEGER");
    java.util.Map<String, ColumnType> withNull = new java.util.HashMap<>();
    withNull.put("q", null);
    assertThatThrownBy(() -> lake.append("t", "w", List.of(row(1, "{}")), withNull))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "types/q: expected a data column type (VARCHAR, BIGINT, DOUBLE, BOOLEAN,"
                + " TIMESTAMPTZ, DATE or JSON), got null");
  }
}

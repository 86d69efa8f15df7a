package io.sluice.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.kinds.Kinds;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AnalysisReaderTest {

  @Test
  void readsEverySettingWithItsDefaults() {
    SluiceConfig c =
        ConfigLoader.parse(
            """
            buses: [{name: tolls}, {name: alerts}, {name: late}]
            analyses:
              - name: station-traffic
                bus: tolls
                pattern: {detail-type: [VehiclePassed]}
                eventTime: detail.passedAt
                window: {hopping: 5m, advance: 1m}
                watermark: {maxOutOfOrder: 10s, idleAfter: 30s}
                allowedLateness: 2m
                reference:
                  stations: {object: tolls/ref/stations.csv}
                  limits: {table: limits}
                key: [station]
                fields: {station: varchar, amount: DOUBLE}
                sql: SELECT 1 AS one FROM events
                emit: {bus: alerts, detail-type: Station Traffic}
                late: {bus: late}
                limits: {stateBytes: 64MB}
              - name: sessions
                bus: tolls
                window: {session: 10m, by: detail.plate}
                key: plate
                sql: SELECT 1 AS one FROM events
                emit: {bus: alerts}
            """,
            "test.yaml",
            ConfigLoaderTest.BASE,
            Kinds.of());
    AnalysisConfig a = c.analyses().get(0);
    assertThat(a.window())
        .isEqualTo(new AnalysisConfig.Hopping(Duration.ofMinutes(5), Duration.ofMinutes(1)));
    assertThat(a.eventTime()).isEqualTo("detail.passedAt");
    assertThat(a.maxOutOfOrder()).hasSeconds(10);
    assertThat(a.idleAfter()).hasSeconds(30);
    assertThat(a.allowedLateness()).hasMinutes(2);
    assertThat(a.reference().get("stations"))
        .isEqualTo(new AnalysisConfig.Reference("tolls", "ref/stations.csv", null));
    assertThat(a.reference().get("limits").table()).isEqualTo("limits");
    assertThat(a.key()).containsExactly("station");
    assertThat(a.fields()).containsEntry("station", "VARCHAR").containsEntry("amount", "DOUBLE");
    assertThat(a.emitDetailType()).isEqualTo("Station Traffic");
    assertThat(a.lateBus()).isEqualTo("late");
    assertThat(a.stateBytes()).isEqualTo(64L << 20);
    AnalysisConfig s = c.analyses().get(1);
    assertThat(s.window())
        .isEqualTo(new AnalysisConfig.Session(Duration.ofMinutes(10), "detail.plate"));
    assertThat(s.eventTime()).isEqualTo("time");
    assertThat(s.maxOutOfOrder()).isZero();
    assertThat(s.idleAfter()).isNull();
    assertThat(s.allowedLateness()).isZero();
    assertThat(s.key()).containsExactly("plate");
    assertThat(s.emitSource()).isEqualTo("sluice.analyses");
    assertThat(s.emitDetailType()).isEqualTo("Analysis Result");
    assertThat(s.lateBus()).isNull();
    assertThat(s.stateBytes()).isEqualTo(1L << 30);
  }

  @Test
  void reportsEveryProblemWithItsPathAndValue() {
    assertThat(
            ConfigLoaderTest.problems(
                """
                buses: [{name: tolls}]
                analyses:
                  - name: Bad_Name
                    bus: nope
                    pattern: {detail-type: VehiclePassed}
                    eventTime: "detail..x"
                    window: {tumbling: 10ms}
                    watermark: {maxOutOfOrder: 2d, idleAfter: 0s}
                    allowedLateness: 30d
                    reference: {events: {object: a/b.csv}, r: {object: nokey}, t: {object: a/b.txt}, u: {table: x, object: a/b.csv}}
                    key: [Station]
                    fields: {x: FLOAT}
                    sql: "  "
                    emit: {bus: alerts}
                    bogus: 1
                  - name: h
                    bus: tolls
                    window: {hopping: 5m, advance: 2m}
                    sql: SELECT 1
                    emit: {bus: tolls}
                  - name: h2
                    bus: tolls
                    window: {hopping: 5m}
                    sql: SELECT 1
                    emit: {}
                  - name: h3
                    bus: tolls
                    window: {tumbling: 1m, session: 1m}
                    sql: SELECT 1
                    emit: {bus: tolls}
                  - name: h
                    bus: tolls
                    window: {hopping: 500m, advance: 1m}
                    sql: SELECT 1
                    emit: {bus: tolls}
                """))
        .containsExactlyInAnyOrder(
            "/analyses/0/bogus: unknown field (did you mean bus?); expected one of name, description, bus, pattern,"
                + " eventTime, window, watermark, allowedLateness, reference, key, fields, sql, emit,"
                + " late, limits",
            "/analyses/0/name: expected 1-63 of a-z 0-9 - starting with a letter, got \"Bad_Name\"",
            "/analyses/0/bus: names bus \"nope\", which is not configured (buses: tolls)",
            "/analyses/0/pattern/detail-type: expected an array of match conditions (like"
                + " [\"VehiclePassed\"]) or a nested object, got string \"VehiclePassed\"",
            "/analyses/0/eventTime: expected a dotted path of field names into the event, such as"
                + " detail.passedAt, got \"detail..x\"",
            "/analyses/0/window/tumbling: expected a duration from 100ms to 31d, got 10ms",
            "/analyses/0/watermark/maxOutOfOrder: expected a duration from 0s to 1d, got 2d",
            "/analyses/0/watermark/idleAfter: expected a duration from 1s to 1d, got 0s",
            "/analyses/0/allowedLateness: expected a duration from 0s to 7d, got 30d",
            "/analyses/0/reference/events: is a name the analysis gives its own tables (events,"
                + " previous); choose another",
            "/analyses/0/reference/r/object: expected bucket/key, such as tolls/ref/stations.csv,"
                + " got \"nokey\"",
            "/analyses/0/reference/t/object: expected a key ending in .csv, .json, .ndjson, .jsonl"
                + " or .parquet (the format), got \"a/b.txt\"",
            "/analyses/0/reference/u: expected exactly one of object (bucket/key) and table (a lake"
                + " table)",
            "/analyses/0/key/0: expected a result column: lower-case a-z, 0-9 and _ starting with a"
                + " letter or _, got \"Station\"",
            "/analyses/0/fields/x: expected one of BIGINT, BOOLEAN, DATE, DECIMAL(18,3), DOUBLE,"
                + " INTEGER, JSON, TIMESTAMPTZ, VARCHAR, got string \"FLOAT\"",
            "/analyses/0/sql: expected a SELECT over events, got an empty string",
            "/analyses/0/emit/bus: names bus \"alerts\", which is not configured (buses: tolls)",
            "/analyses/1/window/advance: expected a divisor of the window size (5m) so that each"
                + " event is in size/advance windows, got 2m",
            "/analyses/2/window/advance: is required for a hopping window: how often a window"
                + " starts, such as 1m",
            "/analyses/2/emit/bus: is required: the bus that gets one event per result row",
            "/analyses/3/window: expected exactly one of tumbling, hopping, session: a window:"
                + " {tumbling: 1m}, {hopping: 5m, advance: 1m} or {session: 10m, by: detail.user}",
            "/analyses/4/window/advance: puts each event in 500 windows, more than the limit of 100;"
                + " use a larger advance");
  }
}

package io.sluice.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.config.ScheduleConfig.CatchUp;
import io.sluice.core.kinds.Kinds;
import java.time.Duration;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class ScheduleReaderTest {

  @Test
  void readsEverySettingWithItsDefaults() {
    SluiceConfig c =
        ConfigLoader.parse(
            """
            buses: [{name: default}, {name: ops}]
            schedules:
              - name: daily-health
                cron: "0 7 * * *"
                timezone: Europe/Berlin
                bus: ops
                detail-type: Health Check
                detail: {report: daily}
                flexibleWindow: 5m
                catchUp: all
                maxCatchUp: 10
              - {name: tick, rate: rate(5 minutes), enabled: false}
            """,
            "test.yaml",
            ConfigLoaderTest.BASE,
            Kinds.of());
    ScheduleConfig s = c.schedules().get(0);
    assertThat(s.name()).isEqualTo("daily-health");
    assertThat(s.expression()).isInstanceOf(ScheduleExpression.Cron.class);
    assertThat(s.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
    assertThat(s.bus()).isEqualTo("ops");
    assertThat(s.detailType()).isEqualTo("Health Check");
    assertThat(s.detail().toString()).isEqualTo("{\"report\":\"daily\"}");
    assertThat(s.flexibleWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.catchUp()).isEqualTo(CatchUp.ALL);
    assertThat(s.maxCatchUp()).isEqualTo(10);
    assertThat(s.enabled()).isTrue();
    ScheduleConfig t = c.schedules().get(1);
    assertThat(t.bus()).isEqualTo("default");
    assertThat(t.zone().getId()).isEqualTo("Z");
    assertThat(t.detailType()).isEqualTo("Scheduled Event");
    assertThat(t.catchUp()).isEqualTo(CatchUp.LATEST);
    assertThat(t.maxCatchUp()).isEqualTo(100);
    assertThat(t.flexibleWindow()).isZero();
    assertThat(t.enabled()).isFalse();
    assertThat(((ScheduleExpression.Rate) t.expression()).period()).hasMinutes(5);
  }

  @Test
  void aPastAtWithCatchUpNoneIsNoConfigProblem() {
    // once the one-time schedule has fired, its at is in the past: a restart or `sluice validate`
    // must still take the config (the scheduler counts a past at that never fired as missed)
    assertThat(
            ConfigLoaderTest.problems(
                "schedules: [{name: once, at: \"2020-01-01T00:00:00\", catchUp: none}]\n"))
        .isEmpty();
  }

  @Test
  void reportsEveryProblemWithItsPathAndValue() {
    assertThat(
            ConfigLoaderTest.problems(
                """
                schedules:
                  - {name: a, cron: "0 7 * *"}
                  - {name: b, rate: often}
                  - {name: c, at: "24.12.2026 18:00"}
                  - {name: d, cron: "0 7 * * *", timezone: Mars/Olympus}
                  - {name: e, cron: "0 7 * * *", bus: nope}
                  - {name: f, cron: "0 7 * * *", rate: 15m}
                  - {name: a, rate: 1h}
                  - {name: g, rate: 1h, catchUp: sometimes}
                  - {name: h}
                  - {name: i, at: "2020-01-01T00:00:00", catchUp: none}
                  - {name: j, rate: 1h, detail: {schedule: x}, flexibleWindow: 2d}
                  - {name: "k k", rate: 1h, cronn: x}
                """))
        .containsExactly(
            "/schedules/0/cron: invalid cron expression \"0 7 * *\": a cron expression takes 5"
                + " fields (minute hour day-of-month month day-of-week), or cron(minutes hours"
                + " day-of-month month day-of-week year), got 4 fields",
            "/schedules/1/rate: invalid rate \"often\": expected a rate like 15m, 30s, 2h, 1d or"
                + " rate(5 minutes)",
            "/schedules/2/at: invalid at \"24.12.2026 18:00\": expected a local date and time"
                + " like 2026-12-24T18:00:00",
            "/schedules/3/timezone: expected a time zone like Europe/Berlin, UTC or +02:00, got"
                + " \"Mars/Olympus\"",
            "/schedules/4/bus: names bus \"nope\", which is not configured (buses: default)",
            "/schedules/5/rate: is given with cron: a schedule has exactly one of cron, rate, at",
            "/schedules/6/name: duplicate schedule name \"a\" (first at /schedules/0)",
            "/schedules/7/catchUp: expected one of none, latest, all, got \"sometimes\"",
            "/schedules/8: is missing when it fires: give one of cron, rate, at",
            "/schedules/10/detail/schedule: is set by Sluice (the schedule's name and slot);"
                + " choose another name",
            "/schedules/10/flexibleWindow: expected a duration from 0s to 24h, got 2d",
            "/schedules/11/cronn: unknown field (did you mean cron?); expected one of name, cron,"
                + " rate, at, timezone, bus, detail-type, detail, flexibleWindow, catchUp,"
                + " maxCatchUp, enabled",
            "/schedules/11/name: expected 1-64 characters of A-Z a-z 0-9 . - _ (as EventBridge"
                + " Scheduler names), got \"k k\"");
  }
}

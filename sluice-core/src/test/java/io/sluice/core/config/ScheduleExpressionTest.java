package io.sluice.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleExpressionTest {

  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  static List<Instant> slots(ScheduleExpression e, Instant from, Instant to) {
    List<Instant> out = new ArrayList<>();
    for (Instant t = e.next(from); t != null && t.isBefore(to); t = e.next(t)) {
      out.add(t);
    }
    return out;
  }

  @Test
  void aLocalTimeInTheSpringGapFiresAtTheFirstInstantAfterIt() {
    var cron = ScheduleExpression.cron("30 2 * * *", BERLIN);
    assertThat(
            slots(
                cron, Instant.parse("2026-03-27T12:00:00Z"), Instant.parse("2026-03-31T00:00:00Z")))
        .containsExactly(
            Instant.parse("2026-03-28T01:30:00Z"), // 02:30 CET
            Instant.parse("2026-03-29T01:00:00Z"), // 02:30 does not exist: 03:00 CEST
            Instant.parse("2026-03-30T00:30:00Z")); // 02:30 CEST
  }

  @Test
  void aRepeatedLocalTimeInTheAutumnFiresOnceAtItsFirstOccurrence() {
    var cron = ScheduleExpression.cron("30 2 * * *", BERLIN);
    assertThat(
            slots(
                cron, Instant.parse("2026-10-24T12:00:00Z"), Instant.parse("2026-10-27T00:00:00Z")))
        .containsExactly(
            Instant.parse("2026-10-25T00:30:00Z"), // 02:30 CEST; 02:30 CET is the same local time
            Instant.parse("2026-10-26T01:30:00Z"));
  }

  @Test
  void startingInsideTheOverlapsSecondHalfSkipsTheLocalTimesThatAlreadyPassed() {
    var cron = ScheduleExpression.cron("*/15 * * * *", BERLIN);
    // 02:10 CET, the second 02:10 of the night: 02:15 first occurred at 00:15Z, already past
    assertThat(cron.next(Instant.parse("2026-10-25T01:10:00Z")))
        .isEqualTo(Instant.parse("2026-10-25T02:00:00Z")); // 03:00 CET
  }

  @Test
  void hourlyCronFiresOnceAtTheGapsEnd() {
    var cron = ScheduleExpression.cron("0 * * * *", BERLIN);
    assertThat(
            slots(
                cron, Instant.parse("2026-03-28T23:30:00Z"), Instant.parse("2026-03-29T02:30:00Z")))
        .containsExactly(
            Instant.parse("2026-03-29T00:00:00Z"), // 01:00 CET
            Instant.parse("2026-03-29T01:00:00Z"), // 02:00 (gap) and 03:00 CEST: one instant
            Instant.parse("2026-03-29T02:00:00Z")); // 04:00 CEST
  }

  @Test
  void eventBridgeCronUsesOneToSevenForSundayToSaturdayAndTakesTheYear() {
    var cron = ScheduleExpression.cron("cron(0 12 ? * 2 2026)", ZoneOffset.UTC);
    // 2026-11-02 is a Monday
    assertThat(cron.next(Instant.parse("2026-10-31T00:00:00Z")))
        .isEqualTo(Instant.parse("2026-11-02T12:00:00Z"));
    assertThat(cron.next(Instant.parse("2026-12-28T12:00:00Z"))).isNull();
    var last = ScheduleExpression.cron("cron(0 18 L * ? *)", ZoneOffset.UTC);
    assertThat(last.next(Instant.parse("2026-02-01T00:00:00Z")))
        .isEqualTo(Instant.parse("2026-02-28T18:00:00Z"));
    var nth = ScheduleExpression.cron("cron(15 10 ? * 6#3 *)", ZoneOffset.UTC);
    // the third Friday of January 2026
    assertThat(nth.next(Instant.parse("2026-01-01T00:00:00Z")))
        .isEqualTo(Instant.parse("2026-01-16T10:15:00Z"));
  }

  @Test
  void unixCronUsesZeroForSunday() {
    var cron = ScheduleExpression.cron("0 9 * * 0", ZoneOffset.UTC);
    assertThat(cron.next(Instant.parse("2026-11-02T00:00:00Z")))
        .isEqualTo(Instant.parse("2026-11-08T09:00:00Z"));
  }

  @Test
  void badCronExpressionsSayWhy() {
    assertThatThrownBy(() -> ScheduleExpression.cron("0 7 * *", ZoneOffset.UTC))
        .hasMessage(
            "a cron expression takes 5 fields (minute hour day-of-month month day-of-week), or"
                + " cron(minutes hours day-of-month month day-of-week year), got 4 fields");
    assertThatThrownBy(() -> ScheduleExpression.cron("cron(0 7 * * ?)", ZoneOffset.UTC))
        .hasMessage(
            "cron(...) takes 6 fields (minutes hours day-of-month month day-of-week year), got 5");
    assertThatThrownBy(() -> ScheduleExpression.cron("61 7 * * *", ZoneOffset.UTC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("61");
  }

  @Test
  void ratesAreAlignedToTheEpochAndTakeEventBridgesForm() {
    var r = ScheduleExpression.rate("15m");
    assertThat(r.next(Instant.parse("2026-11-23T10:07:12Z")))
        .isEqualTo(Instant.parse("2026-11-23T10:15:00Z"));
    assertThat(r.next(Instant.parse("2026-11-23T10:15:00Z")))
        .isEqualTo(Instant.parse("2026-11-23T10:30:00Z"));
    assertThat(ScheduleExpression.rate("rate(5 minutes)").period().toMinutes()).isEqualTo(5);
    assertThat(ScheduleExpression.rate("rate(1 hour)").period().toHours()).isEqualTo(1);
    assertThatThrownBy(() -> ScheduleExpression.rate("500ms"))
        .hasMessage("expected a rate of at least 1s in whole seconds, got 500ms");
    assertThatThrownBy(() -> ScheduleExpression.rate("often"))
        .hasMessage("expected a rate like 15m, 30s, 2h, 1d or rate(5 minutes)");
  }

  @Test
  void atIsOneLocalTimeWithTheGapRule() {
    var at = ScheduleExpression.at("2026-12-24T18:00:00", BERLIN);
    assertThat(at.next(Instant.parse("2026-12-01T00:00:00Z")))
        .isEqualTo(Instant.parse("2026-12-24T17:00:00Z"));
    assertThat(at.next(Instant.parse("2026-12-24T17:00:00Z"))).isNull();
    assertThat(ScheduleExpression.at("at(2026-03-29T02:30:00)", BERLIN).instant())
        .isEqualTo(Instant.parse("2026-03-29T01:00:00Z"));
  }
}

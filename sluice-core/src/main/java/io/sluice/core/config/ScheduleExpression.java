package io.sluice.core.config;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.zone.ZoneOffsetTransition;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a schedule fires: a cron expression, a fixed rate or one time, each a sequence of slots
 * (instants) that {@link #next} walks. Immutable and thread-safe.
 *
 * <p>Time zones and daylight saving time, for cron and {@code at} (a rate does not depend on the
 * zone): slots are computed in local time of the zone, then placed on the time line. A local time
 * that does not exist (the spring gap) is the first instant after the gap: {@code 30 2 * * *} in
 * Europe/Berlin fires at 03:00 on 2026-03-29. A local time that occurs twice (the autumn overlap)
 * fires once, at its first occurrence. cron-utils only ever computes local times here (on a clock
 * without transitions); the gap and overlap rule is ours, in {@link #place}.
 *
 * <p>Rates are aligned to the Unix epoch in UTC: {@code rate: 15m} fires at :00, :15, :30, :45 of
 * every hour, {@code rate: 1d} at 00:00 UTC, so the slots are the same after every restart.
 */
public sealed interface ScheduleExpression {

  /** The first slot strictly after {@code after}, or {@code null} when there is none. */
  Instant next(Instant after);

  /** The expression as configured. */
  String text();

  /**
   * A cron expression: Unix's five fields ({@code min hour day-of-month month day-of-week}, 0 or 7
   * = Sunday), or EventBridge's {@code cron(min hour day-of-month month day-of-week year)} with
   * {@code ?}, {@code L}, {@code W} and {@code #} (day-of-week 1-7 = SUN-SAT, as Quartz).
   *
   * @throws IllegalArgumentException with what is wrong
   */
  static Cron cron(String text, ZoneId zone) {
    String t = text.trim();
    ExecutionTime execution;
    try {
      if (t.startsWith("cron(") && t.endsWith(")")) {
        String fields = t.substring(5, t.length() - 1).trim();
        int n = fields.split("\\s+").length;
        if (n != 6) {
          throw new IllegalArgumentException(
              "cron(...) takes 6 fields (minutes hours day-of-month month day-of-week year), got "
                  + n);
        }
        execution = ExecutionTime.forCron(QUARTZ.parse("0 " + fields).validate());
      } else {
        int n = t.isEmpty() ? 0 : t.split("\\s+").length;
        if (n != 5) {
          throw new IllegalArgumentException(
              "a cron expression takes 5 fields (minute hour day-of-month month day-of-week), or"
                  + " cron(minutes hours day-of-month month day-of-week year), got "
                  + n
                  + " fields");
        }
        execution = ExecutionTime.forCron(UNIX.parse(t).validate());
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          e.getMessage() == null ? "not a cron expression" : e.getMessage(), e);
    }
    return new Cron(text, zone, execution);
  }

  /**
   * A rate: {@code 15m}, {@code 30s}, {@code 2h}, {@code 1d}, or EventBridge's {@code rate(5
   * minutes)} (minute(s), hour(s), day(s), and second(s) as Sluice's extension); at least 1s, in
   * whole seconds.
   *
   * @throws IllegalArgumentException with what is wrong
   */
  static Rate rate(String text) {
    String t = text.trim();
    Duration d;
    Matcher m = RATE.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "second", "seconds" -> Duration.ofSeconds(n);
            case "minute", "minutes" -> Duration.ofMinutes(n);
            case "hour", "hours" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
    } else {
      d = Durations.parse(t);
      if (d == null) {
        throw new IllegalArgumentException(
            "expected a rate like 15m, 30s, 2h, 1d or rate(5 minutes)");
      }
    }
    if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException(
          "expected a rate of at least 1s in whole seconds, got " + Durations.format(d));
    }
    return new Rate(text, d);
  }

  /**
   * One time, local in {@code zone}: {@code 2026-12-24T18:00:00} or EventBridge's {@code
   * at(2026-12-24T18:00:00)}.
   *
   * @throws IllegalArgumentException with what is wrong
   */
  static At at(String text, ZoneId zone) {
    String t = text.trim();
    if (t.startsWith("at(") && t.endsWith(")")) {
      t = t.substring(3, t.length() - 1).trim();
    }
    try {
      LocalDateTime local = LocalDateTime.parse(t);
      return new At(text, local, place(local, zone));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "expected a local date and time like 2026-12-24T18:00:00", e);
    }
  }

  /**
   * Where local time {@code local} of {@code zone} is on the time line: in a gap, the first instant
   * after it; in an overlap, the first occurrence.
   */
  static Instant place(LocalDateTime local, ZoneId zone) {
    ZoneOffsetTransition t = zone.getRules().getTransition(local);
    if (t != null && t.isGap()) {
      return t.getInstant();
    }
    return local.atZone(zone).toInstant(); // an overlap: atZone takes the earlier offset
  }

  /** A cron expression in a time zone. */
  record Cron(String text, ZoneId zone, ExecutionTime execution) implements ScheduleExpression {
    @Override
    public Instant next(Instant after) {
      LocalDateTime local = LocalDateTime.ofInstant(after, zone);
      // local matches strictly after the local time of `after`; in an overlap's second half some
      // lie before `after` on the time line (their first occurrence passed): skip those
      for (int i = 0; i < 10_000; i++) {
        Optional<ZonedDateTime> n = execution.nextExecution(local.atZone(ZoneOffset.UTC));
        if (n.isEmpty()) {
          return null;
        }
        LocalDateTime match = n.get().toLocalDateTime();
        Instant at = place(match, zone);
        if (at.isAfter(after)) {
          return at;
        }
        local = match;
      }
      throw new IllegalStateException("no slot of " + text + " found after " + after);
    }
  }

  /** Every {@code period}, aligned to the Unix epoch. */
  record Rate(String text, Duration period) implements ScheduleExpression {
    @Override
    public Instant next(Instant after) {
      long p = period.toMillis();
      long t = after.toEpochMilli();
      return Instant.ofEpochMilli(Math.floorDiv(t, p) * p + p);
    }
  }

  /** One slot, {@code local} in the schedule's zone, at {@code instant}. */
  record At(String text, LocalDateTime local, Instant instant) implements ScheduleExpression {
    @Override
    public Instant next(Instant after) {
      return instant.isAfter(after) ? instant : null;
    }
  }

  CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  CronParser QUARTZ = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));
  Pattern RATE =
      Pattern.compile(
          "rate\\(\\s*(\\d{1,9})\\s+(seconds?|minutes?|hours?|days?)\\s*\\)",
          Pattern.CASE_INSENSITIVE);
}

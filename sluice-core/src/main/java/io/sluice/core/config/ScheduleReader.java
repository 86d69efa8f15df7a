package io.sluice.core.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.config.ScheduleConfig.CatchUp;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads the {@code schedules} section; every problem is recorded with its path and value. */
final class ScheduleReader {

  /** EventBridge Scheduler's names: 1-64 of letters, digits, {@code .}, {@code -}, {@code _}. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  static final Set<String> RESERVED_DETAIL = Set.of("schedule", "scheduledTime");

  private final Set<String> buses;

  ScheduleReader(Set<String> buses) {
    this.buses = buses;
  }

  List<ScheduleConfig> readAll(ConfigNode list) {
    List<ScheduleConfig> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (ConfigNode n : list.list(false, "a list of schedules")) {
      ScheduleConfig s = read(n, seen);
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  private ScheduleConfig read(ConfigNode n, Map<String, String> seen) {
    if (!n.isObject(true, "a schedule mapping with name and one of cron, rate, at")) {
      return null;
    }
    n.allowOnly(
        "name",
        "cron",
        "rate",
        "at",
        "timezone",
        "bus",
        "detail-type",
        "detail",
        "flexibleWindow",
        "catchUp",
        "maxCatchUp",
        "enabled");
    boolean ok = true;
    String name = n.field("name").requiredString("a schedule name (1-64 of A-Z a-z 0-9 . - _)");
    if (name != null && !NAME.matcher(name).matches()) {
      n.field("name")
          .problem(
              "expected 1-64 characters of A-Z a-z 0-9 . - _ (as EventBridge Scheduler names), got "
                  + Problem.render(name));
      ok = false;
    } else if (name != null) {
      String before = seen.putIfAbsent(name, n.path());
      if (before != null) {
        n.field("name")
            .problem(
                "duplicate schedule name " + Problem.render(name) + " (first at " + before + ")");
        ok = false;
      }
    }
    ZoneId zone = ZoneOffset.UTC;
    ConfigNode tz = n.field("timezone");
    String zoneText = tz.string(null);
    if (zoneText != null) {
      try {
        zone = ZoneId.of(zoneText);
      } catch (DateTimeException e) {
        tz.problem(
            "expected a time zone like Europe/Berlin, UTC or +02:00, got "
                + Problem.render(zoneText));
        ok = false;
      }
    } else if (!tz.isMissing()) {
      ok = false;
    }
    List<String> given =
        List.of("cron", "rate", "at").stream().filter(k -> !n.field(k).isMissing()).toList();
    ScheduleExpression expression = null;
    if (given.isEmpty()) {
      n.problem("is missing when it fires: give one of cron, rate, at");
      ok = false;
    } else if (given.size() > 1) {
      n.field(given.get(1))
          .problem(
              "is given with " + given.get(0) + ": a schedule has exactly one of cron, rate, at");
      ok = false;
    } else {
      String key = given.get(0);
      ConfigNode e = n.field(key);
      String text = e.string(null);
      if (text == null) {
        ok = false;
      } else {
        try {
          expression =
              switch (key) {
                case "cron" -> ScheduleExpression.cron(text, zone);
                case "rate" -> ScheduleExpression.rate(text);
                default -> ScheduleExpression.at(text, zone);
              };
        } catch (IllegalArgumentException ex) {
          e.problem(
              (key.equals("cron") ? "invalid cron expression " : "invalid " + key + " ")
                  + Problem.render(text)
                  + ": "
                  + ex.getMessage());
          ok = false;
        }
      }
    }
    String bus = n.field("bus").string("default");
    if (!io.sluice.core.kinds.ReadContext.checkBus(buses, n.field("bus"), bus)) {
      ok = false;
    }
    String detailType =
        n.field("detail-type").matching(ScheduleConfig.DEFAULT_DETAIL_TYPE, NON_EMPTY, "a text");
    ObjectNode detail = Json.MAPPER.createObjectNode();
    ConfigNode d = n.field("detail");
    if (d.isObject(false, "a mapping of fields merged into the event's detail")) {
      detail = ((ObjectNode) d.raw()).deepCopy();
      for (String reserved : RESERVED_DETAIL) {
        if (detail.has(reserved)) {
          d.field(reserved)
              .problem("is set by Sluice (the schedule's name and slot); choose another name");
          ok = false;
        }
      }
    } else if (!d.isMissing()) {
      ok = false;
    }
    Duration window = n.field("flexibleWindow").duration(Duration.ZERO);
    if (window.compareTo(ScheduleConfig.MAX_FLEXIBLE_WINDOW) > 0) {
      n.field("flexibleWindow")
          .problem("expected a duration from 0s to 24h, got " + Durations.format(window));
      ok = false;
    }
    String catchUpText = n.field("catchUp").oneOf("latest", "none", "latest", "all");
    CatchUp catchUp = CatchUp.valueOf(catchUpText.toUpperCase(java.util.Locale.ROOT));
    int maxCatchUp = n.field("maxCatchUp").integer(ScheduleConfig.DEFAULT_MAX_CATCH_UP, 1, 100_000);
    boolean enabled = n.field("enabled").bool(true);
    if (!ok || name == null || expression == null) {
      return null;
    }
    return new ScheduleConfig(
        name, expression, zone, bus, detailType, detail, window, catchUp, maxCatchUp, enabled);
  }

  private static final Pattern NON_EMPTY = Pattern.compile("(?s).*\\S.*");
}

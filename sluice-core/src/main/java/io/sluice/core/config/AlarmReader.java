package io.sluice.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.config.AlarmConfig.Comparison;
import io.sluice.core.config.AlarmConfig.Statistic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the {@code alarms} section; every problem is recorded with its path. A metric name is only
 * checked to be a valid Prometheus name: Sluice creates its meters as parts start and events flow,
 * so a name that no meter has yet is not an error (the alarm stays {@code INSUFFICIENT_DATA} until
 * one appears).
 */
final class AlarmReader {

  /** CloudWatch's alarm names are free text; ours are used in paths and files, so kept simple. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /** Prometheus metric names. */
  static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  /** Prometheus label names. */
  static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  static final List<String> KEYS =
      List.of(
          "name",
          "description",
          "metric",
          "labels",
          "statistic",
          "period",
          "threshold",
          "evaluationPeriods",
          "datapointsToAlarm",
          "bus");

  private final Set<String> busNames;

  AlarmReader(Set<String> busNames) {
    this.busNames = busNames;
  }

  List<AlarmConfig> readAll(ConfigNode list) {
    List<AlarmConfig> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (ConfigNode n : list.list(false, "a list of alarms")) {
      AlarmConfig a = read(n);
      if (a == null) {
        continue;
      }
      String before = seen.putIfAbsent(a.name(), n.path());
      if (before != null) {
        n.field("name")
            .problem(
                "duplicate alarm name " + Problem.render(a.name()) + " (first at " + before + ")");
        continue;
      }
      out.add(a);
    }
    return out;
  }

  private AlarmConfig read(ConfigNode n) {
    if (!n.isObject(true, "an alarm mapping with name, metric, statistic, period and threshold")) {
      return null;
    }
    n.allowOnly(KEYS.toArray(String[]::new));
    int before = n.problems().size();
    String name =
        n.field("name")
            .requiredString("an alarm name (1-128 of A-Z a-z 0-9 . _ -, starting with a letter)");
    if (name != null && !NAME.matcher(name).matches()) {
      n.field("name")
          .problem(
              "expected 1-128 characters of A-Z a-z 0-9 . _ - starting with a letter or digit, got "
                  + Problem.render(name));
    }
    String description = n.field("description").string("");
    String metric = n.field("metric").requiredString("a metric's Prometheus name from /metrics");
    if (metric != null && !METRIC.matcher(metric).matches()) {
      n.field("metric")
          .problem(
              "expected a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), such as"
                  + " sluice_target_dead_lettered_total, got "
                  + Problem.render(metric));
    }
    Map<String, String> labels = labels(n.field("labels"));
    String[] statistics =
        Arrays.stream(Statistic.values()).map(Statistic::key).toArray(String[]::new);
    Statistic statistic = null;
    ConfigNode st = n.field("statistic");
    if (st.isMissing()) {
      st.problem("is required: a statistic, one of " + String.join(", ", statistics));
    } else {
      String s = st.oneOf(null, statistics);
      statistic = s == null ? null : Statistic.valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }
    ConfigNode p = n.field("period");
    Duration period = null;
    if (p.isMissing()) {
      p.problem("is required: a period such as 1m or 5m (at least 10s)");
    } else {
      period = p.duration(null);
      if (period != null
          && (period.compareTo(AlarmConfig.MIN_PERIOD) < 0
              || period.compareTo(AlarmConfig.MAX_PERIOD) > 0)) {
        p.problem("expected a period from 10s to 1d, got " + Durations.format(period));
        period = null;
      }
    }
    Comparison comparison = null;
    double threshold = 0;
    ConfigNode t = n.field("threshold");
    if (t.isObject(true, "a comparison with a number, such as {\">\": 0}")) {
      if (t.raw().size() != 1) {
        t.problem(
            "expected exactly one of > >= < <= == with a number, such as {\">\": 0}, got "
                + t.raw().size()
                + " operators");
      } else {
        var e = t.raw().properties().iterator().next();
        ConfigNode v = t.field(e.getKey());
        comparison = Comparison.of(e.getKey());
        if (comparison == null) {
          v.problem(
              "unknown operator " + Problem.render(e.getKey()) + "; expected one of > >= < <= ==");
        }
        JsonNode value = e.getValue();
        if (!value.isNumber()) {
          v.problem("expected a number, got " + Json.describe(value));
          comparison = null;
        } else {
          threshold = value.doubleValue();
        }
      }
    }
    int evaluationPeriods = n.field("evaluationPeriods").integer(1, 1, 100);
    int datapointsToAlarm = n.field("datapointsToAlarm").integer(evaluationPeriods, 1, 100);
    if (datapointsToAlarm > evaluationPeriods) {
      n.field("datapointsToAlarm")
          .problem(
              "expected at most evaluationPeriods ("
                  + evaluationPeriods
                  + ") datapoints, got "
                  + datapointsToAlarm);
    }
    ConfigNode b = n.field("bus");
    String bus = b.string("default");
    if (bus != null && !busNames.contains(bus)) {
      if (b.isMissing()) {
        b.problem(
            "is required: the bus for Alarm State Change events (there is no bus named default)");
      } else {
        io.sluice.core.kinds.ReadContext.checkBus(busNames, b, bus);
      }
    }
    if (n.problems().size() > before) {
      return null;
    }
    return new AlarmConfig(
        name,
        description,
        metric,
        labels,
        statistic,
        period,
        comparison,
        threshold,
        evaluationPeriods,
        datapointsToAlarm,
        bus);
  }

  private static Map<String, String> labels(ConfigNode n) {
    Map<String, String> out = new LinkedHashMap<>();
    if (!n.isObject(false, "a mapping of label names to strings, such as {rule: orders}")) {
      return out;
    }
    for (var e : n.raw().properties()) {
      ConfigNode v = n.field(e.getKey());
      if (!LABEL.matcher(e.getKey()).matches()) {
        v.problem(
            "expected a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*), got "
                + Problem.render(e.getKey()));
        continue;
      }
      if (!e.getValue().isTextual()) {
        v.problem("expected a string, got " + Json.describe(e.getValue()));
        continue;
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }
}

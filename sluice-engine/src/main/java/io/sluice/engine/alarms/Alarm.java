package io.sluice.engine.alarms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.config.AlarmConfig;
import io.sluice.core.config.AlarmConfig.Statistic;
import io.sluice.core.config.Durations;
import io.sluice.engine.alarms.AlarmState.Value;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One alarm's running state: the datapoints of its last periods, the period being accumulated, the
 * last value seen of every counter series (its baseline), and its state. Not thread-safe: {@link
 * Alarms} calls it under its own lock.
 *
 * <p>Counter increases are deltas between samples of the same series. A drop is a reset (the meter
 * was created again): the new value is the increase. After a restart, a counter this process
 * created started at 0, so its whole value is increase since the restart; a function counter (which
 * may read a total kept across restarts) continues from its saved baseline, a drop again being a
 * reset. A series seen for the first time is an increase from 0 when the process created it, and a
 * baseline (no increase) when it is a function counter.
 */
final class Alarm {

  /** One period's value, or {@code null} observed when there was no data (then {@code why}). */
  record Datapoint(Instant time, Double observed, String why) {}

  private record Baseline(double value, double sum, boolean earlierBoot) {}

  final AlarmConfig config;
  private final String definition;

  AlarmState state;
  private Instant lastEvaluation;
  private Double lastObserved;
  private final Deque<Datapoint> datapoints = new ArrayDeque<>();
  private final Map<String, Baseline> baselines = new HashMap<>();

  // the period being accumulated
  private Instant windowStart;
  private Instant accumulatingSince;
  private double increase;
  private double sumIncrease;
  private long samples;
  private double samplesSum;
  private double samplesMax = Double.NEGATIVE_INFINITY;
  private boolean sawSeries;
  private double current;
  private boolean currentSeen;
  private MetricSeries.Kind kind;
  private boolean knownCumulative;

  Alarm(AlarmConfig config, Instant now) {
    this.config = config;
    this.definition = definition(config);
    this.state =
        new AlarmState(Value.INSUFFICIENT_DATA, "Unchecked: the alarm was just created", now);
    this.windowStart = now;
    this.accumulatingSince = now;
  }

  static String definition(AlarmConfig c) {
    return c.metric()
        + new TreeMap<>(c.labels())
        + " "
        + c.statistic().key()
        + " "
        + Durations.format(c.period())
        + " "
        + c.comparison().symbol()
        + " "
        + c.threshold()
        + " "
        + c.datapointsToAlarm()
        + "/"
        + c.evaluationPeriods();
  }

  Instant lastEvaluation() {
    return lastEvaluation;
  }

  Double lastObserved() {
    return lastObserved;
  }

  List<Datapoint> datapoints() {
    return List.copyOf(datapoints);
  }

  /**
   * Reads this alarm's series out of {@code all}, sampled at {@code now}; true when a baseline
   * changed. A period's gauge samples are those after its start up to and including its end.
   */
  boolean sample(List<MetricSeries> all, Instant now) {
    boolean changed = false;
    double sum = 0;
    double max = Double.NEGATIVE_INFINITY;
    boolean any = false;
    for (MetricSeries s : all) {
      if (!s.name().equals(config.metric())) {
        continue;
      }
      if (s.kind().isCumulative()) {
        knownCumulative = true;
      }
      if (!s.matches(config.labels())) {
        continue;
      }
      any = true;
      kind = s.kind();
      sum += s.value();
      if (s.kind() == MetricSeries.Kind.TIMER) {
        max = Math.max(max, s.max());
      } else {
        max = Math.max(max, s.value());
      }
      if (s.kind().isCumulative()) {
        String key = s.key();
        Baseline b = baselines.get(key);
        double delta;
        double sumDelta;
        if (b == null || (b.earlierBoot() && s.startsAtZero())) {
          delta = s.startsAtZero() ? s.value() : 0;
          sumDelta = s.startsAtZero() ? s.sum() : 0;
        } else if (s.value() >= b.value()) {
          delta = s.value() - b.value();
          sumDelta = Math.max(0, s.sum() - b.sum());
        } else { // a drop: the meter started again from 0
          delta = s.value();
          sumDelta = s.sum();
        }
        increase += delta;
        sumIncrease += sumDelta;
        if (b == null || b.value() != s.value() || b.sum() != s.sum() || b.earlierBoot()) {
          baselines.put(key, new Baseline(s.value(), s.sum(), false));
          changed = true;
        }
      }
    }
    currentSeen = any;
    current = sum;
    if (any && now.isAfter(windowStart)) {
      sawSeries = true;
      samples++;
      samplesSum += sum;
      samplesMax = Math.max(samplesMax, max);
    }
    return changed;
  }

  boolean isDue(Instant now) {
    return !now.isBefore(windowStart.plus(config.period()));
  }

  /** Ends the period being accumulated: its datapoint, and a new period from {@code now}. */
  Datapoint closeWindow(Instant now) {
    Datapoint d = datapoint(now);
    datapoints.addFirst(d);
    while (datapoints.size() > config.evaluationPeriods()) {
      datapoints.removeLast();
    }
    lastEvaluation = now;
    lastObserved = d.observed();
    Instant next = windowStart.plus(config.period());
    windowStart = next.plus(config.period()).isAfter(now) ? next : now;
    accumulatingSince = now;
    increase = 0;
    sumIncrease = 0;
    samples = 0;
    samplesSum = 0;
    samplesMax = Double.NEGATIVE_INFINITY;
    sawSeries = false;
    return d;
  }

  private Datapoint datapoint(Instant now) {
    Statistic st = config.statistic();
    String none = noData();
    boolean counterLike = sawSeries ? kind.isCumulative() : knownCumulative;
    return switch (st) {
      case INCREASE, RATE -> {
        if (sawSeries && !kind.isCumulative()) {
          yield new Datapoint(
              now, null, config.metric() + " is a gauge: " + st.key() + " needs a counter");
        }
        if (!counterLike) {
          yield new Datapoint(now, null, none);
        }
        double seconds = Math.max(1, Duration.between(accumulatingSince, now).toMillis()) / 1000.0;
        yield new Datapoint(now, st == Statistic.INCREASE ? increase : increase / seconds, null);
      }
      case VALUE -> {
        if (currentSeen) {
          yield new Datapoint(now, current, null);
        }
        yield knownCumulative ? new Datapoint(now, 0.0, null) : new Datapoint(now, null, none);
      }
      case AVG -> {
        if (sawSeries && kind == MetricSeries.Kind.TIMER) {
          yield increase > 0
              ? new Datapoint(now, sumIncrease / increase, null)
              : new Datapoint(now, null, "no timing of " + config.metric() + " in the period");
        }
        yield samples > 0
            ? new Datapoint(now, samplesSum / samples, null)
            : new Datapoint(now, null, none);
      }
      case MAX ->
          samples > 0 ? new Datapoint(now, samplesMax, null) : new Datapoint(now, null, none);
    };
  }

  private String noData() {
    return "no series of "
        + config.metric()
        + (config.labels().isEmpty() ? "" : " with " + labels())
        + (knownCumulative ? "" : " in Sluice's metrics (yet)");
  }

  String labels() {
    StringBuilder b = new StringBuilder("{");
    String sep = "";
    for (var e : new TreeMap<>(config.labels()).entrySet()) {
      b.append(sep).append(e.getKey()).append("=\"").append(e.getValue()).append('"');
      sep = ",";
    }
    return b.append('}').toString();
  }

  /**
   * The state the datapoints call for: ALARM when at least M of the last N breach; else
   * INSUFFICIENT_DATA when the latest has no data; else OK. {@code null} before the first
   * datapoint.
   */
  AlarmState desired(Instant now) {
    Datapoint latest = datapoints.peekFirst();
    if (latest == null) {
      return null;
    }
    int breaching = 0;
    List<String> values = new ArrayList<>();
    for (Datapoint d : datapoints) {
      if (d.observed() != null && breaches(d.observed())) {
        breaching++;
      }
      values.add(d.observed() == null ? "no data" : number(d.observed()));
    }
    int m = config.datapointsToAlarm();
    int n = datapoints.size();
    String what =
        config.statistic().key()
            + " of "
            + config.metric()
            + (config.labels().isEmpty() ? "" : labels())
            + " over "
            + Durations.format(config.period());
    String threshold = config.comparison().symbol() + " " + number(config.threshold());
    if (breaching >= m) {
      return new AlarmState(
          Value.ALARM,
          "Threshold Crossed: "
              + breaching
              + " of the last "
              + n
              + " datapoints "
              + values
              + " breached "
              + threshold
              + " ("
              + what
              + ")",
          now);
    }
    if (latest.observed() == null) {
      return new AlarmState(Value.INSUFFICIENT_DATA, "Insufficient Data: " + latest.why(), now);
    }
    return new AlarmState(
        Value.OK,
        "Threshold not crossed: "
            + breaching
            + " of the last "
            + n
            + " datapoints "
            + values
            + " breached "
            + threshold
            + " ("
            + what
            + "; ALARM at "
            + m
            + ")",
        now);
  }

  boolean breaches(double observed) {
    return config.comparison().holds(observed, config.threshold());
  }

  static String number(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return String.format(Locale.ROOT, "%.6g", d).replaceAll("\\.?0+(?=$|e)", "");
  }

  // persistence: one JSON object per alarm in Alarms' state file

  ObjectNode toJson() {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("definition", definition);
    o.set("state", stateJson(state));
    o.put("lastEvaluation", lastEvaluation == null ? null : lastEvaluation.toString());
    if (lastObserved == null) {
      o.putNull("observed");
    } else {
      o.put("observed", lastObserved);
    }
    ArrayNode dps = o.putArray("datapoints");
    for (Datapoint d : datapoints) {
      ObjectNode x = dps.addObject();
      x.put("time", d.time().toString());
      if (d.observed() == null) {
        x.putNull("observed");
        x.put("why", d.why());
      } else {
        x.put("observed", d.observed());
      }
    }
    ObjectNode w = o.putObject("window");
    w.put("start", windowStart.toString());
    w.put("accumulatingSince", accumulatingSince.toString());
    w.put("increase", increase);
    w.put("sumIncrease", sumIncrease);
    w.put("samples", samples);
    w.put("samplesSum", samplesSum);
    if (samples > 0) {
      w.put("samplesMax", samplesMax);
    }
    w.put("sawSeries", sawSeries);
    w.put("kind", kind == null ? null : kind.name());
    ObjectNode b = o.putObject("baselines");
    new TreeMap<>(baselines)
        .forEach(
            (k, v) -> {
              ArrayNode a = b.putArray(k);
              a.add(v.value());
              a.add(v.sum());
            });
    return o;
  }

  static ObjectNode stateJson(AlarmState s) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("value", s.value().name());
    o.put("reason", s.reason());
    o.put("timestamp", s.timestamp().toString());
    return o;
  }

  static AlarmState state(JsonNode n) {
    return new AlarmState(
        Value.valueOf(n.path("value").asText()),
        n.path("reason").asText(),
        Instant.parse(n.path("timestamp").asText()));
  }

  /**
   * Takes the state saved by an earlier run. Its state always; its datapoints, period and baselines
   * only when the alarm is defined the same (a changed metric, statistic or threshold starts them
   * afresh, keeping the state, so the next evaluation says whether it changed).
   */
  void restore(JsonNode n) {
    state = state(n.path("state"));
    if (!definition.equals(n.path("definition").asText())) {
      return;
    }
    lastEvaluation =
        n.path("lastEvaluation").isTextual()
            ? Instant.parse(n.path("lastEvaluation").asText())
            : null;
    lastObserved = n.path("observed").isNumber() ? n.path("observed").asDouble() : null;
    for (JsonNode d : n.path("datapoints")) {
      datapoints.addLast(
          new Datapoint(
              Instant.parse(d.path("time").asText()),
              d.path("observed").isNumber() ? d.path("observed").asDouble() : null,
              d.path("why").asText(null)));
    }
    while (datapoints.size() > config.evaluationPeriods()) {
      datapoints.removeLast();
    }
    JsonNode w = n.path("window");
    windowStart = Instant.parse(w.path("start").asText());
    accumulatingSince = Instant.parse(w.path("accumulatingSince").asText());
    increase = w.path("increase").asDouble();
    sumIncrease = w.path("sumIncrease").asDouble();
    samples = w.path("samples").asLong();
    samplesSum = w.path("samplesSum").asDouble();
    samplesMax = samples > 0 ? w.path("samplesMax").asDouble() : Double.NEGATIVE_INFINITY;
    kind = w.path("kind").isTextual() ? MetricSeries.Kind.valueOf(w.path("kind").asText()) : null;
    sawSeries = kind != null && w.path("sawSeries").asBoolean();
    knownCumulative = kind != null && kind.isCumulative();
    n.path("baselines")
        .properties()
        .forEach(
            e ->
                baselines.put(
                    e.getKey(),
                    new Baseline(
                        e.getValue().path(0).asDouble(), e.getValue().path(1).asDouble(), true)));
  }
}

package io.sluice.engine.alarms;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One series of a meter as Prometheus's {@code /metrics} names it, read from a Micrometer registry:
 * the names users see ({@code sluice_target_dead_lettered_total}) mapped onto the meters that make
 * them, so an alarm reads the live meter and never parses the scrape text.
 *
 * <p>The mapping is Micrometer's Prometheus naming convention: the dotted name in snake case with
 * every character outside {@code [a-zA-Z0-9_:]} as {@code _}, the base unit appended ({@code
 * _bytes}), {@code _total} on counters, {@code _seconds} on timers; label names the same way, label
 * values as they are. A timer (or distribution summary) {@code x} gives {@code x_seconds} (a {@link
 * Kind#TIMER} series: its count, total and max, for {@code avg}/{@code max}) and, as the scrape
 * shows them, {@code x_seconds_count} and {@code x_seconds_sum} (counters) and {@code
 * x_seconds_max} (a gauge). {@code MetricSeriesTest} in sluice-server checks every series of a
 * running node against the Prometheus registry's own output.
 *
 * @param value a counter's count, a gauge's value, a timer's count
 * @param sum a timer's total time in seconds (a summary's total); 0 otherwise
 * @param max a timer's largest recent time in seconds; a gauge's value; 0 otherwise
 * @param startsAtZero a counter or timer this process created, so at 0 when it started; false for a
 *     function counter, which may read a total kept across restarts
 */
public record MetricSeries(
    String name,
    Map<String, String> labels,
    Kind kind,
    double value,
    double sum,
    double max,
    boolean startsAtZero) {

  /** What a series measures: a count that only grows, a value that moves, a timer. */
  public enum Kind {
    COUNTER,
    GAUGE,
    TIMER;

    public boolean isCumulative() {
      return this != GAUGE;
    }
  }

  private static final Pattern INVALID = Pattern.compile("[^a-zA-Z0-9_:]");
  private static final Pattern INVALID_LABEL = Pattern.compile("[^a-zA-Z0-9_]");

  public MetricSeries {
    labels = Map.copyOf(labels);
  }

  /** {@code name{a="1",b="2"}} with the labels sorted: one series' identity. */
  public String key() {
    StringBuilder b = new StringBuilder(name).append('{');
    String sep = "";
    for (var e : new TreeMap<>(labels).entrySet()) {
      b.append(sep).append(e.getKey()).append("=\"").append(e.getValue()).append('"');
      sep = ",";
    }
    return b.append('}').toString();
  }

  /** True when this series has every one of {@code filter}'s labels with that value. */
  public boolean matches(Map<String, String> filter) {
    for (var e : filter.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** Every series of every meter in {@code registry}, now. */
  public static List<MetricSeries> read(MeterRegistry registry) {
    List<MetricSeries> out = new ArrayList<>();
    for (Meter m : registry.getMeters()) {
      of(m, out);
    }
    return out;
  }

  /** The series {@code meter} shows (none for kinds an alarm cannot read). */
  static void of(Meter meter, List<MetricSeries> out) {
    Meter.Id id = meter.getId();
    Map<String, String> labels = labels(id);
    String base = snake(id.getName());
    String unit = id.getBaseUnit();
    switch (meter) {
      case Counter c ->
          out.add(
              new MetricSeries(
                  total(withUnit(base, unit)), labels, Kind.COUNTER, c.count(), 0, 0, true));
      case FunctionCounter c ->
          out.add(
              new MetricSeries(
                  total(withUnit(base, unit)), labels, Kind.COUNTER, c.count(), 0, 0, false));
      case TimeGauge g -> {
        double v = g.value(TimeUnit.SECONDS);
        out.add(new MetricSeries(seconds(base), labels, Kind.GAUGE, v, 0, v, false));
      }
      case Gauge g -> {
        double v = g.value();
        if (!Double.isNaN(v)) {
          out.add(new MetricSeries(withUnit(base, unit), labels, Kind.GAUGE, v, 0, v, false));
        }
      }
      case Timer t ->
          timer(
              seconds(base),
              labels,
              t.count(),
              t.totalTime(TimeUnit.SECONDS),
              t.max(TimeUnit.SECONDS),
              true,
              out);
      case FunctionTimer t ->
          timer(
              seconds(base),
              labels,
              t.count(),
              t.totalTime(TimeUnit.SECONDS),
              Double.NaN,
              false,
              out);
      case DistributionSummary s ->
          timer(withUnit(base, unit), labels, s.count(), s.totalAmount(), s.max(), true, out);
      default -> {
        // long task timers and custom meters: not something an alarm reads
      }
    }
  }

  private static void timer(
      String name,
      Map<String, String> labels,
      double count,
      double sum,
      double max,
      boolean startsAtZero,
      List<MetricSeries> out) {
    double m = Double.isNaN(max) ? 0 : max;
    out.add(new MetricSeries(name, labels, Kind.TIMER, count, sum, m, startsAtZero));
    out.add(new MetricSeries(name + "_count", labels, Kind.COUNTER, count, 0, 0, startsAtZero));
    out.add(new MetricSeries(name + "_sum", labels, Kind.COUNTER, sum, 0, 0, startsAtZero));
    if (!Double.isNaN(max)) {
      out.add(new MetricSeries(name + "_max", labels, Kind.GAUGE, max, 0, max, false));
    }
  }

  private static Map<String, String> labels(Meter.Id id) {
    Map<String, String> out = new TreeMap<>();
    for (Tag t : id.getTagsAsIterable()) {
      String k = INVALID_LABEL.matcher(snake(t.getKey())).replaceAll("_");
      if (!k.isEmpty() && Character.isDigit(k.charAt(0))) {
        k = "m_" + k;
      }
      out.put(k, t.getValue());
    }
    return out;
  }

  static String snake(String dotted) {
    return INVALID.matcher(dotted.replace('.', '_')).replaceAll("_");
  }

  private static String withUnit(String name, String unit) {
    if (unit == null || unit.isEmpty()) {
      return name;
    }
    String u = snake(unit);
    return name.endsWith("_" + u) ? name : name + "_" + u;
  }

  private static String total(String name) {
    return name.endsWith("_total") ? name : name + "_total";
  }

  private static String seconds(String name) {
    return name.endsWith("_seconds") ? name : name + "_seconds";
  }
}

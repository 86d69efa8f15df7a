package io.sluice.core.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * A declared alarm on one of Sluice's own metrics (config section {@code alarms}), in the manner of
 * a CloudWatch metric alarm.
 *
 * <pre>{@code
 * alarms:
 *   - name: dead-letters
 *     metric: sluice_target_dead_lettered_total   # a Prometheus name from /metrics
 *     labels: {rule: validate-vitals}              # only series with these labels (all, when empty)
 *     statistic: increase                          # increase | rate | value | avg | max
 *     period: 5m                                   # at least 10s, at most 1d
 *     threshold: {">": 0}                          # one of > >= < <= == with a number
 *     evaluationPeriods: 1                         # N: the datapoints looked at (default 1)
 *     datapointsToAlarm: 1                         # M of N breaching make ALARM (default N)
 *     bus: default                                 # where Alarm State Change events go
 * }</pre>
 *
 * @param labels label filters: a series matches when it has every one with that value
 * @param bus the bus that gets its {@code Alarm State Change} events
 */
public record AlarmConfig(
    String name,
    String description,
    String metric,
    Map<String, String> labels,
    Statistic statistic,
    Duration period,
    Comparison comparison,
    double threshold,
    int evaluationPeriods,
    int datapointsToAlarm,
    String bus) {

  public static final Duration MIN_PERIOD = Duration.ofSeconds(10);
  public static final Duration MAX_PERIOD = Duration.ofDays(1);

  public AlarmConfig {
    labels = Map.copyOf(labels);
  }

  /** What an alarm computes over one period of its metric's matching series. */
  public enum Statistic {
    /** A counter's increase over the period, summed over the series. */
    INCREASE,
    /** {@link #INCREASE} per second of the period. */
    RATE,
    /** The current value, summed over the series. */
    VALUE,
    /** The mean of a gauge's samples in the period (of a timer: its mean duration). */
    AVG,
    /** The largest of a gauge's samples in the period (of a timer: its longest duration). */
    MAX;

    /** The name in config, lower case. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How an observed value is compared with the threshold; breaching when it holds. */
  public enum Comparison {
    GT(">"),
    GE(">="),
    LT("<"),
    LE("<="),
    EQ("==");

    private final String symbol;

    Comparison(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    public boolean holds(double observed, double threshold) {
      return switch (this) {
        case GT -> observed > threshold;
        case GE -> observed >= threshold;
        case LT -> observed < threshold;
        case LE -> observed <= threshold;
        case EQ -> observed == threshold;
      };
    }

    public static Comparison of(String symbol) {
      for (Comparison c : values()) {
        if (c.symbol.equals(symbol)) {
          return c;
        }
      }
      return null;
    }
  }
}

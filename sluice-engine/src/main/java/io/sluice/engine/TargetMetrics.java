package io.sluice.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Delivery metrics per rule and target, in {@code /metrics} and in the stats API: {@code
 * sluice_rule_matched_total{bus,rule}}, {@code sluice_target_delivered_total}, {@code
 * _errors_total} (kept in the target's own error location instead, such as a lake table's {@code
 * _errors}), {@code _failed_total} (failed attempts), {@code _retried_total}, {@code
 * _dead_lettered_total}, {@code _skipped_total}, {@code sluice_target_lag_events}, {@code
 * sluice_target_lag_seconds} (tags bus, rule, target) and {@code sluice_target_delivery_seconds}.
 */
final class TargetMetrics {

  /** The meters of one rule (matched) and all its targets. */
  static final class Registry {
    private final MeterRegistry meters;
    private final Map<String, Counter> matched = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> matchedTotals = new ConcurrentHashMap<>();
    private final Map<String, TargetMetrics> targets = new ConcurrentHashMap<>();

    Registry(MeterRegistry meters) {
      this.meters = meters;
    }

    void matched(String bus, String rule) {
      String key = bus + "/" + rule;
      matched
          .computeIfAbsent(
              key,
              k ->
                  Counter.builder("sluice.rule.matched")
                      .description("Events a rule matched")
                      .tag("bus", bus)
                      .tag("rule", rule)
                      .register(meters))
          .increment();
      matchedTotals.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    long matchedCount(String bus, String rule) {
      LongAdder a = matchedTotals.get(bus + "/" + rule);
      return a == null ? 0 : a.sum();
    }

    TargetMetrics target(String bus, String rule, String id, TargetRunner runner) {
      TargetMetrics m =
          targets.computeIfAbsent(
              bus + "/" + rule + "/" + id, k -> new TargetMetrics(meters, bus, rule, id));
      m.runner = runner;
      return m;
    }
  }

  private final Counter delivered;
  private final Counter errors;
  private final Counter failed;
  private final Counter retried;
  private final Counter deadLettered;
  private final Counter skipped;
  private final Timer latency;
  private final LongAdder deliveredCount = new LongAdder();
  private final LongAdder errorsCount = new LongAdder();
  private final LongAdder failedCount = new LongAdder();
  private final LongAdder retriedCount = new LongAdder();
  private final LongAdder deadLetteredCount = new LongAdder();
  private final LongAdder skippedCount = new LongAdder();
  volatile TargetRunner runner;

  private TargetMetrics(MeterRegistry m, String bus, String rule, String id) {
    delivered =
        Counter.builder("sluice.target.delivered")
            .description("Deliveries a target took")
            .tags("bus", bus, "rule", rule, "target", id)
            .register(m);
    errors =
        Counter.builder("sluice.target.errors")
            .description(
                "Deliveries the target kept in its own error location instead (a lake table's"
                    + " _errors)")
            .tags("bus", bus, "rule", rule, "target", id)
            .register(m);
    failed =
        Counter.builder("sluice.target.failed")
            .description("Delivery attempts that failed")
            .tags("bus", bus, "rule", rule, "target", id)
            .register(m);
    retried =
        Counter.builder("sluice.target.retried")
            .description("Retries scheduled")
            .tags("bus", bus, "rule", rule, "target", id)
            .register(m);
    deadLettered =
        Counter.builder("sluice.target.dead.lettered")
            .description("Deliveries given up and kept as dead letters")
            .tags("bus", bus, "rule", rule, "target", id)
            .register(m);
    skipped =
        Counter.builder("sluice.target.skipped")
            .description("Deliveries a jq transform produced nothing for")
            .tags("bus", bus, "rule", rule, "target", id)
            .register(m);
    latency =
        Timer.builder("sluice.target.delivery")
            .description("Successful delivery attempt latency")
            .tags("bus", bus, "rule", rule, "target", id)
            .publishPercentileHistogram()
            .register(m);
    Gauge.builder("sluice.target.lag.events", this, t -> t.runner == null ? 0 : t.lagEvents())
        .description("Events the target still owes")
        .tags("bus", bus, "rule", rule, "target", id)
        .register(m);
    Gauge.builder("sluice.target.lag.seconds", this, t -> t.runner == null ? 0 : t.lagSeconds())
        .description("Age of the oldest event the target still owes")
        .tags("bus", bus, "rule", rule, "target", id)
        .register(m);
  }

  void delivered(int n, long millis) {
    delivered.increment(n);
    deliveredCount.add(n);
    latency.record(millis, TimeUnit.MILLISECONDS);
  }

  void errors(int n) {
    errors.increment(n);
    errorsCount.add(n);
  }

  void failed() {
    failed.increment();
    failedCount.increment();
  }

  void retried() {
    retried.increment();
    retriedCount.increment();
  }

  void deadLettered() {
    deadLettered.increment();
    deadLetteredCount.increment();
  }

  void skipped() {
    skipped.increment();
    skippedCount.increment();
  }

  long deliveredCount() {
    return deliveredCount.sum();
  }

  long errorsCount() {
    return errorsCount.sum();
  }

  long failedCount() {
    return failedCount.sum();
  }

  long retriedCount() {
    return retriedCount.sum();
  }

  long deadLetteredCount() {
    return deadLetteredCount.sum();
  }

  long skippedCount() {
    return skippedCount.sum();
  }

  double lagEvents() {
    TargetRunner r = runner;
    return r == null ? 0 : r.lagEvents();
  }

  double lagSeconds() {
    TargetRunner r = runner;
    return r == null ? 0 : r.oldestOwedAgeMs() / 1000.0;
  }
}

package io.sluice.lake;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The lake's counters in {@code /metrics}. */
final class LakeMetrics {

  private final MeterRegistry meters;

  LakeMetrics(MeterRegistry meters) {
    this.meters = meters;
  }

  void committed(String table, long rows, long skipped) {
    Counter.builder("sluice.lake.rows")
        .description("Rows committed to a lake table")
        .tag("table", table)
        .register(meters)
        .increment(rows);
    if (skipped > 0) {
      Counter.builder("sluice.lake.redelivered.skipped")
          .description("Re-delivered events already committed (not written twice)")
          .tag("table", table)
          .register(meters)
          .increment(skipped);
    }
  }

  void errorRows(String table, long rows) {
    Counter.builder("sluice.lake.error.rows")
        .description("Rows written to the error location instead of the table")
        .tag("table", table)
        .register(meters)
        .increment(rows);
  }

  void commitFailed(String table) {
    Counter.builder("sluice.lake.commit.failures")
        .description("Failed lake commits (retried)")
        .tag("table", table)
        .register(meters)
        .increment();
  }

  void query(String outcome) {
    Counter.builder("sluice.lake.queries")
        .description("SQL queries by outcome")
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }
}

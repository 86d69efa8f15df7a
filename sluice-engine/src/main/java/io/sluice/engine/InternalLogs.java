package io.sluice.engine;

import io.sluice.log.EventLog;
import io.sluice.log.LogSpec;
import io.sluice.log.Retention;
import java.time.Duration;

/** The logs Sluice keeps for itself (retries, dead letters): one partition, retained by age. */
final class InternalLogs {

  private InternalLogs() {}

  /** Creates {@code name} if it does not exist yet. */
  static void create(EventLog log, String name, Duration retention) {
    log.create(name, LogSpec.defaults(1).withRetention(new Retention(retention, -1)));
  }
}

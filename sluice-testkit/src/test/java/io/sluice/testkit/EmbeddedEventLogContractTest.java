package io.sluice.testkit;

import io.sluice.log.EmbeddedEventLog;
import io.sluice.log.EventLog;
import java.nio.file.Path;
import java.time.Clock;

/** The embedded log passes the shared contract. */
class EmbeddedEventLogContractTest extends EventLogContract {
  @Override
  protected EventLog open(Path dir, Clock clock) {
    return EmbeddedEventLog.open(dir, clock);
  }
}

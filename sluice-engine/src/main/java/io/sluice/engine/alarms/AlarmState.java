package io.sluice.engine.alarms;

import java.time.Instant;

/**
 * An alarm's state, as CloudWatch's: its value, why, and since when.
 *
 * @param reason a sentence for people: the datapoints and the threshold, or why there is no data
 * @param timestamp when the alarm entered this state
 */
public record AlarmState(Value value, String reason, Instant timestamp) {

  /** CloudWatch's three states. */
  public enum Value {
    OK,
    ALARM,
    INSUFFICIENT_DATA
  }
}

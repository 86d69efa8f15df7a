package io.sluice.functions.process;

import java.time.Duration;

/**
 * How long to wait before starting a runtime again after {@code failures} deaths in a row: {@code
 * initial}, doubling each time, at most {@code max}.
 */
record ExponentialBackoff(Duration initial, Duration max) {

  /** Restarts of a crashing runtime: 100 ms, 200 ms, 400 ms … at most 30 s. */
  static final ExponentialBackoff RESTARTS =
      new ExponentialBackoff(Duration.ofMillis(100), Duration.ofSeconds(30));

  Duration delay(int failures) {
    if (failures <= 0) {
      return Duration.ZERO;
    }
    int shift = Math.min(failures - 1, 30);
    long ms = initial.toMillis() << shift;
    return ms <= 0 || ms > max.toMillis() ? max : Duration.ofMillis(ms);
  }
}

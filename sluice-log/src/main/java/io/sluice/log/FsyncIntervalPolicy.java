package io.sluice.log;

import java.time.Duration;

/**
 * Acknowledge an append once written to the OS; fsync at most every {@code interval}. Loss window
 * on power loss or kernel crash: up to {@code interval} of acknowledged appends.
 */
public record FsyncIntervalPolicy(Duration interval) implements FsyncPolicy {
  public FsyncIntervalPolicy {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("fsync interval must be positive, got " + interval);
    }
  }

  @Override
  public boolean acknowledgesBeforeFsync() {
    return true;
  }
}

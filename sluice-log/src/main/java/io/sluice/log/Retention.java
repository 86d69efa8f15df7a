package io.sluice.log;

import java.time.Duration;

/**
 * What a log keeps. Whole segments are removed once all their records are older than {@code
 * maxAge}, and oldest-first while the partition would still hold at least {@code maxBytes} without
 * them. The active segment is never removed; it rolls after {@link LogSpec#segmentAge()}.
 *
 * @param maxAge keep records at least this long; {@code null} for no age limit
 * @param maxBytes keep at least this many bytes per partition; {@code -1} for no size limit
 */
public record Retention(Duration maxAge, long maxBytes) {

  public static final Retention DEFAULT = new Retention(Duration.ofDays(7), -1);
  public static final Retention FOREVER = new Retention(null, -1);

  public Retention {
    if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
      throw new IllegalArgumentException("maxAge must be positive, got " + maxAge);
    }
    if (maxBytes < -1 || maxBytes == 0) {
      throw new IllegalArgumentException("maxBytes must be positive or -1, got " + maxBytes);
    }
  }
}

package io.sluice.core.config;

import java.time.Duration;

/**
 * One bus: a durable, partitioned, retained log of events.
 *
 * @param retention keep events at least this long (default 7d)
 * @param retentionBytes keep at least this many bytes per partition, -1 for no size limit
 * @param fsync {@code always} (acknowledge after fsync, default) or {@code interval}
 * @param fsyncInterval with {@code interval}: how often to fsync (default 1s)
 * @param segmentBytes segment file size (default 64 MB)
 * @param deduplicate an event whose id was stored on the bus within this window is not stored again
 *     ({@link #MIN_DEDUPLICATE}..{@link #MAX_DEDUPLICATE}, at most {@code retention}); {@code null}
 *     (the default) for no deduplication
 */
public record BusConfig(
    String name,
    int partitions,
    Duration retention,
    long retentionBytes,
    String fsync,
    Duration fsyncInterval,
    long segmentBytes,
    Duration deduplicate) {

  public static final int DEFAULT_PARTITIONS = 1;
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
  public static final Duration DEFAULT_FSYNC_INTERVAL = Duration.ofSeconds(1);
  public static final Duration MIN_DEDUPLICATE = Duration.ofSeconds(1);
  public static final Duration MAX_DEDUPLICATE = Duration.ofDays(7);

  /** A bus as the config would have it with only {@code name}: no deduplication. */
  public static BusConfig named(String name) {
    return new BusConfig(
        name,
        DEFAULT_PARTITIONS,
        DEFAULT_RETENTION,
        -1,
        "always",
        DEFAULT_FSYNC_INTERVAL,
        64L << 20,
        null);
  }

  /** Whether the bus drops events whose id it already holds ({@code deduplicate} is set). */
  public boolean deduplicates() {
    return deduplicate != null;
  }

  /** This bus with a deduplication window ({@code null}: none). */
  public BusConfig withDeduplicate(Duration window) {
    return new BusConfig(
        name, partitions, retention, retentionBytes, fsync, fsyncInterval, segmentBytes, window);
  }
}

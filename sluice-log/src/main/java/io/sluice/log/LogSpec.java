package io.sluice.log;

import java.time.Duration;

/**
 * How one log is laid out and kept.
 *
 * @param partitions number of partitions, 1..1024
 * @param retention what to keep
 * @param fsync when appends become durable
 * @param segmentBytes roll a segment when it would grow past this (1 MiB .. 1 GiB)
 * @param segmentAge roll a non-empty segment older than this, so retention can remove it
 */
public record LogSpec(
    int partitions,
    Retention retention,
    FsyncPolicy fsync,
    long segmentBytes,
    Duration segmentAge) {

  public static final long DEFAULT_SEGMENT_BYTES = 64L * 1024 * 1024;
  public static final Duration DEFAULT_SEGMENT_AGE = Duration.ofHours(1);
  public static final int MAX_PARTITIONS = 1024;

  public LogSpec {
    if (partitions < 1 || partitions > MAX_PARTITIONS) {
      throw new IllegalArgumentException(
          "partitions must be 1.." + MAX_PARTITIONS + ", got " + partitions);
    }
    if (segmentBytes < 1024 || segmentBytes > (1L << 30)) {
      throw new IllegalArgumentException("segmentBytes must be 1 KiB..1 GiB, got " + segmentBytes);
    }
    if (segmentAge.isNegative() || segmentAge.isZero()) {
      throw new IllegalArgumentException("segmentAge must be positive, got " + segmentAge);
    }
  }

  /** Keep 7 days, fsync every batch, 64 MiB / 1 h segments. */
  public static LogSpec defaults(int partitions) {
    return new LogSpec(
        partitions,
        Retention.DEFAULT,
        FsyncPolicy.EVERY_BATCH,
        DEFAULT_SEGMENT_BYTES,
        DEFAULT_SEGMENT_AGE);
  }

  public LogSpec withRetention(Retention r) {
    return new LogSpec(partitions, r, fsync, segmentBytes, segmentAge);
  }

  public LogSpec withFsync(FsyncPolicy f) {
    return new LogSpec(partitions, retention, f, segmentBytes, segmentAge);
  }

  public LogSpec withSegmentBytes(long bytes) {
    return new LogSpec(partitions, retention, fsync, bytes, segmentAge);
  }

  public LogSpec withSegmentAge(Duration age) {
    return new LogSpec(partitions, retention, fsync, segmentBytes, age);
  }

  public LogSpec withPartitions(int n) {
    return new LogSpec(n, retention, fsync, segmentBytes, segmentAge);
  }
}

package io.sluice.lake;

import java.time.Duration;

/**
 * How the lake runs.
 *
 * @param threads DuckDB worker threads (writing and queries)
 * @param memoryLimit DuckDB's memory limit, e.g. {@code 1GB}
 * @param queryTimeout a statement running longer is cancelled
 * @param maxRows a query returns at most this many rows (and says it was truncated)
 * @param maxBufferedRows a lake target flushes once this many rows wait, whatever its buffer size
 * @param compactionInterval how often small files are looked for; zero turns compaction off
 * @param compactionMinFiles a partition is compacted once it has this many small files
 * @param smallFileBytes files below this size count as small
 * @param maxConcurrentQueries queries running at once, each on a thread of the lake's own
 * @param maxQueuedQueries queries waiting for a slot; past it one is refused (429)
 */
public record LakeSettings(
    int threads,
    String memoryLimit,
    Duration queryTimeout,
    long maxRows,
    int maxBufferedRows,
    Duration compactionInterval,
    int compactionMinFiles,
    long smallFileBytes,
    int maxConcurrentQueries,
    int maxQueuedQueries) {

  public static final LakeSettings DEFAULTS =
      new LakeSettings(
          2,
          "1GB",
          Duration.ofSeconds(30),
          100_000,
          40_000,
          Duration.ofMinutes(1),
          10,
          32L << 20,
          2,
          16);

  /** The settings of the config's {@code lake:} section (and the defaults for the rest). */
  public static LakeSettings of(io.sluice.core.config.SluiceConfig.LakeConfig l) {
    return new LakeSettings(
        l.threads(),
        l.memoryLimit(),
        l.queryTimeout(),
        l.maxRows(),
        DEFAULTS.maxBufferedRows(),
        l.compactionInterval(),
        l.compactionMinFiles(),
        l.smallFileBytes(),
        l.maxConcurrentQueries(),
        l.maxQueuedQueries());
  }

  public LakeSettings withCompactionInterval(Duration d) {
    return new LakeSettings(
        threads,
        memoryLimit,
        queryTimeout,
        maxRows,
        maxBufferedRows,
        d,
        compactionMinFiles,
        smallFileBytes,
        maxConcurrentQueries,
        maxQueuedQueries);
  }

  public LakeSettings withQueryLimits(Duration timeout, long rows) {
    return new LakeSettings(
        threads,
        memoryLimit,
        timeout,
        rows,
        maxBufferedRows,
        compactionInterval,
        compactionMinFiles,
        smallFileBytes,
        maxConcurrentQueries,
        maxQueuedQueries);
  }

  public LakeSettings withQueryAdmission(int concurrent, int queued) {
    return new LakeSettings(
        threads,
        memoryLimit,
        queryTimeout,
        maxRows,
        maxBufferedRows,
        compactionInterval,
        compactionMinFiles,
        smallFileBytes,
        concurrent,
        queued);
  }
}

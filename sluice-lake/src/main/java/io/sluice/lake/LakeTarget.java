package io.sluice.lake;

import io.sluice.core.config.TargetConfig.TargetSpec;
import java.time.Duration;
import java.util.List;

/**
 * Write events into a lake table as Parquet: buffered, flushed when {@code bufferBytes} or {@code
 * bufferInterval} is reached, into Hive-style partitions, exactly once.
 *
 * @param compression zstd, snappy, gzip or uncompressed
 */
public record LakeTarget(
    String table,
    long bufferBytes,
    Duration bufferInterval,
    List<PartitionKey> partitionBy,
    String compression)
    implements TargetSpec {
  @Override
  public String kind() {
    return LakeTargetKind.NAME;
  }
}

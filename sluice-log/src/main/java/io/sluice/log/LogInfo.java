package io.sluice.log;

import java.util.List;

/** A log's partitions as of now. */
public record LogInfo(String name, LogSpec spec, List<PartitionInfo> partitions) {

  /** Total bytes on disk across partitions. */
  public long sizeBytes() {
    return partitions.stream().mapToLong(PartitionInfo::sizeBytes).sum();
  }

  /** Number of retained records across partitions. */
  public long records() {
    return partitions.stream().mapToLong(p -> p.endOffset() - p.startOffset()).sum();
  }

  /**
   * One partition.
   *
   * @param startOffset oldest retained offset
   * @param endOffset offset the next append gets (acknowledged records are below it)
   */
  public record PartitionInfo(
      int partition, long startOffset, long endOffset, long sizeBytes, int segments) {}
}

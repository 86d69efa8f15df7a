package io.sluice.log;

import java.util.List;

/**
 * What opening the log found: per partition, what was trusted, validated, cut and rebuilt. Empty
 * {@link #truncations()} and {@link #quarantined()} mean the log was intact.
 */
public record RecoveryReport(List<PartitionRecovery> partitions) {

  /** All truncations across partitions. */
  public List<Truncation> truncations() {
    return partitions.stream().flatMap(p -> p.truncations().stream()).toList();
  }

  /** All files set aside across partitions. */
  public List<String> quarantined() {
    return partitions.stream().flatMap(p -> p.quarantined().stream()).toList();
  }

  /** Bytes cut from the ends of segments across partitions. */
  public long bytesTruncated() {
    return truncations().stream().mapToLong(Truncation::bytesRemoved).sum();
  }

  /**
   * One partition's recovery.
   *
   * @param segmentsTrusted segments accepted from the recovery checkpoint without a scan
   * @param segmentsValidated segments scanned batch by batch
   * @param bytesValidated bytes scanned
   * @param indexesRebuilt index files written anew (missing, stale or inconsistent)
   * @param quarantined segment files after a bad batch, renamed to {@code *.corrupt}
   */
  public record PartitionRecovery(
      String log,
      int partition,
      int segmentsTrusted,
      int segmentsValidated,
      long bytesValidated,
      int indexesRebuilt,
      List<Truncation> truncations,
      List<String> quarantined) {}

  /** A segment cut at {@code position}, losing {@code bytesRemoved} bytes, and why. */
  public record Truncation(String file, long position, long bytesRemoved, String reason) {}
}

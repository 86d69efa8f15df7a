package io.sluice.log;

/**
 * Told by a partition's writer thread each time appends become durable, before their futures
 * complete: so an observer (metrics, a test proving "no acknowledgement before fsync") sees the
 * order in which things really happened. Must be fast and must not throw.
 */
@FunctionalInterface
public interface DurabilityListener {

  DurabilityListener NONE = (log, partition, endOffset, fsynced) -> {};

  /**
   * @param endOffset every record below this offset is now durable (and about to be acknowledged)
   * @param fsynced true when an fsync preceded this call, false under {@code fsync: interval}
   */
  void durable(String log, int partition, long endOffset, boolean fsynced);
}

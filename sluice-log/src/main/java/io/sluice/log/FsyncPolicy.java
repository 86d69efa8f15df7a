package io.sluice.log;

/**
 * When an append counts as durable.
 *
 * <ul>
 *   <li>{@link FsyncEveryBatchPolicy} ({@code fsync: always}, the default): an append is
 *       acknowledged only after its bytes were written and {@code fsync}ed. Concurrent appenders
 *       share fsyncs (group commit), so throughput grows with concurrency.
 *   <li>{@link FsyncIntervalPolicy} ({@code fsync: interval}): an append is acknowledged once
 *       written to the operating system; the log fsyncs at most every {@code interval}. A crash of
 *       the Sluice process loses nothing (the kernel holds the bytes), but a power loss or kernel
 *       crash can lose up to {@code interval} of acknowledged appends.
 * </ul>
 */
public sealed interface FsyncPolicy permits FsyncEveryBatchPolicy, FsyncIntervalPolicy {

  FsyncPolicy EVERY_BATCH = new FsyncEveryBatchPolicy();

  /** True when an append may be acknowledged before its fsync. */
  boolean acknowledgesBeforeFsync();
}

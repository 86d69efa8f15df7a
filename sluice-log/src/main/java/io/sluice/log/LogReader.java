package io.sluice.log;

import java.time.Duration;
import java.util.List;

/**
 * Reads one partition forward from a position. Not thread-safe: one reader per consumer thread.
 *
 * <p>When retention removed records the reader was about to read, it continues at the oldest
 * retained record and counts what it missed in {@link #skippedByRetention()}, so the caller can
 * report it; nothing is skipped silently. Records in a damaged batch are skipped the same way
 * ({@link #takeSkippedCorrupt()}), and the log reports the damage once.
 */
public interface LogReader extends AutoCloseable {

  /**
   * Up to {@code maxRecords} acknowledged records from the current position, waiting up to {@code
   * maxWait} for the first one; empty when none arrived in time. Reads around damaged batches (see
   * {@link #takeSkippedCorrupt()}).
   */
  List<LogEntry> poll(int maxRecords, Duration maxWait);

  /** The next offset this reader will return. */
  long position();

  /** Moves the reader; positions before the retained range continue at its start. */
  void seek(long offset);

  /** Records removed by retention before this reader reached them. */
  long skippedByRetention();

  /** Damaged ranges this reader skipped since the last call, oldest first. */
  default List<CorruptRange> takeSkippedCorrupt() {
    return List.of();
  }

  @Override
  void close();
}

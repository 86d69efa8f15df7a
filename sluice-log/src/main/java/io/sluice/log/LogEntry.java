package io.sluice.log;

/** One stored record as read back; {@code timestampMs} is its append time. */
public record LogEntry(int partition, long offset, long timestampMs, byte[] key, byte[] value) {}

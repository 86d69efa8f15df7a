package io.sluice.engine;

/**
 * An event as stored in a bus: where it is, when it was ingested, and its envelope JSON bytes (kept
 * raw so responses can copy them without re-serializing).
 */
public record StoredEvent(
    String bus, int partition, long offset, long ingestionTimeMs, byte[] json) {}

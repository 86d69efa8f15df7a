package io.sluice.engine;

import java.util.List;

/**
 * One page of a bus read; {@code next} continues after it (also once more events arrive). {@code
 * corrupt} lists damaged ranges the read went around (their records cannot be read); {@code next}
 * is past them.
 */
public record ReadPage(
    List<StoredEvent> events, BusCursor next, List<io.sluice.log.CorruptRange> corrupt) {}

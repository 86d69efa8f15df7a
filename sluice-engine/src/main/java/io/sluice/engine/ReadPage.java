package io.sluice.engine;

import java.util.List;

/** One page of a bus read; {@code next} continues after it (also once more events arrive). */
public record ReadPage(List<StoredEvent> events, BusCursor next) {}

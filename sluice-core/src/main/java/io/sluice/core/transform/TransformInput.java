package io.sluice.core.transform;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a transform sees: the matched event and where it came from.
 *
 * @param event the event envelope as a tree (read only)
 * @param eventJson the stored event's JSON bytes
 * @param ingestionTimeMs when the bus stored it
 * @param replayName the replay delivering it, or {@code null}
 */
public record TransformInput(
    JsonNode event,
    byte[] eventJson,
    String bus,
    String rule,
    String target,
    long ingestionTimeMs,
    String replayName) {}

package io.sluice.engine.targets;

import io.sluice.core.transform.TransformOutput;

/**
 * What a sender sends for one delivery: the transformed body and where it came from.
 *
 * @param replayName set when the delivery is part of a replay, so targets can tell
 */
public record Outbound(
    String bus, String rule, String eventId, TransformOutput body, String replayName) {}

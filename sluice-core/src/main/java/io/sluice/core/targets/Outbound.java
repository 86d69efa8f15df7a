package io.sluice.core.targets;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.transform.TransformOutput;

/**
 * What a sender sends for one delivery: the transformed body and where it came from.
 *
 * @param event the stored event (the envelope, before any transform)
 * @param partition the bus partition the event is stored in
 * @param offset its offset there
 * @param repeat whether this delivery repeats one made before: a replay, a retry from the durable
 *     queue, a redriven dead letter (a target that deduplicates by offset must let these through)
 * @param retried whether it comes from the durable retry queue (retries and redriven dead letters):
 *     such deliveries come in no order, not even those of a replay
 * @param ingestionTimeMs when Sluice stored the event
 * @param replayName set when the delivery is part of a replay, so targets can tell
 */
public record Outbound(
    String bus,
    String rule,
    String eventId,
    TransformOutput body,
    String replayName,
    JsonNode event,
    int partition,
    long offset,
    boolean repeat,
    boolean retried,
    long ingestionTimeMs) {

  /** For senders and tests that only care about the body. */
  public Outbound(
      String bus, String rule, String eventId, TransformOutput body, String replayName) {
    this(bus, rule, eventId, body, replayName, null, -1, -1, false, false, 0);
  }
}

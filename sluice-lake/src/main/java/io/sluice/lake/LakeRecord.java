package io.sluice.lake;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One row on its way into a lake table.
 *
 * @param event the stored event (envelope columns come from it)
 * @param data the object whose fields become data columns: the event's {@code detail}, or what a
 *     transform produced; a non-object lands in {@code _extra}
 * @param partitionValues the escaped value of each partition key, in key order
 */
public record LakeRecord(
    JsonNode event,
    JsonNode data,
    String bus,
    int partition,
    long offset,
    long ingestionTimeMs,
    String replayName,
    Map<String, String> partitionValues) {}

package io.sluice.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.log.LogEntry;
import java.nio.charset.StandardCharsets;

/**
 * One matched event on its way to one target, with its delivery history.
 *
 * @param offset the event's offset in {@code bus}/{@code partition}
 * @param json the stored event and its envelope, parsed once on first use and shared by all targets
 *     the event matched
 * @param groupKey the event's group key ({@code partitionkey}, also the log record's key), or
 *     {@code null}
 * @param attempts attempts made so far
 * @param firstAttemptMs when the first attempt started (0 before it)
 * @param lastError the last attempt's error, or {@code null}
 * @param replayName the replay this delivery belongs to, or {@code null}
 * @param retryOffset the entry's offset in the durable retry queue, or -1 when it is not from there
 */
public record Delivery(
    String bus,
    int partition,
    long offset,
    long ingestionTimeMs,
    EventJson json,
    String groupKey,
    int attempts,
    long firstAttemptMs,
    String lastError,
    String replayName,
    long retryOffset) {

  /** A delivery of an event just read from its bus, before any attempt. */
  static Delivery fresh(String bus, LogEntry e, EventJson json, String replayName) {
    return new Delivery(
        bus,
        e.partition(),
        e.offset(),
        e.timestampMs(),
        json,
        e.key() == null ? null : new String(e.key(), StandardCharsets.UTF_8),
        0,
        0,
        null,
        replayName,
        -1);
  }

  Delivery attempted(long startedMs, String error) {
    return new Delivery(
        bus,
        partition,
        offset,
        ingestionTimeMs,
        json,
        groupKey,
        attempts + 1,
        firstAttemptMs == 0 ? startedMs : firstAttemptMs,
        error,
        replayName,
        retryOffset);
  }

  Delivery fromRetryQueue(long retryQueueOffset) {
    return new Delivery(
        bus,
        partition,
        offset,
        ingestionTimeMs,
        json,
        groupKey,
        attempts,
        firstAttemptMs,
        lastError,
        replayName,
        retryQueueOffset);
  }

  /** The stored event's bytes. */
  byte[] eventJson() {
    return json.bytes();
  }

  /** The parsed envelope (read only); parsed on first use. */
  JsonNode event() {
    return json.tree();
  }

  /** A stable identity across retries: where the event is stored. */
  String position() {
    return bus + "/" + partition + "/" + offset;
  }
}

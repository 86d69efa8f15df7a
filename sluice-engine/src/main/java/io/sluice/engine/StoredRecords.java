package io.sluice.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON records Sluice keeps in its internal logs ({@code sluice.retries}, {@code
 * sluice.deadletters}): a delivery with its history, and the event itself.
 */
final class StoredRecords {

  private StoredRecords() {}

  static ObjectNode delivery(Delivery d, String rule, String target) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("bus", d.bus());
    n.put("partition", d.partition());
    n.put("offset", d.offset());
    n.put("ingestionTime", d.ingestionTimeMs());
    n.put("rule", rule);
    n.put("target", target);
    n.put("attempts", d.attempts());
    n.put("firstAttempt", d.firstAttemptMs());
    if (d.lastError() != null) {
      n.put("error", d.lastError());
    }
    if (d.replayName() != null) {
      n.put("replay", d.replayName());
    }
    n.set("event", d.event());
    return n;
  }

  static Delivery delivery(JsonNode n, long retryOffset) {
    JsonNode event = n.get("event");
    byte[] json;
    try {
      json = Json.MAPPER.writeValueAsBytes(event);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    JsonNode key = event.get(io.sluice.core.Event.GROUP_KEY_FIELD);
    return new Delivery(
        n.path("bus").asText(),
        n.path("partition").asInt(),
        n.path("offset").asLong(),
        n.path("ingestionTime").asLong(),
        new EventJson(json, event),
        key != null && key.isTextual() ? key.asText() : null,
        n.path("attempts").asInt(),
        n.path("firstAttempt").asLong(),
        n.hasNonNull("error") ? n.get("error").asText() : null,
        n.hasNonNull("replay") ? n.get("replay").asText() : null,
        retryOffset);
  }

  static byte[] bytes(JsonNode n) {
    try {
      return Json.MAPPER.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode parse(byte[] b) {
    try {
      return Json.MAPPER.readTree(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

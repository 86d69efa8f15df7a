package io.sluice.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An event's stored JSON and its parsed envelope, parsed on first use and then shared by every
 * target the event matched. The router only matches (on the bytes); a target parses when it needs
 * the tree (a transform, the event id, a dead letter), on its own thread. Parsing twice in a race
 * gives equal trees, so no lock is needed.
 */
public final class EventJson {

  private final byte[] bytes;
  private volatile JsonNode tree;

  EventJson(byte[] bytes) {
    this.bytes = bytes;
  }

  EventJson(byte[] bytes, JsonNode tree) {
    this.bytes = bytes;
    this.tree = tree;
  }

  /** The stored bytes; never modified. */
  public byte[] bytes() {
    return bytes;
  }

  /**
   * The parsed envelope (read only).
   *
   * @throws UncheckedIOException if the stored bytes are not JSON (the log's checksums make this a
   *     bug, not a storage fault)
   */
  public JsonNode tree() {
    JsonNode t = tree;
    if (t == null) {
      try {
        t = Json.MAPPER.readTree(bytes);
      } catch (IOException e) {
        throw new UncheckedIOException("stored event is not JSON", e);
      }
      tree = t;
    }
    return t;
  }
}

package io.sluice.analyses;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.sluice.core.EventCodec;
import io.sluice.core.Json;
import java.io.IOException;
import java.time.Instant;

/**
 * Reads one value at a dotted path out of an event's stored JSON without building a tree: the
 * analysis's hot path (event time, session series) on every event.
 */
final class EventFields {

  private final String[][] paths;

  /** {@code paths}: dotted paths such as {@code time} or {@code detail.passedAt}. */
  EventFields(String... paths) {
    this.paths = new String[paths.length][];
    for (int i = 0; i < paths.length; i++) {
      this.paths[i] = paths[i] == null ? null : paths[i].split("\\.");
    }
  }

  /**
   * The values at each path: a string's text, a number's or boolean's JSON, an object's or array's
   * JSON text; null when absent or JSON null.
   */
  String[] read(byte[] json) throws IOException {
    String[] out = new String[paths.length];
    try (JsonParser p = Json.MAPPER.getFactory().createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      boolean[] active = new boolean[paths.length];
      for (int i = 0; i < paths.length; i++) {
        active[i] = paths[i] != null;
      }
      scan(p, 0, active, out, json);
    }
    return out;
  }

  /** Walks the object the parser is in at {@code depth} for the {@code active} paths. */
  private void scan(JsonParser p, int depth, boolean[] active, String[] out, byte[] json)
      throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      boolean[] next = null;
      for (int i = 0; i < paths.length; i++) {
        String[] path = paths[i];
        if (!active[i] || path.length <= depth || !path[depth].equals(name)) {
          continue;
        }
        if (path.length == depth + 1) {
          out[i] = value(p, t, json);
        } else if (t == JsonToken.START_OBJECT) {
          if (next == null) {
            next = new boolean[paths.length];
          }
          next[i] = true;
        }
      }
      if (next != null && p.currentToken() == JsonToken.START_OBJECT) {
        scan(p, depth + 1, next, out, json);
      } else if ((t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY)
          && p.currentToken() == t) {
        p.skipChildren();
      }
    }
  }

  private static String value(JsonParser p, JsonToken t, byte[] json) throws IOException {
    return switch (t) {
      case VALUE_STRING -> p.getText();
      case VALUE_NULL -> null;
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> p.getText();
      case START_OBJECT, START_ARRAY -> {
        long from = p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        long to = p.currentLocation().getByteOffset();
        yield new String(
            json, (int) from, (int) (to - from), java.nio.charset.StandardCharsets.UTF_8);
      }
      default -> null;
    };
  }

  /**
   * An event time: RFC 3339 text with an offset, or epoch milliseconds; null when it is neither
   * (the caller says why).
   */
  static Long time(String value) {
    if (value == null) {
      return null;
    }
    if (value.matches("-?\\d{1,16}")) {
      return Long.parseLong(value);
    }
    Instant i = EventCodec.parseTime(value);
    return i == null ? null : i.toEpochMilli();
  }
}

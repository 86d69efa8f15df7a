package io.sluice.analyses;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.sluice.core.EventCodec;
import java.io.IOException;
import java.time.Instant;

/**
 * Reads one value at a dotted path out of an event's stored JSON without building a tree: the
 * analysis's hot path (event time, session series) on every event.
 */
final class EventFields {

  /** Stored events have unique keys (ingest checked them): no duplicate detection here. */
  private static final com.fasterxml.jackson.core.JsonFactory FACTORY =
      com.fasterxml.jackson.core.JsonFactory.builder()
          .disable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

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
    try (JsonParser p = FACTORY.createParser(json)) {
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
    long fast = fastTime(value);
    if (fast != Long.MIN_VALUE) {
      return fast;
    }
    if (value.matches("-?\\d{1,16}")) {
      return Long.parseLong(value);
    }
    Instant i = EventCodec.parseTime(value);
    return i == null ? null : i.toEpochMilli();
  }

  /**
   * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:MM)} without a formatter (the usual shape, on every
   * event); {@link Long#MIN_VALUE} for anything else, which the formatter then reads.
   */
  static long fastTime(String s) {
    int n = s.length();
    if (n < 20
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || (s.charAt(10) != 'T' && s.charAt(10) != 't')
        || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return Long.MIN_VALUE;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if ((year | month | day | hour | minute | second) < 0
        || month < 1
        || month > 12
        || day < 1
        || day > 31
        || hour > 23
        || minute > 59
        || second > 59) {
      return Long.MIN_VALUE;
    }
    int i = 19;
    long millis = 0;
    if (i < n && s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
      }
      int len = i - start;
      if (len < 1 || len > 9) {
        return Long.MIN_VALUE;
      }
      for (int k = 0; k < 3; k++) {
        millis = millis * 10 + (k < len ? s.charAt(start + k) - '0' : 0);
      }
    }
    long offsetSeconds;
    if (i == n - 1 && (s.charAt(i) == 'Z' || s.charAt(i) == 'z')) {
      offsetSeconds = 0;
    } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
      int oh = digits(s, i + 1, 2);
      int om = digits(s, i + 4, 2);
      if (oh < 0 || om < 0 || oh > 23 || om > 59) {
        return Long.MIN_VALUE;
      }
      offsetSeconds = (oh * 3600L + om * 60L) * (s.charAt(i) == '-' ? -1 : 1);
    } else {
      return Long.MIN_VALUE;
    }
    if (day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
      return Long.MIN_VALUE;
    }
    long days = java.time.LocalDate.of(year, month, day).toEpochDay();
    return ((days * 86400L + hour * 3600L + minute * 60L + second) - offsetSeconds) * 1000L
        + millis;
  }

  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int k = from; k < from + count; k++) {
      char c = s.charAt(k);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}

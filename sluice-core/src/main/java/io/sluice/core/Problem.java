package io.sluice.core;

import java.util.List;
import java.util.Objects;

/**
 * One thing wrong with an input, with where it is and what came.
 *
 * <p>The same record reports bad events at ingest, bad configuration and bad rule patterns. {@code
 * path} is a JSON Pointer into the input ({@code "/buses/1/retention"}, {@code "/2/detail-type"},
 * {@code ""} for the whole input). {@code message} names the expectation and what came instead, so
 * that {@link #toString()} reads as one complete sentence: {@code /buses/1/retention: expected a
 * duration like 7d or 12h, got "seven"}. {@code rejectedValue} is a short rendering of the
 * offending value, or {@code null} when there is none (a missing field).
 */
public record Problem(String path, String message, String rejectedValue, Kind kind) {

  /**
   * What kind of problem it is: codes and HTTP statuses are derived from it, never from the
   * message's text.
   */
  public enum Kind {
    /** The value is wrong: 400. */
    INVALID,
    /** The value is over a limit other than size (depth, length, count): 400 LIMIT_EXCEEDED. */
    LIMIT_EXCEEDED,
    /** The value is over a size limit: 413 TOO_LARGE. */
    TOO_LARGE
  }

  /** Rendered values longer than this are cut, with the full length stated. */
  public static final int MAX_RENDERED_VALUE_CHARS = 120;

  public Problem {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(kind, "kind");
  }

  /** An {@link Kind#INVALID} problem. */
  public Problem(String path, String message, String rejectedValue) {
    this(path, message, rejectedValue, Kind.INVALID);
  }

  public static Problem of(String path, String message) {
    return new Problem(path, message, null);
  }

  public static Problem of(String path, String message, String rejectedValue) {
    return new Problem(path, message, rejectedValue);
  }

  /** A value over a limit that is not its size (nesting, length, count). */
  public static Problem limit(String path, String message, String rejectedValue) {
    return new Problem(path, message, rejectedValue, Kind.LIMIT_EXCEEDED);
  }

  /** A value over a size limit. */
  public static Problem tooLarge(String path, String message) {
    return new Problem(path, message, null, Kind.TOO_LARGE);
  }

  /** Returns this problem with {@code prefix} put in front of its path. */
  public Problem under(String prefix) {
    return new Problem(prefix + path, message, rejectedValue, kind);
  }

  /** Returns the problems with {@code prefix} put in front of each path. */
  public static List<Problem> under(String prefix, List<Problem> problems) {
    return problems.stream().map(p -> p.under(prefix)).toList();
  }

  /**
   * A short, quoted rendering of a value for messages: strings in double quotes, long values cut
   * with their full length stated.
   */
  public static String render(Object value) {
    if (value == null) {
      return "null";
    }
    return cut(value instanceof CharSequence cs ? quote(cs.toString()) : String.valueOf(value));
  }

  /** Like {@link #render} but for text that is already a rendering (JSON), so it is not quoted. */
  public static String renderRaw(String s) {
    return cut(s);
  }

  private static String cut(String s) {
    if (s.length() <= MAX_RENDERED_VALUE_CHARS) {
      return s;
    }
    return s.substring(0, MAX_RENDERED_VALUE_CHARS) + "…(" + s.length() + " chars)";
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /** Escapes one JSON Pointer reference token (RFC 6901). */
  public static String pointerToken(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }

  @Override
  public String toString() {
    return (path.isEmpty() ? "/" : path) + ": " + message;
  }
}

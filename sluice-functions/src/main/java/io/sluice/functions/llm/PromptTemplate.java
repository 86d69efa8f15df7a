package io.sluice.functions.llm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A prompt with placeholders filled from the invocation's JSON payload. The syntax, which is a
 * compatibility promise:
 *
 * <ul>
 *   <li>{@code {{json}}}: the whole payload as compact JSON (a string payload in quotes);
 *   <li>{@code {{detail.heart_rate}}}: the value at that path, field names separated by dots, a
 *       number indexing an array ({@code {{detail.items.0.sku}}}); a string is put in as its text,
 *       an object or array as compact JSON, a number, boolean or {@code null} as JSON;
 *   <li>{@code {{detail.note?}}}: the same, but a missing value (or {@code null}) puts in nothing;
 *   <li>spaces inside the braces are ignored ({@code {{ detail.id }}}); everything else is text.
 * </ul>
 *
 * A path without {@code ?} that the payload lacks fails the invocation (a prompt with a hole costs
 * tokens and answers something else; the same payload would fail again, so it is permanent). {@code
 * json} is the whole payload, so a top-level field named {@code json} is reached as {@code
 * {{json.json}}}.
 *
 * <p>Immutable and thread-safe.
 */
final class PromptTemplate {

  static final String SYNTAX = "a placeholder is {{json}}, {{path.to.field}} or {{optional.path?}}";

  /** One field name or array index: anything but dots, braces, '?' and spaces. */
  private static final Pattern SEGMENT = Pattern.compile("[^.{}?\\s]+");

  /** A part of the text: literal text, or a value of the payload. */
  private sealed interface Part {}

  private record Text(String text) implements Part {}

  /** {@code path} empty: the whole payload. */
  private record Value(String source, List<String> path, boolean optional) implements Part {}

  /** Thrown by {@link #render} when a required path is missing from the payload. */
  static final class MissingValueException extends Exception {
    private static final long serialVersionUID = 1L;

    MissingValueException(String message) {
      super(message);
    }
  }

  private final String source;
  private final List<Part> parts;

  private PromptTemplate(String source, List<Part> parts) {
    this.source = source;
    this.parts = List.copyOf(parts);
  }

  /**
   * Parses {@code source}; {@code problems} gets every mistake, each saying where (the 1-based
   * character of its {@code {{}}) and what a placeholder looks like.
   *
   * @return the template, or {@code null} when there was a problem
   */
  static PromptTemplate parse(String source, List<String> problems) {
    List<Part> parts = new ArrayList<>();
    int before = problems.size();
    int i = 0;
    while (i < source.length()) {
      int open = source.indexOf("{{", i);
      if (open < 0) {
        parts.add(new Text(source.substring(i)));
        break;
      }
      if (open > i) {
        parts.add(new Text(source.substring(i, open)));
      }
      int close = source.indexOf("}}", open + 2);
      if (close < 0) {
        problems.add("unclosed {{ at character " + (open + 1) + "; " + SYNTAX);
        break;
      }
      String inner = source.substring(open + 2, close).strip();
      Value v = value(inner, open + 1, problems);
      if (v != null) {
        parts.add(v);
      }
      i = close + 2;
    }
    return problems.size() == before ? new PromptTemplate(source, parts) : null;
  }

  private static Value value(String inner, int at, List<String> problems) {
    if (inner.isEmpty()) {
      problems.add("empty placeholder {{}} at character " + at + "; " + SYNTAX);
      return null;
    }
    boolean optional = inner.endsWith("?");
    String path = optional ? inner.substring(0, inner.length() - 1) : inner;
    List<String> segments = List.of(path.split("\\.", -1));
    for (String s : segments) {
      if (!SEGMENT.matcher(s).matches()) {
        problems.add(
            "placeholder {{"
                + inner
                + "}} at character "
                + at
                + " is not a path of field names separated by dots; "
                + SYNTAX);
        return null;
      }
    }
    if (segments.get(0).equals("json")) {
      segments = segments.subList(1, segments.size());
    }
    return new Value(inner, segments, optional);
  }

  /** The text with every placeholder filled from {@code payload}. */
  String render(JsonNode payload) throws MissingValueException {
    StringBuilder out = new StringBuilder(source.length() + 256);
    for (Part p : parts) {
      switch (p) {
        case Text t -> out.append(t.text());
        case Value v -> {
          JsonNode n = at(payload, v.path());
          if (n == null || n.isMissingNode() || (v.optional() && n.isNull())) {
            if (!v.optional()) {
              throw new MissingValueException(
                  "the prompt's {{"
                      + v.source()
                      + "}} is not in the payload (write {{"
                      + v.source()
                      + "?}} to leave it empty when missing)");
            }
          } else {
            out.append(n.isTextual() && !v.path().isEmpty() ? n.asText() : n.toString());
          }
        }
      }
    }
    return out.toString();
  }

  private static JsonNode at(JsonNode n, List<String> path) {
    for (String s : path) {
      if (n.isObject()) {
        n = n.get(s);
      } else if (n.isArray() && isIndex(s)) {
        n = n.get(Integer.parseInt(s));
      } else {
        return null;
      }
      if (n == null) {
        return null;
      }
    }
    return n;
  }

  private static boolean isIndex(String s) {
    return s.length() <= 9 && s.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /** The template as written. */
  String source() {
    return source;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PromptTemplate t && t.source.equals(source);
  }

  @Override
  public int hashCode() {
    return source.hashCode();
  }

  @Override
  public String toString() {
    return source;
  }
}

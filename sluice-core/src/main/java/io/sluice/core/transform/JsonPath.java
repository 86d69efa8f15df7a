package io.sluice.core.transform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSONPath subset EventBridge input transformers accept: {@code $} followed by dot-notation
 * names (letters, digits, {@code -}, {@code _}, {@code /}), array indexes {@code [0]} and wildcards
 * ({@code .*} or {@code [*]}). A path with a wildcard yields an array of what it reached.
 *
 * <p>Immutable and thread-safe.
 */
public final class JsonPath {

  private sealed interface Step permits Name, Index, Wildcard {}

  private record Name(String name) implements Step {}

  private record Index(int index) implements Step {}

  private record Wildcard() implements Step {}

  private final String text;
  private final List<Step> steps;
  private final boolean multi;

  private JsonPath(String text, List<Step> steps) {
    this.text = text;
    this.steps = steps;
    this.multi = steps.stream().anyMatch(s -> s instanceof Wildcard);
  }

  /**
   * Parses a path.
   *
   * @throws IllegalArgumentException with a message naming the position and what was expected
   */
  public static JsonPath parse(String text) {
    if (!text.startsWith("$")) {
      throw new IllegalArgumentException(
          "expected a JSON path starting with $, like $.detail.amount, got \"" + text + "\"");
    }
    List<Step> steps = new ArrayList<>();
    int i = 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '.') {
        int j = i + 1;
        if (j < text.length() && text.charAt(j) == '*') {
          steps.add(new Wildcard());
          i = j + 1;
          continue;
        }
        while (j < text.length() && isNameChar(text.charAt(j))) {
          j++;
        }
        if (j == i + 1) {
          throw new IllegalArgumentException(
              "expected a field name after . at position " + (i + 1) + " of \"" + text + "\"");
        }
        steps.add(new Name(text.substring(i + 1, j)));
        i = j;
      } else if (c == '[') {
        int close = text.indexOf(']', i);
        if (close < 0) {
          throw new IllegalArgumentException(
              "unclosed [ at position " + i + " of \"" + text + "\"");
        }
        String inside = text.substring(i + 1, close);
        if (inside.equals("*")) {
          steps.add(new Wildcard());
        } else if (inside.matches("\\d{1,9}")) {
          steps.add(new Index(Integer.parseInt(inside)));
        } else {
          throw new IllegalArgumentException(
              "expected an array index or * inside [ ] at position "
                  + i
                  + " of \""
                  + text
                  + "\" (use dot notation for names)");
        }
        i = close + 1;
      } else {
        throw new IllegalArgumentException(
            "unexpected character '" + c + "' at position " + i + " of \"" + text + "\"");
      }
    }
    return new JsonPath(text, List.copyOf(steps));
  }

  private static boolean isNameChar(char c) {
    return Character.isLetterOrDigit(c)
        || c == '-'
        || c == '_'
        || c == '/'
        || c == '$'
        || c == '@'
        || c == ':';
  }

  /** What the path reaches in {@code root}: a node, an array for wildcards, or {@code null}. */
  public JsonNode evaluate(JsonNode root) {
    List<JsonNode> current = List.of(root);
    for (Step s : steps) {
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode n : current) {
        switch (s) {
          case Name name -> {
            JsonNode v = n.get(name.name());
            if (v != null) {
              next.add(v);
            }
          }
          case Index idx -> {
            if (n.isArray() && idx.index() < n.size()) {
              next.add(n.get(idx.index()));
            }
          }
          case Wildcard w -> {
            if (n.isArray() || n.isObject()) {
              n.forEach(next::add);
            }
          }
        }
      }
      current = next;
    }
    if (multi) {
      ArrayNode arr = JsonNodeFactory.instance.arrayNode();
      current.forEach(arr::add);
      return arr;
    }
    return current.isEmpty() ? null : current.get(0);
  }

  @Override
  public String toString() {
    return text;
  }
}

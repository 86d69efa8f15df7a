package io.sluice.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A position in a configuration tree that reads typed values and records every problem with its
 * path instead of stopping at the first one, so {@code sluice validate} can report all of them.
 *
 * <p>Readers return a usable default after recording a problem; the caller checks {@link
 * #problems()} once at the end. Not thread-safe (one per load).
 */
public final class ConfigNode {

  private final JsonNode node;
  private final String path;
  private final List<Problem> problems;

  public ConfigNode(JsonNode node, String path, List<Problem> problems) {
    this.node = node == null ? MissingNode.getInstance() : node;
    this.path = path;
    this.problems = problems;
  }

  public String path() {
    return path;
  }

  public JsonNode raw() {
    return node;
  }

  public List<Problem> problems() {
    return problems;
  }

  public boolean isMissing() {
    return node.isMissingNode() || node.isNull();
  }

  public ConfigNode field(String name) {
    return new ConfigNode(node.path(name), path + "/" + Problem.pointerToken(name), problems);
  }

  public void problem(String message) {
    problems.add(Problem.of(path, message, isMissing() ? null : render()));
  }

  private String render() {
    return node.isTextual() ? Problem.render(node.asText()) : Problem.renderRaw(node.toString());
  }

  /** Records a problem unless this node is an object (or missing, when optional). */
  public boolean isObject(boolean required, String what) {
    if (node.isObject()) {
      return true;
    }
    if (isMissing() && !required) {
      return false;
    }
    problems.add(
        Problem.of(
            path,
            isMissing()
                ? "is required: " + what
                : "expected " + what + ", got " + Json.describe(node),
            isMissing() ? null : render()));
    return false;
  }

  /** Reports every field of this object that is not in {@code allowed}. */
  public void allowOnly(String... allowed) {
    if (!node.isObject()) {
      return;
    }
    Set<String> ok = Set.of(allowed);
    for (java.util.Map.Entry<String, JsonNode> f : node.properties()) {
      String name = f.getKey();
      if (!ok.contains(name)) {
        String hint = closest(name, allowed);
        problems.add(
            Problem.of(
                path + "/" + Problem.pointerToken(name),
                "unknown field"
                    + (hint == null ? "" : " (did you mean " + hint + "?)")
                    + "; expected one of "
                    + String.join(", ", allowed)));
      }
    }
  }

  public List<ConfigNode> list(boolean required, String what) {
    if (isMissing()) {
      if (required) {
        problems.add(Problem.of(path, "is required: " + what));
      }
      return List.of();
    }
    if (!node.isArray()) {
      problems.add(Problem.of(path, "expected " + what + ", got " + Json.describe(node), render()));
      return List.of();
    }
    List<ConfigNode> out = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      out.add(new ConfigNode(node.get(i), path + "/" + i, problems));
    }
    return out;
  }

  public String string(String def) {
    if (isMissing()) {
      return def;
    }
    if (!node.isTextual()) {
      problems.add(Problem.of(path, "expected a string, got " + Json.describe(node), render()));
      return def;
    }
    return node.asText();
  }

  public String requiredString(String what) {
    if (isMissing()) {
      problems.add(Problem.of(path, "is required: " + what));
      return null;
    }
    String s = string(null);
    if (s != null && s.isEmpty()) {
      problems.add(Problem.of(path, "expected " + what + ", got \"\"", "\"\""));
      return null;
    }
    return s;
  }

  public String matching(String def, Pattern pattern, String what) {
    String s = string(def);
    if (s != null && !isMissing() && !pattern.matcher(s).matches()) {
      problems.add(
          Problem.of(path, "expected " + what + ", got " + Problem.render(s), Problem.render(s)));
      return def;
    }
    return s;
  }

  public int integer(int def, int min, int max) {
    if (isMissing()) {
      return def;
    }
    if (!node.isIntegralNumber() || node.asLong() < min || node.asLong() > max) {
      problems.add(
          Problem.of(
              path,
              "expected an integer " + min + ".." + max + ", got " + Json.describe(node),
              render()));
      return def;
    }
    return node.asInt();
  }

  public boolean bool(boolean def) {
    if (isMissing()) {
      return def;
    }
    if (!node.isBoolean()) {
      problems.add(
          Problem.of(path, "expected true or false, got " + Json.describe(node), render()));
      return def;
    }
    return node.asBoolean();
  }

  public String oneOf(String def, String... allowed) {
    String s = string(def);
    if (s != null && !isMissing() && !Arrays.asList(allowed).contains(s)) {
      problems.add(
          Problem.of(
              path,
              "expected one of " + String.join(", ", allowed) + ", got " + Problem.render(s),
              Problem.render(s)));
      return def;
    }
    return s;
  }

  /** A duration like {@code 500ms}, {@code 30s}, {@code 5m}, {@code 12h}, {@code 7d}. */
  public Duration duration(Duration def) {
    if (isMissing()) {
      return def;
    }
    Duration d = node.isTextual() ? Durations.parse(node.asText()) : null;
    if (d == null) {
      problems.add(
          Problem.of(
              path,
              "expected a duration like 7d or 12h, got "
                  + (node.isTextual() ? Problem.render(node.asText()) : Json.describe(node)),
              render()));
      return def;
    }
    return d;
  }

  /** A size like {@code 512}, {@code 256KB}, {@code 10MB}, {@code 1GB} (binary multiples). */
  public long bytes(long def, long min, long max) {
    if (isMissing()) {
      return def;
    }
    long b =
        node.isIntegralNumber()
            ? node.asLong()
            : node.isTextual() ? ByteSizes.parse(node.asText()) : -1;
    if (b < 0) {
      problems.add(
          Problem.of(
              path,
              "expected a size like 256KB or 10MB, got "
                  + (node.isTextual() ? Problem.render(node.asText()) : Json.describe(node)),
              render()));
      return def;
    }
    if (b < min || b > max) {
      problems.add(
          Problem.of(
              path,
              "expected a size between "
                  + ByteSizes.format(min)
                  + " and "
                  + ByteSizes.format(max)
                  + ", got "
                  + ByteSizes.format(b),
              render()));
      return def;
    }
    return b;
  }

  private static String closest(String name, String[] allowed) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String a : allowed) {
      int d = distance(name.toLowerCase(Locale.ROOT), a.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = a;
      }
    }
    return bestDistance <= Math.max(2, name.length() / 4) ? best : null;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}

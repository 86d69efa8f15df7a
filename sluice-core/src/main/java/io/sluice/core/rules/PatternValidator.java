package io.sluice.core.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.event.ruler.GenericMachine;
import software.amazon.event.ruler.JsonRuleCompiler;
import software.amazon.event.ruler.MachineComplexityEvaluator;

/**
 * Checks an EventBridge event pattern and reports every problem with its JSON Pointer path, in
 * words that name the operator, the expectation and what came: {@code
 * /rules/2/pattern/detail/amount/0/numeric: numeric expects [operator, number] pairs, got 3
 * elements}.
 *
 * <p>Refuses pathological patterns: longer than {@value #MAX_PATTERN_CHARS} characters (the
 * EventBridge PutRule limit), or with a wildcard complexity over {@value #MAX_WILDCARD_COMPLEXITY}
 * (event-ruler's measure of how many machine states wildcards can keep alive at once).
 * event-ruler's own check runs last, as a backstop.
 */
public final class PatternValidator {

  public static final int MAX_PATTERN_CHARS = 4096;
  public static final int MAX_WILDCARD_COMPLEXITY = 100;

  /**
   * Most unescaped {@code *} across a pattern's wildcard conditions. event-ruler's complexity
   * evaluation itself grows exponentially with them (6 conditions of 4 stars took 2 s, 8 ran out of
   * memory), so this cheap count runs first.
   */
  public static final int MAX_WILDCARD_STARS = 16;

  static final Set<String> OPERATORS =
      Set.of(
          "prefix",
          "suffix",
          "equals-ignore-case",
          "wildcard",
          "anything-but",
          "numeric",
          "exists",
          "cidr");
  private static final String OPERATOR_LIST =
      "prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, exists, cidr";
  private static final Set<String> NUMERIC_OPS = Set.of("=", "<", "<=", ">", ">=");

  private PatternValidator() {}

  /** Every problem of {@code pattern}; paths start with {@code path}. Empty when valid. */
  public static List<Problem> check(JsonNode pattern, String path) {
    List<Problem> out = new ArrayList<>();
    if (pattern == null || !pattern.isObject() || pattern.isEmpty()) {
      out.add(
          Problem.of(
              path,
              "expected a non-empty JSON object (an event pattern), got " + Json.describe(pattern),
              render(pattern)));
      return out;
    }
    String text = pattern.toString();
    if (text.length() > MAX_PATTERN_CHARS) {
      out.add(
          Problem.of(
              path,
              "pattern is "
                  + text.length()
                  + " characters, over the limit of "
                  + MAX_PATTERN_CHARS));
      return out;
    }
    object(pattern, path, out);
    if (!out.isEmpty()) {
      return out;
    }
    int stars = stars(pattern);
    if (stars > MAX_WILDCARD_STARS) {
      out.add(
          Problem.of(
              path,
              "wildcard conditions use "
                  + stars
                  + " * in all, over the limit of "
                  + MAX_WILDCARD_STARS
                  + "; use fewer wildcard patterns or fewer * in each"));
      return out;
    }
    String refused = JsonRuleCompiler.check(text);
    if (refused != null) {
      out.add(
          Problem.of(
              path,
              "event-ruler refuses the pattern: " + refused.lines().findFirst().orElse(refused)));
      return out;
    }
    try {
      GenericMachine<String> m = GenericMachine.<String>builder().build();
      m.addRule("p", text);
      int complexity =
          m.evaluateComplexity(new MachineComplexityEvaluator(MAX_WILDCARD_COMPLEXITY + 1));
      if (complexity > MAX_WILDCARD_COMPLEXITY) {
        out.add(
            Problem.of(
                path,
                "wildcard complexity "
                    + complexity
                    + " is over the limit of "
                    + MAX_WILDCARD_COMPLEXITY
                    + "; use fewer wildcard patterns or fewer * in each"));
      }
    } catch (Exception e) {
      out.add(Problem.of(path, "event-ruler refuses the pattern: " + e.getMessage()));
    }
    return out;
  }

  /** Unescaped stars in all wildcard conditions (including anything-but wildcard). */
  static int stars(JsonNode n) {
    int count = 0;
    if (n.isObject()) {
      for (Map.Entry<String, JsonNode> f : n.properties()) {
        if (f.getKey().equals("wildcard")) {
          JsonNode v = f.getValue();
          if (v.isTextual()) {
            count += starsIn(v.asText());
          } else if (v.isArray()) {
            for (JsonNode e : v) {
              count += e.isTextual() ? starsIn(e.asText()) : 0;
            }
          }
        } else {
          count += stars(f.getValue());
        }
      }
    } else if (n.isArray()) {
      for (JsonNode e : n) {
        count += stars(e);
      }
    }
    return count;
  }

  private static int starsIn(String s) {
    int c = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\\') {
        i++;
      } else if (s.charAt(i) == '*') {
        c++;
      }
    }
    return c;
  }

  private static void object(JsonNode obj, String path, List<Problem> out) {
    for (Map.Entry<String, JsonNode> f : obj.properties()) {
      String p = path + "/" + Problem.pointerToken(f.getKey());
      JsonNode v = f.getValue();
      if (f.getKey().equals("$or")) {
        or(v, p, out);
      } else if (v.isObject()) {
        if (v.isEmpty()) {
          out.add(
              Problem.of(
                  p,
                  "expected an array of match conditions or a non-empty nested object, got {}",
                  "{}"));
        } else {
          object(v, p, out);
        }
      } else if (v.isArray()) {
        if (v.isEmpty()) {
          out.add(Problem.of(p, "expected a non-empty array of match conditions, got []", "[]"));
        }
        for (int i = 0; i < v.size(); i++) {
          matcher(v.get(i), p + "/" + i, out);
        }
      } else {
        out.add(
            Problem.of(
                p,
                "expected an array of match conditions (like ["
                    + (v.isTextual() ? Problem.render(v.asText()) : "\"value\"")
                    + "]) or a nested object, got "
                    + Json.describe(v),
                render(v)));
      }
    }
  }

  private static void or(JsonNode v, String p, List<Problem> out) {
    if (!v.isArray() || v.size() < 2) {
      out.add(
          Problem.of(
              p,
              "$or expects an array of at least 2 pattern objects, got " + Json.describe(v),
              render(v)));
      return;
    }
    for (int i = 0; i < v.size(); i++) {
      JsonNode branch = v.get(i);
      if (!branch.isObject() || branch.isEmpty()) {
        out.add(
            Problem.of(
                p + "/" + i,
                "expected a non-empty pattern object, got " + Json.describe(branch),
                render(branch)));
      } else {
        object(branch, p + "/" + i, out);
      }
    }
  }

  private static void matcher(JsonNode m, String p, List<Problem> out) {
    if (m.isValueNode() || m.isNull()) {
      return; // exact match on a string, number, boolean or null
    }
    if (m.isArray()) {
      out.add(
          Problem.of(
              p,
              "expected a value or an {operator: …} object, got array "
                  + Problem.renderRaw(m.toString()),
              render(m)));
      return;
    }
    if (m.size() != 1) {
      out.add(
          Problem.of(
              p,
              "expected exactly one operator in a match condition, got "
                  + m.size()
                  + (m.isEmpty()
                      ? ""
                      : ": "
                          + String.join(", ", m.propertyStream().map(Map.Entry::getKey).toList())),
              render(m)));
      return;
    }
    Map.Entry<String, JsonNode> op = m.properties().iterator().next();
    String name = op.getKey();
    JsonNode v = op.getValue();
    String q = p + "/" + Problem.pointerToken(name);
    switch (name) {
      case "prefix", "suffix" -> {
        if (v.isObject() && v.size() == 1 && v.has("equals-ignore-case")) {
          string(
              v.get("equals-ignore-case"),
              q + "/equals-ignore-case",
              name + " equals-ignore-case",
              out);
        } else {
          string(v, q, name, out);
        }
      }
      case "equals-ignore-case" -> string(v, q, name, out);
      case "wildcard" -> wildcard(v, q, out);
      case "anything-but" -> anythingBut(v, q, out);
      case "numeric" -> numeric(v, q, out);
      case "exists" -> {
        if (!v.isBoolean()) {
          out.add(
              Problem.of(q, "exists expects true or false, got " + Json.describe(v), render(v)));
        }
      }
      case "cidr" -> cidr(v, q, out);
      default ->
          out.add(
              Problem.of(
                  q,
                  "unknown operator " + Problem.render(name) + "; expected one of " + OPERATOR_LIST,
                  Problem.render(name)));
    }
  }

  private static void string(JsonNode v, String q, String op, List<Problem> out) {
    if (!v.isTextual()) {
      out.add(Problem.of(q, op + " expects a string, got " + Json.describe(v), render(v)));
    }
  }

  private static void wildcard(JsonNode v, String q, List<Problem> out) {
    if (!v.isTextual()) {
      out.add(Problem.of(q, "wildcard expects a string, got " + Json.describe(v), render(v)));
      return;
    }
    String s = v.asText();
    for (int i = 1; i < s.length(); i++) {
      if (s.charAt(i) == '*' && s.charAt(i - 1) == '*' && (i < 2 || s.charAt(i - 2) != '\\')) {
        out.add(
            Problem.of(
                q,
                "wildcard has consecutive * at position " + i + " in " + Problem.render(s),
                Problem.render(s)));
        return;
      }
    }
  }

  private static void anythingBut(JsonNode v, String q, List<Problem> out) {
    if (v.isTextual() || v.isNumber()) {
      return;
    }
    if (v.isArray()) {
      if (v.isEmpty()) {
        out.add(Problem.of(q, "anything-but expects a non-empty list, got []", "[]"));
        return;
      }
      boolean strings = v.get(0).isTextual();
      for (int i = 0; i < v.size(); i++) {
        JsonNode e = v.get(i);
        if (strings ? !e.isTextual() : !e.isNumber()) {
          out.add(
              Problem.of(
                  q + "/" + i,
                  "anything-but expects a list of only strings or only numbers, got "
                      + Json.describe(e),
                  render(e)));
        }
      }
      return;
    }
    if (v.isObject() && v.size() == 1) {
      Map.Entry<String, JsonNode> inner = v.properties().iterator().next();
      String k = inner.getKey();
      JsonNode iv = inner.getValue();
      if (Set.of("prefix", "suffix", "equals-ignore-case", "wildcard").contains(k)) {
        if (iv.isTextual()) {
          if (k.equals("wildcard")) {
            wildcard(iv, q + "/" + k, out);
          }
          return;
        }
        if (iv.isArray() && !iv.isEmpty()) {
          for (int i = 0; i < iv.size(); i++) {
            if (!iv.get(i).isTextual()) {
              out.add(
                  Problem.of(
                      q + "/" + k + "/" + i,
                      "anything-but " + k + " expects strings, got " + Json.describe(iv.get(i)),
                      render(iv.get(i))));
            } else if (k.equals("wildcard")) {
              wildcard(iv.get(i), q + "/" + k + "/" + i, out);
            }
          }
          return;
        }
        out.add(
            Problem.of(
                q + "/" + k,
                "anything-but "
                    + k
                    + " expects a string or a non-empty list of strings, got "
                    + Json.describe(iv),
                render(iv)));
        return;
      }
    }
    out.add(
        Problem.of(
            q,
            "anything-but expects a value, a list of values, or one of {prefix}, {suffix}, {equals-ignore-case},"
                + " {wildcard}, got "
                + Json.describe(v),
            render(v)));
  }

  private static void numeric(JsonNode v, String q, List<Problem> out) {
    if (!v.isArray()) {
      out.add(
          Problem.of(
              q, "numeric expects [operator, number] pairs, got " + Json.describe(v), render(v)));
      return;
    }
    if (v.size() != 2 && v.size() != 4) {
      out.add(
          Problem.of(
              q,
              "numeric expects [operator, number] pairs, got " + v.size() + " elements",
              render(v)));
      return;
    }
    int before = out.size();
    for (int i = 0; i < v.size(); i += 2) {
      JsonNode op = v.get(i);
      JsonNode num = v.get(i + 1);
      if (!op.isTextual() || !NUMERIC_OPS.contains(op.asText())) {
        out.add(
            Problem.of(
                q + "/" + i,
                "numeric operator must be one of =, <, <=, >, >=, got " + Json.describe(op),
                render(op)));
      }
      if (!num.isNumber()) {
        out.add(
            Problem.of(
                q + "/" + (i + 1),
                "numeric value must be a number, got " + Json.describe(num),
                render(num)));
      }
    }
    if (out.size() > before || v.size() == 2) {
      return;
    }
    String lo = v.get(0).asText();
    String hi = v.get(2).asText();
    if (!(lo.equals(">") || lo.equals(">=")) || !(hi.equals("<") || hi.equals("<="))) {
      out.add(
          Problem.of(
              q,
              "numeric range must be a lower bound (> or >=) then an upper bound (< or <=), got "
                  + lo
                  + " then "
                  + hi,
              render(v)));
      return;
    }
    if (v.get(1).asDouble() >= v.get(3).asDouble()) {
      out.add(
          Problem.of(
              q,
              "numeric range is empty: " + v.get(1).asText() + " is not below " + v.get(3).asText(),
              render(v)));
    }
  }

  private static void cidr(JsonNode v, String q, List<Problem> out) {
    String bad = v.isTextual() ? cidrProblem(v.asText()) : "not a string";
    if (bad != null) {
      out.add(
          Problem.of(
              q,
              "cidr expects an IP prefix like 10.0.0.0/24 or 2001:db8::/32, got "
                  + Json.describe(v)
                  + (v.isTextual() ? " (" + bad + ")" : ""),
              render(v)));
    }
  }

  private static String cidrProblem(String s) {
    int slash = s.indexOf('/');
    if (slash < 0) {
      return "no /prefix length";
    }
    String addr = s.substring(0, slash);
    boolean v4 = addr.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = addr.contains(":") && addr.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) {
      return "not an IP address";
    }
    if (v4) {
      for (String part : addr.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return "octet " + part + " is over 255";
        }
      }
    } else {
      try {
        InetAddress.getByName(addr);
      } catch (Exception e) {
        return "not an IPv6 address";
      }
    }
    int bits;
    try {
      bits = Integer.parseInt(s.substring(slash + 1));
    } catch (NumberFormatException e) {
      return "prefix length is not a number";
    }
    int max =
        v4 ? 31 : 127; // event-ruler refuses /32 and /128 (a single address: use an exact match)
    return bits < 0 || bits > max ? "prefix length " + bits + " is outside 0.." + max : null;
  }

  private static String render(JsonNode v) {
    if (v == null) {
      return null;
    }
    return v.isTextual() ? Problem.render(v.asText()) : Problem.renderRaw(v.toString());
  }
}

package io.sluice.core.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Says why a pattern does or does not match an event, condition by condition: each field's
 * conditions are tested alone, and {@code $or} branch by branch. Used by {@code sluice rules test}
 * and the rule tester; matching itself always goes through {@link RuleSet}.
 */
public final class PatternExplainer {

  /** The verdict and one line per condition. */
  public record Explanation(boolean matches, List<String> lines) {}

  private PatternExplainer() {}

  /** {@code pattern} must be valid ({@link PatternValidator}). */
  public static Explanation explain(JsonNode pattern, JsonNode event) {
    boolean matches = !RuleSet.compile(Map.of("p", pattern)).matches(event).isEmpty();
    List<String> lines = new ArrayList<>();
    boolean allLeavesMatch = branch(pattern, "", event, lines, "");
    if (!matches && allLeavesMatch) {
      lines.add(
          "every condition holds on its own, but not within the same element of an array (conditions on"
              + " fields of objects in one array must match the same object)");
    }
    return new Explanation(matches, lines);
  }

  /** Explains the conditions of one pattern object; returns whether all of them hold alone. */
  private static boolean branch(
      JsonNode obj, String path, JsonNode event, List<String> lines, String indent) {
    boolean all = true;
    for (Map.Entry<String, JsonNode> f : obj.properties()) {
      String p = path + "/" + Problem.pointerToken(f.getKey());
      JsonNode v = f.getValue();
      if (f.getKey().equals("$or")) {
        List<String> sub = new ArrayList<>();
        boolean any = false;
        for (int i = 0; i < v.size(); i++) {
          List<String> branchLines = new ArrayList<>();
          boolean ok = branch(v.get(i), path, event, branchLines, indent + "    ");
          any |= ok;
          sub.add(indent + "  branch " + (i + 1) + (ok ? " holds:" : " fails:"));
          sub.addAll(branchLines);
        }
        lines.add(
            indent
                + (any ? "✓ " : "✗ ")
                + (path.isEmpty() ? "/" : path)
                + " $or: "
                + (any ? "a branch holds" : "no branch holds"));
        lines.addAll(sub);
        all &= any;
      } else if (v.isObject()) {
        all &= branch(v, p, event, lines, indent);
      } else {
        boolean ok = leafMatches(p, v, event);
        lines.add(
            indent
                + (ok ? "✓ " : "✗ ")
                + p
                + " "
                + v
                + (ok ? " matched " : " did not match ")
                + valueAt(p, event));
        all &= ok;
      }
    }
    return all;
  }

  private static boolean leafMatches(String pointer, JsonNode conditions, JsonNode event) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode cur = root;
    String[] parts = pointer.substring(1).split("/");
    for (int i = 0; i < parts.length - 1; i++) {
      cur = cur.putObject(unescape(parts[i]));
    }
    cur.set(unescape(parts[parts.length - 1]), conditions);
    return !RuleSet.compile(Map.of("leaf", root)).matches(event).isEmpty();
  }

  /** The event's value(s) at a pointer, following arrays, for messages. */
  static String valueAt(String pointer, JsonNode event) {
    List<JsonNode> found = new ArrayList<>();
    collect(event, pointer.substring(1).split("/"), 0, found);
    if (found.isEmpty()) {
      return "(the field is missing)";
    }
    if (found.size() == 1) {
      return Problem.renderRaw(found.get(0).toString());
    }
    return Problem.renderRaw(found.toString());
  }

  private static void collect(JsonNode n, String[] parts, int i, List<JsonNode> out) {
    if (n == null || n.isMissingNode()) {
      return;
    }
    if (n.isArray()) {
      for (JsonNode e : n) {
        collect(e, parts, i, out);
      }
      return;
    }
    if (i == parts.length) {
      out.add(n);
      return;
    }
    if (n.isObject()) {
      collect(n.get(unescape(parts[i])), parts, i + 1, out);
    }
  }

  private static String unescape(String token) {
    return token.replace("~1", "/").replace("~0", "~");
  }
}

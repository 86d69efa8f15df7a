package io.sluice.core.transform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.EventCodec;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * EventBridge's input transformer: {@code inputPathsMap} names values in the event by JSON path,
 * {@code inputTemplate} places them as {@code <name>}.
 *
 * <p>Placement follows EventBridge: outside a JSON string a value is inserted as JSON ({@code
 * "state": <state>} gives {@code "state": "RUNNING"}); inside a string it is inserted as text
 * ({@code "is in <state>"} gives {@code "is in RUNNING"}), here always escaped so the result stays
 * valid JSON. A path that reaches nothing inserts {@code null} (inside a string: nothing). A
 * template that is not JSON once filled in is sent as plain text.
 *
 * <p>Reserved variables: {@code sluice.rule.name}, {@code sluice.bus}, {@code sluice.target.id},
 * {@code sluice.event} (the event without {@code detail}), {@code sluice.event.json} (the whole
 * event), {@code sluice.event.ingestion-time}, {@code sluice.replay.name}; EventBridge's {@code
 * aws.events.rule-name}, {@code aws.events.rule-arn}, {@code aws.events.event}, {@code
 * aws.events.event.json} and {@code aws.events.event.ingestion-time} work too.
 */
public final class InputTransformer implements Transform {

  public static final int MAX_VARIABLES = 100;
  public static final int MAX_TEMPLATE_CHARS = 8192;
  static final Set<String> RESERVED =
      Set.of(
          "sluice.rule.name",
          "sluice.bus",
          "sluice.target.id",
          "sluice.event",
          "sluice.event.json",
          "sluice.event.ingestion-time",
          "sluice.replay.name",
          "aws.events.rule-name",
          "aws.events.rule-arn",
          "aws.events.event",
          "aws.events.event.json",
          "aws.events.event.ingestion-time");

  private record Part(String literal, String variable, boolean inString) {}

  private final Map<String, JsonPath> paths;
  private final List<Part> parts;

  private InputTransformer(Map<String, JsonPath> paths, List<Part> parts) {
    this.paths = paths;
    this.parts = parts;
  }

  /**
   * Compiles a transformer, reporting every problem (bad paths, reserved or unknown variable names,
   * template limits) with paths under {@code path}; returns {@code null} if there is any.
   */
  public static InputTransformer compile(
      Map<String, String> pathsMap, String template, String path, List<Problem> problems) {
    int before = problems.size();
    Map<String, JsonPath> paths = new LinkedHashMap<>();
    if (pathsMap.size() > MAX_VARIABLES) {
      problems.add(
          Problem.of(
              path + "/inputPathsMap",
              "has " + pathsMap.size() + " variables, over the limit of " + MAX_VARIABLES));
    }
    for (Map.Entry<String, String> e : pathsMap.entrySet()) {
      String p = path + "/inputPathsMap/" + Problem.pointerToken(e.getKey());
      if (RESERVED.contains(e.getKey())
          || e.getKey().startsWith("aws.")
          || e.getKey().startsWith("sluice.")) {
        problems.add(
            Problem.of(
                p,
                "variable name "
                    + Problem.render(e.getKey())
                    + " is reserved (names starting with aws. or sluice.)"));
        continue;
      }
      if (!e.getKey().matches("[A-Za-z0-9_.\\-]{1,256}")) {
        problems.add(
            Problem.of(
                p,
                "expected a variable name of letters, digits, _ . -, got "
                    + Problem.render(e.getKey())));
        continue;
      }
      try {
        paths.put(e.getKey(), JsonPath.parse(e.getValue()));
      } catch (IllegalArgumentException ex) {
        problems.add(Problem.of(p, ex.getMessage(), Problem.render(e.getValue())));
      }
    }
    if (template == null || template.isEmpty()) {
      problems.add(
          Problem.of(
              path + "/inputTemplate", "is required: a template such as {\"amount\": <amount>}"));
      return null;
    }
    if (template.length() > MAX_TEMPLATE_CHARS) {
      problems.add(
          Problem.of(
              path + "/inputTemplate",
              "is " + template.length() + " characters, over the limit of " + MAX_TEMPLATE_CHARS));
      return null;
    }
    List<Part> parts = parse(template);
    for (Part part : parts) {
      if (part.variable() != null
          && !paths.containsKey(part.variable())
          && !RESERVED.contains(part.variable())
          && !pathsMap.containsKey(part.variable())) {
        problems.add(
            Problem.of(
                path + "/inputTemplate",
                "uses <"
                    + part.variable()
                    + ">, which is neither in inputPathsMap nor a reserved variable"));
      }
    }
    return problems.size() > before ? null : new InputTransformer(Map.copyOf(paths), parts);
  }

  /** Splits the template into literals and placeholders, noting which sit inside JSON strings. */
  private static List<Part> parse(String t) {
    List<Part> out = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    boolean inString = false;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == '\\' && inString && i + 1 < t.length()) {
        lit.append(c).append(t.charAt(++i));
        continue;
      }
      if (c == '"') {
        inString = !inString;
      }
      if (c == '<') {
        int close = t.indexOf('>', i);
        if (close > i + 1 && t.substring(i + 1, close).matches("[A-Za-z0-9_.\\-]+")) {
          out.add(new Part(lit.toString(), null, false));
          lit.setLength(0);
          out.add(new Part(null, t.substring(i + 1, close), inString));
          i = close;
          continue;
        }
      }
      lit.append(c);
    }
    out.add(new Part(lit.toString(), null, false));
    return out;
  }

  @Override
  public TransformOutput apply(TransformInput in) {
    StringBuilder b = new StringBuilder(256);
    for (Part p : parts) {
      if (p.variable() == null) {
        b.append(p.literal());
        continue;
      }
      JsonNode v = value(p.variable(), in);
      if (p.inString()) {
        if (v != null && !v.isNull()) {
          String raw = v.isTextual() ? v.asText() : v.toString();
          String quoted = jsonString(raw);
          b.append(quoted, 1, quoted.length() - 1);
        }
      } else {
        b.append(v == null ? "null" : v.toString());
      }
    }
    String text = b.toString();
    try {
      JsonNode tree = Json.MAPPER.readTree(text);
      if (tree != null && !tree.isMissingNode()) {
        return new TransformOutput.Json(tree, Json.MAPPER.writeValueAsBytes(tree));
      }
    } catch (IOException | NumberFormatException notJson) {
      // a text template
    }
    return new TransformOutput.Text(text);
  }

  private JsonNode value(String name, TransformInput in) {
    JsonPath path = paths.get(name);
    if (path != null) {
      return path.evaluate(in.event());
    }
    var f = Json.MAPPER.getNodeFactory();
    return switch (name) {
      case "sluice.rule.name", "aws.events.rule-name" -> f.textNode(in.rule());
      case "aws.events.rule-arn" ->
          f.textNode("arn:sluice:events:local:000000000000:rule/" + in.bus() + "/" + in.rule());
      case "sluice.bus" -> f.textNode(in.bus());
      case "sluice.target.id" -> f.textNode(in.target());
      case "sluice.event.json", "aws.events.event.json" -> in.event();
      case "sluice.event", "aws.events.event" -> {
        ObjectNode copy = ((ObjectNode) in.event()).deepCopy();
        copy.remove("detail");
        yield copy;
      }
      case "sluice.event.ingestion-time", "aws.events.event.ingestion-time" ->
          f.textNode(EventCodec.formatTime(Instant.ofEpochMilli(in.ingestionTimeMs())));
      case "sluice.replay.name" -> in.replayName() == null ? null : f.textNode(in.replayName());
      default -> null;
    };
  }

  private static String jsonString(String s) {
    try {
      return new String(Json.MAPPER.writeValueAsBytes(s), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.sluice.core.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

/** JSON Schema fragments kept as resources next to the kind that uses them. */
public final class Schemas {

  private Schemas() {}

  /**
   * The JSON object in resource {@code name} next to {@code owner} (its package).
   *
   * @throws IllegalStateException when the resource is missing or not a JSON object: a build fault
   */
  public static ObjectNode resource(Class<?> owner, String name) {
    try (InputStream in = owner.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + name + " next to " + owner.getName() + " is missing from the build");
      }
      JsonNode n = Json.MAPPER.readTree(in);
      if (!(n instanceof ObjectNode o)) {
        throw new IllegalStateException(
            "resource " + name + " next to " + owner.getName() + " is not a JSON object");
      }
      return o;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + name, e);
    }
  }

  /**
   * {@code node} as indented JSON text: two spaces per level, {@code "key": value}, one array item
   * per line, a newline at the end (the layout of {@code docs/sluice-config.schema.json}).
   */
  public static String render(JsonNode node) {
    StringBuilder out = new StringBuilder();
    render(node, 0, out);
    return out.append('\n').toString();
  }

  private static void render(JsonNode n, int depth, StringBuilder out) {
    if (n.isObject() && !n.isEmpty()) {
      out.append("{\n");
      Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        indent(depth + 1, out);
        out.append(quote(e.getKey())).append(": ");
        render(e.getValue(), depth + 1, out);
        out.append(it.hasNext() ? ",\n" : "\n");
      }
      indent(depth, out);
      out.append('}');
    } else if (n.isArray() && !n.isEmpty()) {
      out.append("[\n");
      for (int i = 0; i < n.size(); i++) {
        indent(depth + 1, out);
        render(n.get(i), depth + 1, out);
        out.append(i < n.size() - 1 ? ",\n" : "\n");
      }
      indent(depth, out);
      out.append(']');
    } else if (n.isObject()) {
      out.append("{}");
    } else if (n.isArray()) {
      out.append("[]");
    } else {
      out.append(n.toString());
    }
  }

  private static String quote(String s) {
    return Json.MAPPER.getNodeFactory().textNode(s).toString();
  }

  private static void indent(int depth, StringBuilder out) {
    out.append("  ".repeat(depth));
  }
}

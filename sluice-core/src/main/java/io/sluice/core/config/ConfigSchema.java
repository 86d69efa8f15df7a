package io.sluice.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.functions.RuntimeKind;
import io.sluice.core.kinds.Kinds;
import io.sluice.core.kinds.Schemas;
import io.sluice.core.kinds.TargetKind;
import java.util.List;
import java.util.Map;

/**
 * The configuration's JSON Schema (for editors, {@code sluice validate --schema} and {@code
 * docs/sluice-config.schema.json}), generated from the base schema and the registered kinds: each
 * target kind adds its settings under its name, one of the kinds is required, kinds that deliver
 * alone refuse {@code ordered}, {@code concurrency}, {@code rateLimit} and {@code batch}, and kinds
 * that do not batch refuse {@code batch}, as {@link RuleReader} does.
 */
public final class ConfigSchema {

  private ConfigSchema() {}

  public static ObjectNode generate(Kinds kinds) {
    ObjectNode schema = Schemas.resource(ConfigSchema.class, "sluice-config.base.schema.json");
    ObjectNode target = (ObjectNode) schema.path("definitions").path("target");
    ObjectNode common = (ObjectNode) target.remove("properties");
    ObjectNode properties = Json.MAPPER.createObjectNode();
    properties.set("id", common.remove("id"));
    ArrayNode oneOf = Json.MAPPER.createArrayNode();
    ArrayNode allOf = Json.MAPPER.createArrayNode();
    for (TargetKind<?> k : kinds.targets()) {
      properties.set(k.name(), k.schema());
      oneOf.addObject().set("required", array(k.name()));
      if (k.singleWriter() != null) {
        ObjectNode rule = allOf.addObject();
        rule.putObject("if").set("required", array(k.name()));
        ArrayNode anyOf = rule.putObject("then").putObject("not").putArray("anyOf");
        for (String f : List.of("ordered", "concurrency", "rateLimit", "batch")) {
          anyOf.addObject().set("required", array(f));
        }
      } else if (!k.batches()) {
        ObjectNode rule = allOf.addObject();
        rule.putObject("if").set("required", array(k.name()));
        rule.putObject("then").putObject("not").set("required", array("batch"));
      }
    }
    for (Map.Entry<String, JsonNode> e : common.properties()) {
      properties.set(e.getKey(), e.getValue());
    }
    // the target's keys in the documented order: type, additionalProperties, required, oneOf…
    ObjectNode ordered = Json.MAPPER.createObjectNode();
    for (Map.Entry<String, JsonNode> e : target.properties()) {
      ordered.set(e.getKey(), e.getValue());
      if (e.getKey().equals("required")) {
        ordered.set("oneOf", oneOf);
      }
    }
    ordered.set("properties", properties);
    ordered.set("allOf", allOf);
    ((ObjectNode) schema.path("definitions")).set("target", ordered);
    addRuntimes((ObjectNode) schema.path("definitions").path("function"), kinds);
    return schema;
  }

  /**
   * A function's schema: the common keys, the runtime names, and each runtime kind's own keys,
   * required by nothing but allowed only with their runtime ({@code if runtime = x then …}).
   */
  private static void addRuntimes(ObjectNode function, Kinds kinds) {
    ObjectNode properties = (ObjectNode) function.path("properties");
    ArrayNode names = ((ObjectNode) properties.path("runtime")).putArray("enum");
    ArrayNode allOf = Json.MAPPER.createArrayNode();
    java.util.Set<String> common = new java.util.HashSet<>();
    properties.fieldNames().forEachRemaining(common::add);
    for (RuntimeKind<?> k : kinds.runtimes()) {
      names.add(k.name());
      ObjectNode own = k.schema();
      ArrayNode others = Json.MAPPER.createArrayNode();
      for (Map.Entry<String, JsonNode> e : own.properties()) {
        if (!properties.has(e.getKey())) {
          properties.set(e.getKey(), e.getValue());
        }
      }
      ObjectNode rule = allOf.addObject();
      rule.putObject("if").putObject("properties").putObject("runtime").put("const", k.name());
      for (RuntimeKind<?> other : kinds.runtimes()) {
        for (String key : other.keys()) {
          if (!own.has(key) && !common.contains(key) && !contains(others, key)) {
            others.addObject().set("required", array(key));
          }
        }
      }
      if (!others.isEmpty()) {
        rule.putObject("then").putObject("not").set("anyOf", others);
      } else {
        rule.putObject("then");
      }
    }
    if (!allOf.isEmpty()) {
      function.set("allOf", allOf);
    }
  }

  private static boolean contains(ArrayNode requireds, String key) {
    for (JsonNode r : requireds) {
      if (r.path("required").path(0).asText().equals(key)) {
        return true;
      }
    }
    return false;
  }

  /** {@link #generate} as the text of {@code docs/sluice-config.schema.json}. */
  public static String text(Kinds kinds) {
    return Schemas.render(generate(kinds));
  }

  private static ArrayNode array(String value) {
    return Json.MAPPER.createArrayNode().add(value);
  }
}

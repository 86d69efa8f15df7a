package io.sluice.objects.validate;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rules a row is judged by: the schema's column rules (every format), then, for JSON records,
 * the target's JSON Schema. Keeps each JSON Schema compiled once. Thread-safe.
 */
final class RowChecks {

  private final Map<JsonNode, RecordSchema> recordSchemas = new ConcurrentHashMap<>();

  /** Every column rule {@code values} break, in column order; empty when none. */
  static List<Problem> columns(FileSchema schema, Map<String, String> values) {
    List<Problem> problems = null;
    for (FileSchema.Column c : schema.columns()) {
      Problem p = c.verdict(values.get(c.name()));
      if (p != null) {
        if (problems == null) {
          problems = new ArrayList<>(2);
        }
        problems.add(p);
      }
    }
    return problems == null ? List.of() : problems;
  }

  /** Column rules, then the JSON Schema (when the target has one), for a JSON record. */
  List<Problem> check(ValidateTarget spec, Map<String, String> values, JsonNode record) {
    List<Problem> columns =
        spec.schema().columns().isEmpty() ? List.of() : columns(spec.schema(), values);
    if (spec.jsonSchema() == null) {
      return columns;
    }
    List<Problem> json =
        recordSchemas.computeIfAbsent(spec.jsonSchema(), RecordSchema::compile).problems(record);
    if (json.isEmpty()) {
      return columns;
    }
    if (columns.isEmpty()) {
      return json;
    }
    List<Problem> all = new ArrayList<>(columns);
    all.addAll(json);
    return all;
  }

  /**
   * Why a record's text is not valid Unicode (a lone surrogate from a {@code \ud800} escape), at
   * {@code where} ("line 3"), or null.
   */
  static Problem textProblem(String where, JsonNode record) {
    if (Json.isValidText(record)) {
      return null;
    }
    List<Problem> ps = new ArrayList<>();
    Json.checkText(record, "", ps);
    return Problem.of(where, ps.get(0).toString());
  }

  /** A JSON record's fields as text values: scalars as their text, objects and arrays as JSON. */
  static Map<String, String> values(JsonNode record) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> f : record.properties()) {
      JsonNode v = f.getValue();
      values.put(f.getKey(), v.isNull() ? null : v.isValueNode() ? v.asText() : v.toString());
    }
    return values;
  }
}

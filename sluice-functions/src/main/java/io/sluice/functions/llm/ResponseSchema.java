package io.sluice.functions.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import java.util.List;

/**
 * The JSON Schema an {@code llm} function's answer must match (networknt json-schema-validator):
 * the draft its {@code $schema} names, else 2020-12. Thread-safe.
 */
final class ResponseSchema {

  private final JsonSchema schema;

  private ResponseSchema(JsonSchema schema) {
    this.schema = schema;
  }

  /**
   * Why {@code schema} is not a usable JSON Schema (checked against its draft's meta-schema, then
   * compiled), each reason as the validator words it, sorted; empty when it is usable.
   */
  static List<String> problems(JsonNode schema) {
    SpecVersion.VersionFlag version;
    try {
      version = version(schema);
    } catch (RuntimeException e) {
      return List.of(String.valueOf(e.getMessage()));
    }
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(version);
    JsonSchema meta = factory.getSchema(SchemaLocation.of(version.getId()));
    List<String> out =
        meta.validate(schema).stream().map(ValidationMessage::getMessage).sorted().toList();
    if (!out.isEmpty()) {
      return out;
    }
    try {
      compile(schema);
      return List.of();
    } catch (RuntimeException e) {
      return List.of(String.valueOf(e.getMessage()));
    }
  }

  /**
   * @throws RuntimeException when the schema cannot be used ({@link #problems} says why)
   */
  static ResponseSchema compile(JsonNode schema) {
    JsonSchema s = JsonSchemaFactory.getInstance(version(schema)).getSchema(schema);
    s.initializeValidators();
    return new ResponseSchema(s);
  }

  /** Every way {@code answer} fails the schema, "; "-joined and sorted, or null when it passes. */
  String check(JsonNode answer) {
    List<String> errors =
        schema.validate(answer).stream().map(ValidationMessage::getMessage).sorted().toList();
    return errors.isEmpty() ? null : String.join("; ", errors);
  }

  private static SpecVersion.VersionFlag version(JsonNode schema) {
    return schema.has("$schema")
        ? SpecVersionDetector.detect(schema)
        : SpecVersion.VersionFlag.V202012;
  }
}

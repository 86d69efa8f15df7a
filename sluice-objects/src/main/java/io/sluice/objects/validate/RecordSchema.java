package io.sluice.objects.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import io.sluice.core.Problem;
import java.util.List;
import java.util.Set;

/**
 * A JSON Schema for the records of json and ndjson files (networknt json-schema-validator). The
 * draft is the one the schema's {@code $schema} names, else 2020-12. Thread-safe.
 */
public final class RecordSchema {

  private final JsonSchema schema;

  private RecordSchema(JsonSchema schema) {
    this.schema = schema;
  }

  /**
   * @throws RuntimeException when the schema cannot be used
   */
  public static RecordSchema compile(JsonNode schema) {
    SpecVersion.VersionFlag version = SpecVersion.VersionFlag.V202012;
    if (schema.has("$schema")) {
      version = SpecVersionDetector.detect(schema);
    }
    JsonSchema s = JsonSchemaFactory.getInstance(version).getSchema(schema);
    s.initializeValidators();
    return new RecordSchema(s);
  }

  /** Why {@code record} fails the schema ("; "-joined, sorted), or null when it passes. */
  public String check(JsonNode record) {
    List<Problem> problems = problems(record);
    return problems.isEmpty() ? null : Reasons.text(problems);
  }

  /**
   * Every way {@code record} fails the schema, sorted by message (each message names the place in
   * the record, as the validator words it); empty when it passes.
   */
  public List<Problem> problems(JsonNode record) {
    Set<ValidationMessage> errors = schema.validate(record);
    if (errors.isEmpty()) {
      return List.of();
    }
    return errors.stream()
        .map(ValidationMessage::getMessage)
        .sorted()
        .map(m -> Problem.of("", m))
        .toList();
  }
}

package io.sluice.objects.validate;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.config.TargetConfig.TargetSpec;

/**
 * Validate the object an {@code Object Created} event names: valid rows to {@code processedPrefix}
 * (and the lake table, if set), invalid ones with their reasons to {@code rejectedPrefix}, in the
 * same bucket and format.
 *
 * @param format how the object is read (and its outputs written)
 * @param schema column rules (csv; ndjson unless {@code jsonSchema} is given), or null
 * @param jsonSchema a JSON Schema (draft 2020-12 unless it names another) each record must satisfy
 *     (json and ndjson), or null
 */
public record ValidateTarget(
    FileFormat format,
    FileSchema schema,
    String processedPrefix,
    String rejectedPrefix,
    String table,
    long maxLineBytes,
    JsonNode jsonSchema)
    implements TargetSpec {
  @Override
  public String kind() {
    return ValidateTargetKind.NAME;
  }
}

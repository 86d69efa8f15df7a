package io.sluice.lake;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.config.TargetConfig.TargetSpec;

/**
 * Validate the object an {@code Object Created} event names: valid rows to {@code processedPrefix}
 * (and the lake table, if set), invalid ones with their reasons to {@code rejectedPrefix}, in the
 * same bucket and format.
 *
 * @param format csv, ndjson, or json (one JSON array of records)
 * @param schema column rules (csv; ndjson unless {@code jsonSchema} is given), or null
 * @param jsonSchema a JSON Schema (draft 2020-12 unless it names another) each record must satisfy
 *     (json and ndjson), or null
 */
public record ValidateTarget(
    String format,
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

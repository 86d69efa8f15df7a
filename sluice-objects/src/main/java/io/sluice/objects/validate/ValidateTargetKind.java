package io.sluice.objects.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Problem;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.kinds.ReadContext;
import io.sluice.core.kinds.Schemas;
import io.sluice.core.kinds.TargetContext;
import io.sluice.core.kinds.TargetKind;
import io.sluice.core.targets.Sender;
import io.sluice.lake.Lake;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code validate: {format, schema | jsonSchema, processedPrefix, rejectedPrefix, table}}: check
 * the object an {@code Object Created} event names, row by row.
 */
public final class ValidateTargetKind implements TargetKind<ValidateTarget> {

  static final String NAME = "validate";
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(ValidateTargetKind.class);

  private final FileValidator validator;
  private final Lake lake;

  /**
   * @param validator the running node's validator, or {@code null} where config is only read
   * @param lake where targets with {@code table} write (made queryable when the target starts)
   */
  public ValidateTargetKind(FileValidator validator, Lake lake) {
    this.validator = validator;
    this.lake = lake;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Class<ValidateTarget> specType() {
    return ValidateTarget.class;
  }

  @Override
  public ObjectNode schema() {
    return Schemas.resource(ValidateTargetKind.class, "validate.schema.json");
  }

  @Override
  public Sender sender(ValidateTarget spec, TargetContext context) {
    FileValidator v = context.require(validator, "the object store");
    if (spec.table() != null && lake != null) {
      try {
        lake.createTable(spec.table()); // queryable (empty) before its first rows arrive
      } catch (IOException e) {
        LOG.warn("lake table {} could not be opened yet: {}", spec.table(), e.toString());
      }
    }
    return new ValidateSender(v, spec);
  }

  private static final Pattern PREFIX = Pattern.compile("([A-Za-z0-9._-]+/)+");

  @Override
  public ValidateTarget read(ConfigNode n, ReadContext context) {
    if (!n.isObject(true, "a mapping with format, schema, processedPrefix, rejectedPrefix")) {
      return null;
    }
    n.allowOnly(
        "format",
        "schema",
        "jsonSchema",
        "processedPrefix",
        "rejectedPrefix",
        "table",
        "maxLineBytes");
    FileFormat format = FileFormat.of(n.field("format").oneOf("csv", "csv", "ndjson", "json"));
    String processed =
        n.field("processedPrefix").matching("processed/", PREFIX, "a key prefix like processed/");
    String rejected =
        n.field("rejectedPrefix").matching("rejected/", PREFIX, "a key prefix like rejected/");
    if (processed != null && processed.equals(rejected)) {
      n.field("rejectedPrefix")
          .problem("must differ from processedPrefix, got " + Problem.render(rejected));
    }
    String table = n.field("table").matching(null, Lake.TABLE_NAME, Lake.TABLE_NAME_EXPECTED);
    long maxLine = n.field("maxLineBytes").bytes(1L << 20, 64, 64L << 20);
    JsonNode jsonSchema = null;
    ConfigNode js = n.field("jsonSchema");
    if (!js.isMissing()) {
      if (format == FileFormat.CSV) {
        js.problem("applies to json and ndjson files; csv files are checked by schema.columns");
      } else if (js.isObject(true, "a JSON Schema object")) {
        jsonSchema = io.sluice.core.Json.MAPPER.valueToTree(js.raw());
        try {
          RecordSchema.compile(jsonSchema);
        } catch (RuntimeException e) {
          js.problem("is not a usable JSON Schema: " + e.getMessage());
        }
      }
    }
    ConfigNode sc = n.field("schema");
    FileSchema schema = null;
    boolean needColumns = js.isMissing() || !sc.isMissing();
    if (format == FileFormat.JSON && sc.isMissing() && js.isMissing()) {
      n.field("jsonSchema").problem("is required for json files: the JSON Schema of a record");
      needColumns = false;
    }
    if (needColumns && sc.isObject(true, "a mapping with version and columns")) {
      sc.allowOnly("version", "columns");
      int version = sc.field("version").integer(1, 1, 1_000_000);
      List<FileSchema.Column> cols = new ArrayList<>();
      java.util.Set<String> names = new java.util.HashSet<>();
      for (ConfigNode c : sc.field("columns").list(true, "a list of columns")) {
        var col = column(c);
        if (col != null && !names.add(col.name())) {
          c.field("name").problem("names column " + col.name() + " twice");
        } else if (col != null) {
          cols.add(col);
        }
      }
      if (cols.isEmpty() && sc.problems().isEmpty()) {
        sc.field("columns").problem("expected at least one column");
      }
      schema = new FileSchema(version, cols);
    }
    if (schema == null) {
      schema = new FileSchema(1, List.of());
    }
    return new ValidateTarget(format, schema, processed, rejected, table, maxLine, jsonSchema);
  }

  private static FileSchema.Column column(ConfigNode c) {
    if (!c.isObject(true, "a column mapping with name and type")) {
      return null;
    }
    c.allowOnly("name", "type", "required", "min", "max", "enum", "pattern", "format");
    String name = c.field("name").requiredString("a column name");
    String type =
        c.field("type")
            .oneOf("string", "string", "integer", "number", "boolean", "timestamp", "date");
    boolean required = c.field("required").bool(false);
    java.math.BigDecimal min = decimal(c.field("min"));
    java.math.BigDecimal max = decimal(c.field("max"));
    if (min != null && max != null && min.compareTo(max) > 0) {
      c.field("max")
          .problem("must not be below min " + min.toPlainString() + ", got " + max.toPlainString());
    }
    java.util.Set<String> allowed = null;
    ConfigNode e = c.field("enum");
    if (!e.isMissing()) {
      allowed = new java.util.LinkedHashSet<>();
      for (ConfigNode v : e.list(false, "a list of allowed values")) {
        allowed.add(v.raw().isValueNode() ? v.raw().asText() : v.raw().toString());
      }
    }
    Pattern pattern = null;
    String p = c.field("pattern").string(null);
    if (p != null) {
      try {
        pattern = Pattern.compile(p);
      } catch (java.util.regex.PatternSyntaxException ex) {
        c.field("pattern")
            .problem(
                "is not a regular expression ("
                    + ex.getDescription()
                    + "), got "
                    + Problem.render(p));
      }
    }
    FileSchema.DatePattern dateFormat = null;
    String f = c.field("format").string(null);
    if (f != null && type != null && !type.equals("date")) {
      c.field("format")
          .problem("applies to type date only (a date pattern), got it on type " + type);
    } else if (f != null) {
      try {
        dateFormat = FileSchema.DatePattern.of(f);
      } catch (IllegalArgumentException ex) {
        c.field("format")
            .problem("is not a date pattern (" + ex.getMessage() + "), got " + Problem.render(f));
      }
    }
    if (name == null || type == null) {
      return null;
    }
    return new FileSchema.Column(
        name,
        FileSchema.Type.valueOf(type.toUpperCase(java.util.Locale.ROOT)),
        required,
        min,
        max,
        allowed == null ? null : java.util.Collections.unmodifiableSet(allowed),
        pattern,
        dateFormat);
  }

  private static java.math.BigDecimal decimal(ConfigNode n) {
    if (n.isMissing()) {
      return null;
    }
    if (!n.raw().isNumber()) {
      n.problem("expected a number, got " + io.sluice.core.Json.describe(n.raw()));
      return null;
    }
    return n.raw().decimalValue();
  }
}

package io.sluice.lake;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns records into rows of a table and evolves its schema.
 *
 * <p>Each field of a record's data object becomes a column named as the field; a field whose name
 * equals (ignoring case, as SQL does) an envelope column or a partition key, alone or behind {@code
 * detail_} prefixes, is stored under one more {@code detail_} prefix, so two fields never meet in
 * one column. Types: strings VARCHAR, booleans BOOLEAN, integers BIGINT, other numbers DOUBLE,
 * objects and arrays JSON. A new field adds a column; an integer column that meets a decimal widens
 * to DOUBLE. Every value that does not fit its column (another type, an integer beyond 64 bits, a
 * number beyond DOUBLE, a field only ever null so far, a name that differs from a column only in
 * case) is kept in the row's {@code _extra} JSON object under its field name, so nothing is
 * dropped.
 *
 * <p>A writer may declare the type of fields ({@code declared}, by field name): a new column of a
 * declared field takes that type, even while its values are null. Text of a field declared
 * TIMESTAMPTZ is a time when it is RFC 3339 with an offset from year 0000 to 9999 (stored as that
 * instant); of a field declared DATE, when it is {@code yyyy-MM-dd} from year 0000 to 9999. Such a
 * time or date also fits a VARCHAR column (as the text it came as), so a column made before the
 * declaration keeps taking it; text that is not one fits only VARCHAR and JSON columns.
 */
final class RowShaper {

  /** Longest column name; longer field names go to {@code _extra}. */
  static final int MAX_NAME = 255;

  /** Data columns a table may have; fields beyond go to {@code _extra}. */
  static final int MAX_COLUMNS = 1000;

  private final Set<String> reserved;
  private final Map<String, ColumnType> declared;
  private static final String NO_COLUMN = new String("\0");
  private final java.util.HashMap<String, String> names = new java.util.HashMap<>();
  private final java.util.HashMap<String, Column> byName = new java.util.HashMap<>();
  private TableSchema indexed;
  private long lastIngestionMs;
  private String lastIngestionText;

  /** {@code partitionKeys}: names that data columns may not take (hive would shadow them). */
  RowShaper(List<String> partitionKeys) {
    this(partitionKeys, Map.of());
  }

  /**
   * @param declared the column type of fields, by field name (see the class comment)
   */
  RowShaper(List<String> partitionKeys, Map<String, ColumnType> declared) {
    this.declared = Map.copyOf(declared);
    java.util.HashSet<String> r = new java.util.HashSet<>();
    for (Column c : TableSchema.ENVELOPE) {
      r.add(c.name().toLowerCase(Locale.ROOT));
    }
    for (String k : partitionKeys) {
      r.add(k.toLowerCase(Locale.ROOT));
    }
    this.reserved = Set.copyOf(r);
  }

  /** What a value is, as far as columns go; {@code null} for JSON null, UNSUPPORTED for misfits. */
  enum Kind {
    NULL,
    UNSUPPORTED,
    VARCHAR,
    BOOLEAN,
    BIGINT,
    DOUBLE,
    JSON,
    /** Text of a field declared TIMESTAMPTZ that is a time in range. */
    TIMESTAMPTZ,
    /** Text of a field declared DATE that is a date in range. */
    DATE
  }

  /** What {@code v} of {@code field} is, given the field's declared type. */
  Kind kind(String field, JsonNode v) {
    if (!declared.isEmpty() && v != null && v.isTextual()) {
      ColumnType d = declared.get(field);
      if (d == ColumnType.TIMESTAMPTZ) {
        return instant(v.textValue()) != null ? Kind.TIMESTAMPTZ : Kind.VARCHAR;
      }
      if (d == ColumnType.DATE) {
        return isDate(v.textValue()) ? Kind.DATE : Kind.VARCHAR;
      }
    }
    return classify(v);
  }

  /** The instant of RFC 3339 text from year 0000 to 9999, to the microsecond; else null. */
  static Instant instant(String text) {
    Instant t = PartitionKey.parseTime(text);
    if (t == null || !io.sluice.core.EventCodec.inRange(t)) {
      return null;
    }
    return t.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
  }

  /** Whether {@code text} is a day {@code yyyy-MM-dd} from year 0000 to 9999. */
  static boolean isDate(String text) {
    if (text.length() != 10) {
      return false;
    }
    try {
      java.time.LocalDate.parse(text, java.time.format.DateTimeFormatter.ISO_LOCAL_DATE);
      return true;
    } catch (java.time.format.DateTimeParseException e) {
      return false;
    }
  }

  static Kind classify(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return Kind.NULL;
    }
    if (v.isTextual()) {
      return Kind.VARCHAR;
    }
    if (v.isBoolean()) {
      return Kind.BOOLEAN;
    }
    if (v.isContainerNode()) {
      return Kind.JSON;
    }
    if (v.isIntegralNumber()) {
      return v.canConvertToLong() ? Kind.BIGINT : Kind.UNSUPPORTED;
    }
    if (v.isNumber()) {
      return Double.isFinite(v.doubleValue()) ? Kind.DOUBLE : Kind.UNSUPPORTED;
    }
    return Kind.UNSUPPORTED;
  }

  private static ColumnType typeOf(Kind k) {
    return switch (k) {
      case VARCHAR -> ColumnType.VARCHAR;
      case BOOLEAN -> ColumnType.BOOLEAN;
      case BIGINT -> ColumnType.BIGINT;
      case DOUBLE -> ColumnType.DOUBLE;
      case JSON -> ColumnType.JSON;
      case TIMESTAMPTZ -> ColumnType.TIMESTAMPTZ;
      case DATE -> ColumnType.DATE;
      default -> null;
    };
  }

  /** The column a field goes to, or null when it can only go to {@code _extra}. */
  String columnName(String field) {
    String known = names.get(field);
    if (known != null) {
      return known == NO_COLUMN ? null : known;
    }
    String name;
    if (field.isEmpty() || field.length() > MAX_NAME - 7 || field.indexOf('\0') >= 0) {
      name = null;
    } else {
      name = isEscaped(field) ? DETAIL_PREFIX + field : field;
    }
    if (names.size() < 10_000) {
      names.put(field, name == null ? NO_COLUMN : name);
    }
    return name;
  }

  private static final String DETAIL_PREFIX = "detail_";

  /**
   * Whether a field is renamed: a reserved name (an envelope column or partition key, ignoring
   * case), or one of them behind any number of {@code detail_} prefixes. Renaming exactly these by
   * one more prefix keeps names apart ({@code offset} → {@code detail_offset}, {@code
   * detail_offset} → {@code detail_detail_offset}): no two fields of a record share a column.
   */
  private boolean isEscaped(String field) {
    String f = field.toLowerCase(Locale.ROOT);
    while (true) {
      if (reserved.contains(f)) {
        return true;
      }
      if (!f.startsWith(DETAIL_PREFIX)) {
        return false;
      }
      f = f.substring(DETAIL_PREFIX.length());
    }
  }

  /**
   * Why {@code r} cannot be a row of any table, or null when it can: text that is not valid Unicode
   * (DuckDB refuses the file), a time outside years 0000-9999. Events stored before ingest refused
   * these, and transform outputs, can still carry them; such a record goes to the error location
   * instead of stalling its table.
   */
  static String unwritable(LakeRecord r) {
    JsonNode e = r.event();
    for (String f : ENVELOPE_TEXT) {
      JsonNode v = e == null ? null : e.get(f);
      if (v != null
          && v.isTextual()
          && io.sluice.core.Utf8.firstLoneSurrogate(v.textValue()) >= 0) {
        return "the event's " + f + " is not valid Unicode text (a lone surrogate)";
      }
    }
    JsonNode t = e == null ? null : e.get("time");
    if (t != null && !t.isNull()) {
      java.time.Instant time =
          t.isTextual() ? io.sluice.core.EventCodec.parseTime(t.asText()) : null;
      if (time == null || !io.sluice.core.EventCodec.inRange(time)) {
        return "the event's time "
            + io.sluice.core.Json.describe(t)
            + " is not an RFC 3339 time from year 0000 to 9999 (UTC), as a TIMESTAMPTZ column needs";
      }
    }
    if (r.data() != null && !io.sluice.core.Json.isValidText(r.data())) {
      java.util.List<io.sluice.core.Problem> ps = new java.util.ArrayList<>();
      io.sluice.core.Json.checkText(r.data(), "", ps);
      return "the row's data is not valid Unicode text: " + ps.get(0);
    }
    return null;
  }

  private static final List<String> ENVELOPE_TEXT = List.of("id", "source", "detail-type");

  /** The column of {@code name} in {@code schema}, by a map built once per schema. */
  private Column column(TableSchema schema, String name) {
    if (schema != indexed) {
      byName.clear();
      for (Column c : schema.columns()) {
        byName.put(c.name(), c);
      }
      indexed = schema;
    }
    return byName.get(name);
  }

  static boolean fits(ColumnType column, Kind value) {
    return switch (column) {
      case JSON -> true;
      case DOUBLE -> value == Kind.DOUBLE || value == Kind.BIGINT || value == Kind.NULL;
      case VARCHAR ->
          value == Kind.VARCHAR
              || value == Kind.TIMESTAMPTZ
              || value == Kind.DATE
              || value == Kind.NULL;
      case BIGINT -> value == Kind.BIGINT || value == Kind.NULL;
      case BOOLEAN -> value == Kind.BOOLEAN || value == Kind.NULL;
      case TIMESTAMPTZ -> value == Kind.TIMESTAMPTZ || value == Kind.NULL;
      case DATE -> value == Kind.DATE || value == Kind.NULL;
      default -> value == Kind.NULL;
    };
  }

  /** The schema that holds every record (the same instance when nothing changed). */
  TableSchema evolve(TableSchema current, List<LakeRecord> records, long nowMs) {
    LinkedHashMap<String, ColumnType> cols = new LinkedHashMap<>();
    Map<String, String> lower = new LinkedHashMap<>();
    for (Column c : current.columns()) {
      cols.put(c.name(), c.type());
      lower.put(c.name().toLowerCase(Locale.ROOT), c.name());
    }
    boolean changed = false;
    for (LakeRecord r : records) {
      if (r.data() == null || !r.data().isObject()) {
        continue;
      }
      for (Map.Entry<String, JsonNode> f : r.data().properties()) {
        String name = columnName(f.getKey());
        if (name == null) {
          continue;
        }
        Kind k = kind(f.getKey(), f.getValue());
        ColumnType existing = cols.get(name);
        if (existing == null) {
          ColumnType d = declared.get(f.getKey());
          ColumnType t = d != null ? d : typeOf(k);
          if (t == null
              || lower.containsKey(name.toLowerCase(Locale.ROOT))
              || cols.size() - TableSchema.ENVELOPE.size() >= MAX_COLUMNS) {
            continue;
          }
          cols.put(name, t);
          lower.put(name.toLowerCase(Locale.ROOT), name);
          changed = true;
        } else if (existing == ColumnType.BIGINT && k == Kind.DOUBLE) {
          cols.put(name, ColumnType.DOUBLE);
          changed = true;
        }
      }
    }
    if (!changed) {
      return current;
    }
    List<Column> out = new ArrayList<>(cols.size());
    cols.forEach((n, t) -> out.add(new Column(n, t)));
    return current.with(out, nowMs);
  }

  /** Writes one row as a JSON object whose keys are column names. */
  void write(JsonGenerator g, TableSchema schema, LakeRecord r) throws IOException {
    JsonNode e = r.event();
    g.writeStartObject();
    g.writeStringField("id", text(e, "id"));
    g.writeStringField("source", text(e, "source"));
    g.writeStringField("detail_type", text(e, "detail-type"));
    g.writeStringField("time", text(e, "time"));
    if (r.ingestionTimeMs() != lastIngestionMs || lastIngestionText == null) {
      lastIngestionMs = r.ingestionTimeMs();
      lastIngestionText = Instant.ofEpochMilli(lastIngestionMs).toString();
    }
    g.writeStringField("ingestion_time", lastIngestionText);
    g.writeStringField("bus", r.bus());
    g.writeNumberField("partition", r.partition());
    g.writeNumberField("offset", r.offset());
    g.writeStringField("replay_name", r.replayName());
    ObjectNode extra = null;
    JsonNode data = r.data();
    if (data != null && data.isObject()) {
      for (Map.Entry<String, JsonNode> f : data.properties()) {
        String name = columnName(f.getKey());
        Column c = name == null ? null : column(schema, name);
        Kind k = kind(f.getKey(), f.getValue());
        if (c != null && fits(c.type(), k)) {
          g.writeFieldName(name);
          writeValue(g, f.getValue(), k, c.type());
        } else {
          if (extra == null) {
            extra = Json.MAPPER.createObjectNode();
          }
          // numbers beyond BIGINT/DOUBLE keep their exact text (not every JSON reader takes them)
          extra.set(
              f.getKey(),
              k == Kind.UNSUPPORTED && f.getValue().isNumber()
                  ? Json.MAPPER.getNodeFactory().textNode(f.getValue().asText())
                  : f.getValue());
        }
      }
    } else if (data != null && !data.isNull() && !data.isMissingNode()) {
      extra = Json.MAPPER.createObjectNode();
      extra.set("detail", data);
    }
    if (extra != null) {
      g.writeFieldName("_extra");
      Json.write(g, extra);
    }
    g.writeEndObject();
    g.writeRaw('\n');
  }

  private static void writeValue(JsonGenerator g, JsonNode v, Kind k, ColumnType column)
      throws IOException {
    switch (k) {
      case NULL -> g.writeNull();
      case VARCHAR, DATE -> g.writeString(v.textValue());
      case TIMESTAMPTZ ->
          g.writeString(
              column == ColumnType.TIMESTAMPTZ
                  ? instant(v.textValue()).toString() // one form DuckDB reads, whatever the offset
                  : v.textValue());
      case BOOLEAN -> g.writeBoolean(v.booleanValue());
      case BIGINT -> g.writeNumber(v.longValue());
      case DOUBLE -> g.writeNumber(v.doubleValue());
      default -> Json.write(g, v);
    }
  }

  private static String text(JsonNode e, String field) {
    JsonNode v = e == null ? null : e.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}

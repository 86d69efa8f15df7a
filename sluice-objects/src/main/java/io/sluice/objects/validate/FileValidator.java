package io.sluice.objects.validate;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.lake.ColumnType;
import io.sluice.lake.Lake;
import io.sluice.objects.ObjectEvents;
import io.sluice.objects.ObjectStore;
import io.sluice.objects.ObjectStore.ObjectInfo;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Validates uploaded files (the {@code validate} target): reads the object as a stream, checks each
 * row against the schema, writes valid rows to {@code processedPrefix…} (and a lake table), invalid
 * rows with a {@code reason} to {@code rejectedPrefix…}, both in the input's format, plus a
 * manifest, and emits {@code Validation Succeeded} or {@code Validation Failed}.
 *
 * <p>Idempotent by content: a marker per SHA-256 is written last; content seen before emits {@code
 * Duplicate Object} and writes nothing. Outputs are built in temporary files and stored whole, so a
 * crash mid-file leaves no partial output and the retry writes the same keys again; lake rows carry
 * the row number as their offset under a per-content writer, so the retry adds none twice.
 */
public final class FileValidator {

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(FileValidator.class);

  private final ObjectStore store;
  private final ObjectEvents events;
  private final Lake lake;
  private final Path state;
  private final Clock clock;
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final RowChecks checks = new RowChecks();

  /** The format of an idempotency marker; markers without one are 1. */
  static final int MARKER_FORMAT = 1;

  /**
   * @param events where {@code Validation Succeeded}, {@code Validation Failed} and {@code
   *     Duplicate Object} go
   * @param lake where a target with {@code table} writes its valid rows
   * @param state where the idempotency markers and work files live
   */
  public FileValidator(ObjectStore store, ObjectEvents events, Lake lake, Path state, Clock clock) {
    this.store = store;
    this.events = events;
    this.lake = lake;
    this.state = state;
    this.clock = clock;
  }

  /**
   * What came of one file.
   *
   * @param reason why the whole file failed, or null
   */
  record Outcome(String status, long valid, long rejected, Problem reason) {}

  private Path marker(String sha) {
    return state.resolve(sha.substring(0, 2)).resolve(sha + ".json");
  }

  Outcome validate(ValidateTarget spec, String bucket, String key) throws IOException {
    Optional<ObjectInfo> found = store.head(bucket, key);
    if (found.isEmpty()) {
      throw new java.io.FileNotFoundException(
          "object " + bucket + "/" + key + " does not exist (deleted since?)");
    }
    ObjectInfo info = found.get();
    ReentrantLock lock = locks.computeIfAbsent(info.sha256(), s -> new ReentrantLock());
    lock.lock();
    try {
      Path marker = marker(info.sha256());
      if (Files.exists(marker)) {
        JsonNode first =
            io.sluice.core.StateFile.read(
                marker,
                "the record that content " + info.sha256() + " was validated",
                MARKER_FORMAT,
                "remove the file to validate that content again (its outputs are written again"
                    + " with the same keys; rows already in a lake table are not added twice)");
        ObjectNode d = info.describe();
        d.put("firstKey", first.path("key").asText());
        d.put("firstProcessedAt", first.path("at").asText());
        events.emit("Duplicate Object", d);
        return new Outcome("duplicate", 0, 0, null);
      }
      Outcome o = run(spec, bucket, key, info);
      Files.createDirectories(marker.getParent());
      io.sluice.log.AtomicFiles.write(
          marker,
          Json.MAPPER.writeValueAsBytes(
              Map.of(
                  "format",
                  MARKER_FORMAT,
                  "bucket",
                  bucket,
                  "key",
                  key,
                  "at",
                  clock.instant().toString(),
                  "status",
                  o.status())));
      return o;
    } finally {
      lock.unlock();
    }
  }

  /** The key under another prefix: {@code raw/2026/a.csv} → {@code processed/2026/a.csv}. */
  static String outputKey(String prefix, String key) {
    int slash = key.indexOf('/');
    return prefix + (slash >= 0 ? key.substring(slash + 1) : key);
  }

  private Outcome run(ValidateTarget spec, String bucket, String key, ObjectInfo info)
      throws IOException {
    Path work = state.resolve("work");
    Files.createDirectories(work);
    Path processed = Files.createTempFile(work, "processed-", ".part");
    Path rejected = Files.createTempFile(work, "rejected-", ".part");
    try {
      return judge(spec, bucket, key, info, work, processed, rejected);
    } finally {
      Files.deleteIfExists(processed);
      Files.deleteIfExists(rejected);
    }
  }

  private Outcome judge(
      ValidateTarget spec,
      String bucket,
      String key,
      ObjectInfo info,
      Path work,
      Path processed,
      Path rejected)
      throws IOException {
    long t0 = System.nanoTime(); // elapsed time for the manifest, not wall time
    Instant started = clock.instant();
    Counts counts = new Counts();
    Problem failure;
    String writer = "validate/" + bucket + "/" + info.sha256();
    long highWater = spec.table() == null ? -1 : lake.committedPosition(spec.table(), writer);
    if (highWater >= 0) {
      LOG.info(
          "validating {}/{} again (a stop interrupted it): rows up to {} are already in lake table {}",
          bucket,
          key,
          highWater,
          spec.table());
    }
    // rows for the lake are staged and committed only once the whole file is judged, so a file
    // that fails half way (not UTF-8) leaves nothing in the table
    Path staged = Files.createTempFile(work, "lake-", ".part");
    try (InputStream in =
            store.open(bucket, key).orElseThrow(() -> new java.io.FileNotFoundException(key));
        OutputStream po = new BufferedOutputStream(Files.newOutputStream(processed), 1 << 16);
        OutputStream ro = new BufferedOutputStream(Files.newOutputStream(rejected), 1 << 16);
        OutputStream lo = new BufferedOutputStream(Files.newOutputStream(staged), 1 << 16);
        JsonGenerator lg = Json.MAPPER.getFactory().createGenerator(lo)) {
      lg.setRootValueSeparator(null);
      FormatReader.Rows rows =
          new FormatReader.Rows() {
            @Override
            public void valid(Map<String, String> values, JsonNode record, long rowNumber)
                throws IOException {
              counts.valid++;
              if (spec.table() != null && rowNumber > highWater) {
                lg.writeStartObject();
                lg.writeNumberField("r", rowNumber);
                if (record != null) {
                  lg.writeFieldName("v"); // JSON values keep their types
                  Json.write(lg, record);
                } else {
                  lg.writeObjectFieldStart("v");
                  for (Map.Entry<String, String> e : values.entrySet()) {
                    lg.writeStringField(e.getKey(), e.getValue());
                  }
                  lg.writeEndObject();
                }
                lg.writeEndObject();
                lg.writeRaw('\n');
              }
            }

            @Override
            public void rejected() {
              counts.rejected++;
            }
          };
      failure = spec.format().reader().judge(spec, checks, in, po, ro, rows);
    }
    try {
      if (failure == null && spec.table() != null) {
        commitStaged(spec, writer, staged, bucket, info);
      }
    } finally {
      Files.deleteIfExists(staged);
    }
    String status = failure != null ? "failed" : counts.rejected > 0 ? "partial" : "ok";
    String processedKey = outputKey(spec.processedPrefix(), key);
    String rejectedKey = outputKey(spec.rejectedPrefix(), key);
    if (failure == null) {
      try (InputStream p = Files.newInputStream(processed)) {
        store.put(bucket, processedKey, p, "Validation");
      }
    }
    if (failure == null && counts.rejected > 0) {
      try (InputStream r = Files.newInputStream(rejected)) {
        store.put(bucket, rejectedKey, r, "Validation");
      }
    }
    ObjectNode manifest = info.describe();
    manifest.put("status", status);
    manifest.put("format", spec.format().word());
    manifest.put("schemaVersion", spec.schema().version());
    manifest.put("rowsTotal", counts.valid + counts.rejected);
    manifest.put("rowsValid", counts.valid);
    manifest.put("rowsRejected", counts.rejected);
    if (failure != null) {
      manifest.put("reason", Reasons.text(failure));
    } else {
      manifest.put("processedKey", processedKey);
      if (counts.rejected > 0) {
        manifest.put("rejectedKey", rejectedKey);
      }
    }
    if (spec.table() != null) {
      manifest.put("table", spec.table());
    }
    manifest.put("startedAt", started.toString());
    manifest.put("durationMs", (System.nanoTime() - t0) / 1_000_000);
    String manifestKey = outputKey("manifests/", key) + ".json";
    store.put(
        bucket,
        manifestKey,
        new java.io.ByteArrayInputStream(
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest)),
        "Validation");
    manifest.put("manifestKey", manifestKey);
    events.emit(
        failure == null && counts.rejected == 0 ? "Validation Succeeded" : "Validation Failed",
        manifest);
    return new Outcome(status, counts.valid, counts.rejected, failure);
  }

  /**
   * The lake column type of each field whose type the target declares: the schema's columns, then
   * (for JSON records) the JSON Schema's top-level properties of one type ({@code integer} BIGINT,
   * {@code number} DOUBLE, {@code boolean} BOOLEAN, {@code string} VARCHAR, or TIMESTAMPTZ with
   * {@code format: date-time} and DATE with {@code format: date}, {@code object} and {@code array}
   * JSON).
   */
  static Map<String, ColumnType> lakeTypes(ValidateTarget spec) {
    Map<String, ColumnType> types = new HashMap<>();
    JsonNode props = spec.jsonSchema() == null ? null : spec.jsonSchema().get("properties");
    if (props != null && props.isObject()) {
      for (Map.Entry<String, JsonNode> p : props.properties()) {
        JsonNode type = p.getValue().get("type");
        String format = p.getValue().path("format").asText("");
        ColumnType t =
            type == null || !type.isTextual()
                ? null
                : switch (type.textValue()) {
                  case "integer" -> ColumnType.BIGINT;
                  case "number" -> ColumnType.DOUBLE;
                  case "boolean" -> ColumnType.BOOLEAN;
                  case "object", "array" -> ColumnType.JSON;
                  case "string" ->
                      switch (format) {
                        case "date-time" -> ColumnType.TIMESTAMPTZ;
                        case "date" -> ColumnType.DATE;
                        default -> ColumnType.VARCHAR;
                      };
                  default -> null;
                };
        if (t != null) {
          types.put(p.getKey(), t);
        }
      }
    }
    for (FileSchema.Column c : spec.schema().columns()) {
      types.put(
          c.name(),
          switch (c.type()) {
            case STRING -> ColumnType.VARCHAR;
            case INTEGER -> ColumnType.BIGINT;
            case NUMBER -> ColumnType.DOUBLE;
            case BOOLEAN -> ColumnType.BOOLEAN;
            case TIMESTAMP -> ColumnType.TIMESTAMPTZ;
            case DATE -> ColumnType.DATE;
          });
    }
    return types;
  }

  /** Commits the staged rows to the lake in chunks, through the lake's row API. */
  private void commitStaged(
      ValidateTarget spec, String writer, Path staged, String bucket, ObjectInfo info)
      throws IOException {
    Map<String, FileSchema.Column> columns = new HashMap<>();
    for (FileSchema.Column c : spec.schema().columns()) {
      columns.put(c.name(), c);
    }
    Map<String, ColumnType> types = lakeTypes(spec);
    boolean text = spec.format() == FileFormat.CSV;
    List<Lake.Row> batch = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(staged, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        JsonNode n = Json.MAPPER.readTree(line);
        long row = n.get("r").asLong();
        batch.add(lakeRow(bucket, info, row, n.get("v"), columns, text));
        if (batch.size() >= LAKE_CHUNK_ROWS) {
          lake.append(spec.table(), writer, batch, types);
          batch.clear();
        }
      }
    }
    lake.append(spec.table(), writer, batch, types);
  }

  /** Valid rows committed to the lake at once; a file's rows beyond it take several commits. */
  static final int LAKE_CHUNK_ROWS = 40_000;

  /**
   * A valid row as a lake row, in a {@code Validated Row} event: a value of a schema column as its
   * type (integer, number, boolean; a timestamp as its text, a date as {@code yyyy-MM-dd}), empty
   * text as null; any other value as read: text in a CSV file (empty: null), the JSON value in a
   * JSON record.
   *
   * @param text whether the values are a CSV row's text (else a JSON record's values)
   */
  private Lake.Row lakeRow(
      String bucket,
      ObjectInfo info,
      long row,
      JsonNode values,
      Map<String, FileSchema.Column> columns,
      boolean text) {
    ObjectNode data = Json.MAPPER.createObjectNode();
    for (Map.Entry<String, JsonNode> e : values.properties()) {
      FileSchema.Column c = columns.get(e.getKey());
      JsonNode v = e.getValue();
      String raw = v.isNull() ? null : v.isValueNode() ? v.asText() : v.toString();
      if (raw == null || (raw.isEmpty() && (text || c != null))) {
        data.putNull(e.getKey()); // what the column rules took for an empty value
      } else if (c == null) {
        data.set(e.getKey(), v);
      } else {
        String s = raw.strip();
        switch (c.type()) {
          case INTEGER -> data.put(e.getKey(), new java.math.BigDecimal(s).longValueExact());
          case NUMBER -> data.put(e.getKey(), Double.parseDouble(s));
          case BOOLEAN ->
              data.put(e.getKey(), Boolean.parseBoolean(s.toLowerCase(java.util.Locale.ROOT)));
          case DATE -> data.put(e.getKey(), c.datePattern().parse(s).toString());
          case TIMESTAMP, STRING -> data.put(e.getKey(), s);
        }
      }
    }
    ObjectNode event = Json.MAPPER.createObjectNode();
    event.put("id", info.sha256().substring(0, 16) + "-" + row);
    event.put("source", "sluice.validate");
    event.put("detail-type", "Validated Row");
    event.put("time", clock.instant().toString());
    event.set("detail", data);
    return new Lake.Row(row, event, data, "objects/" + bucket + "/" + info.key(), clock.millis());
  }

  private static final class Counts {
    long valid;
    long rejected;
  }
}

package io.sluice.lake;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.lake.objects.ObjectEvents;
import io.sluice.lake.objects.ObjectStore;
import io.sluice.lake.objects.ObjectStore.ObjectInfo;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
final class FileValidator {

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(FileValidator.class);

  private final ObjectStore store;
  private final ObjectEvents events;
  private final Lake lake;
  private final Path state;
  private final Clock clock;
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  FileValidator(ObjectStore store, ObjectEvents events, Lake lake, Path state, Clock clock) {
    this.store = store;
    this.events = events;
    this.lake = lake;
    this.state = state;
    this.clock = clock;
  }

  /** What came of one file. */
  record Outcome(String status, long valid, long rejected, String reason) {}

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
        JsonNode first = Json.MAPPER.readTree(Files.readAllBytes(marker));
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
    long t0 = System.nanoTime();
    Instant started = clock.instant();
    Counts counts = new Counts();
    String failure = null;
    String writer = "validate/" + bucket + "/" + info.sha256();
    LakeTable table = spec.table() == null ? null : lakeTable(spec.table());
    long highWater = table == null ? -1 : table.highWater(writer, 0);
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
      RowConsumer rows =
          (values, rowNumber) -> {
            if (table != null && rowNumber > highWater) {
              lg.writeStartObject();
              lg.writeNumberField("r", rowNumber);
              lg.writeObjectFieldStart("v");
              for (Map.Entry<String, String> e : values.entrySet()) {
                lg.writeStringField(e.getKey(), e.getValue());
              }
              lg.writeEndObject();
              lg.writeEndObject();
              lg.writeRaw('\n');
            }
          };
      if (spec.format().equals("csv")) {
        failure = csv(spec, in, po, ro, counts, rows);
      } else if (spec.format().equals("json")) {
        failure = json(spec, in, po, ro, counts, rows);
      } else {
        failure = ndjson(spec, in, po, ro, counts, rows);
      }
    } catch (CsvReader.InvalidEncodingException e) {
      failure = e.getMessage();
    }
    try {
      if (failure == null && table != null) {
        commitStaged(table, writer, staged, bucket, info, spec.schema());
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
    manifest.put("format", spec.format());
    manifest.put("schemaVersion", spec.schema().version());
    manifest.put("rowsTotal", counts.valid + counts.rejected);
    manifest.put("rowsValid", counts.valid);
    manifest.put("rowsRejected", counts.rejected);
    if (failure != null) {
      manifest.put("reason", failure);
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

  private LakeTable lakeTable(String name) throws IOException {
    try {
      return lake.table(name, true);
    } catch (java.sql.SQLException e) {
      throw new IOException("cannot open lake table " + name + ": " + e.getMessage(), e);
    }
  }

  private void commitStaged(
      LakeTable table,
      String writer,
      Path staged,
      String bucket,
      ObjectInfo info,
      FileSchema schema)
      throws IOException {
    List<LakeRecord> batch = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(staged, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        JsonNode n = Json.MAPPER.readTree(line);
        long row = n.get("r").asLong();
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> f : n.get("v").properties()) {
          values.put(f.getKey(), f.getValue().isNull() ? null : f.getValue().asText());
        }
        batch.add(lakeRecord(bucket, info, row, values, schema));
        if (batch.size() >= 40_000) {
          commit(table, writer, batch);
        }
      }
    }
    if (!batch.isEmpty()) {
      commit(table, writer, batch);
    }
  }

  private void commit(LakeTable table, String writer, List<LakeRecord> rows) {
    long last = rows.get(rows.size() - 1).offset();
    try {
      // validate targets run on virtual threads; DuckDB must not (see Lake.blocking)
      lake.blocking(
          () ->
              table.commit(
                  List.of(),
                  rows,
                  Map.of(writer, Map.of(0, last)),
                  "zstd",
                  List.of(),
                  x ->
                      new LakeErrors.Entry(
                          x.reason(),
                          writer,
                          0,
                          x.record().offset(),
                          x.record().event(),
                          x.record().data())));
    } catch (IOException | java.sql.SQLException e) {
      throw new IllegalStateException(
          "committing validated rows to " + table.name + " failed: " + e, e);
    }
    rows.clear();
  }

  private LakeRecord lakeRecord(
      String bucket, ObjectInfo info, long row, Map<String, String> values, FileSchema schema) {
    ObjectNode data = Json.MAPPER.createObjectNode();
    Map<String, FileSchema.Column> cols = new HashMap<>();
    for (FileSchema.Column c : schema.columns()) {
      cols.put(c.name(), c);
    }
    for (Map.Entry<String, String> e : values.entrySet()) {
      FileSchema.Column c = cols.get(e.getKey());
      String v = e.getValue();
      if (v == null || v.isEmpty()) {
        data.putNull(e.getKey());
      } else if (c == null) {
        data.put(e.getKey(), v);
      } else {
        String s = v.strip();
        switch (c.type()) {
          case INTEGER -> data.put(e.getKey(), new java.math.BigDecimal(s).longValueExact());
          case NUMBER -> data.put(e.getKey(), Double.parseDouble(s));
          case BOOLEAN ->
              data.put(e.getKey(), Boolean.parseBoolean(s.toLowerCase(java.util.Locale.ROOT)));
          default -> data.put(e.getKey(), s);
        }
      }
    }
    ObjectNode event = Json.MAPPER.createObjectNode();
    event.put("id", info.sha256().substring(0, 16) + "-" + row);
    event.put("source", "sluice.validate");
    event.put("detail-type", "Validated Row");
    event.put("time", clock.instant().toString());
    event.set("detail", data);
    return new LakeRecord(
        event,
        data,
        "objects/" + bucket + "/" + info.key(),
        0,
        row,
        clock.millis(),
        null,
        Map.of());
  }

  private static final class Counts {
    long valid;
    long rejected;
  }

  @FunctionalInterface
  private interface RowConsumer {
    void accept(Map<String, String> values, long rowNumber) throws IOException;
  }

  /** Stands for a line over the limit (its characters were skipped, never held). */
  private static final String TOO_LONG = new String("<too long>");

  /** The next line without its end, or {@link #TOO_LONG}, or null at the end of the input. */
  private static String boundedLine(BufferedReader r, long max) throws IOException {
    StringBuilder b = new StringBuilder();
    boolean over = false;
    int c;
    boolean any = false;
    while ((c = r.read()) >= 0) {
      any = true;
      if (c == '\n') {
        break;
      }
      if (c == '\r') {
        r.mark(1);
        if (r.read() != '\n') {
          r.reset();
        }
        break;
      }
      if (b.length() >= max) {
        over = true;
        b.setLength(0);
      } else if (!over) {
        b.append((char) c);
      }
    }
    if (!any) {
      return null;
    }
    return over ? TOO_LONG : b.toString();
  }

  /** Neutralises spreadsheet formulas: a cell starting with = + - @ tab or CR gets a leading '. */
  static String safeCell(String v) {
    if (v.isEmpty()) {
      return v;
    }
    char c = v.charAt(0);
    if (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r') {
      if ((c == '-' || c == '+') && isNumber(v)) {
        return v;
      }
      return "'" + v;
    }
    return v;
  }

  private static boolean isNumber(String v) {
    try {
      new java.math.BigDecimal(v.strip());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** A CSV row of an output file: each cell neutralised against formulas. */
  static void writeCsvRow(Writer w, List<String> cells) throws IOException {
    List<String> safe = new ArrayList<>(cells.size());
    for (String c : cells) {
      safe.add(safeCell(c == null ? "" : c));
    }
    CsvWriter.writeRow(w, safe);
  }

  /** Returns a file-level failure, or null when every row was judged. */
  private String csv(
      ValidateTarget spec,
      InputStream in,
      OutputStream po,
      OutputStream ro,
      Counts counts,
      RowConsumer rows)
      throws IOException {
    Writer pw =
        new java.io.BufferedWriter(new OutputStreamWriter(po, StandardCharsets.UTF_8), 1 << 16);
    Writer rw =
        new java.io.BufferedWriter(new OutputStreamWriter(ro, StandardCharsets.UTF_8), 1 << 16);
    try (CsvReader r = new CsvReader(in, spec.maxLineBytes())) {
      CsvReader.Record header = r.next();
      if (header == null) {
        return "the file is empty: expected a header row naming the columns";
      }
      if (header.error() != null) {
        return "the header row is malformed: " + header.error();
      }
      List<String> names = new ArrayList<>();
      for (String h : header.fields()) {
        names.add(h.strip());
      }
      List<String> missing = new ArrayList<>();
      for (FileSchema.Column c : spec.schema().columns()) {
        if (!names.contains(c.name()) && c.required()) {
          missing.add(c.name());
        }
      }
      if (!missing.isEmpty()) {
        return "the header lacks required columns "
            + String.join(", ", missing)
            + " (header: "
            + String.join(", ", names)
            + ")";
      }
      writeCsvRow(pw, names);
      List<String> rejectedHeader = new ArrayList<>(names);
      rejectedHeader.add("reason");
      writeCsvRow(rw, rejectedHeader);
      long rowNumber = 0;
      CsvReader.Record rec;
      while ((rec = r.next()) != null) {
        if (rec.fields().size() == 1 && rec.fields().get(0).isEmpty() && rec.error() == null) {
          continue; // a blank line
        }
        rowNumber++;
        String reason = rec.error() != null ? "line " + rec.line() + ": " + rec.error() : null;
        if (reason == null && rec.fields().size() != names.size()) {
          reason =
              "line "
                  + rec.line()
                  + ": expected "
                  + names.size()
                  + " fields as in the header, got "
                  + rec.fields().size();
        }
        Map<String, String> values = new LinkedHashMap<>();
        if (reason == null) {
          for (int i = 0; i < names.size(); i++) {
            values.put(names.get(i), rec.fields().get(i));
          }
          reason = check(spec.schema(), values);
        }
        if (reason == null) {
          counts.valid++;
          writeCsvRow(pw, rec.fields());
          rows.accept(values, rowNumber);
        } else {
          counts.rejected++;
          List<String> out = new ArrayList<>(rec.fields());
          while (out.size() < names.size()) {
            out.add("");
          }
          out.add(reason);
          writeCsvRow(rw, out);
        }
      }
    } finally {
      pw.flush();
      rw.flush();
    }
    return null;
  }

  private final Map<JsonNode, io.sluice.lake.RecordSchema> recordSchemas =
      new ConcurrentHashMap<>();

  /** Column rules, then the JSON Schema (when the target has one) for a JSON record. */
  private String check(ValidateTarget spec, Map<String, String> values, JsonNode record) {
    String columns = spec.schema().columns().isEmpty() ? null : check(spec.schema(), values);
    if (spec.jsonSchema() == null) {
      return columns;
    }
    String json =
        recordSchemas
            .computeIfAbsent(spec.jsonSchema(), io.sluice.lake.RecordSchema::compile)
            .check(record);
    if (columns == null) {
      return json;
    }
    return json == null ? columns : columns + "; " + json;
  }

  /** Reads one element of an array (the mapper's default refuses the tokens that follow). */
  private static final com.fasterxml.jackson.databind.ObjectReader ELEMENT =
      Json.MAPPER
          .readerFor(JsonNode.class)
          .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /**
   * One JSON array of records, read element by element (never whole): valid records go to a JSON
   * array in processed/, invalid ones as {@code {"record","reason"}} to one in rejected/.
   */
  private String json(
      ValidateTarget spec,
      InputStream in,
      OutputStream po,
      OutputStream ro,
      Counts counts,
      RowConsumer rows)
      throws IOException {
    var factory = Json.MAPPER.getFactory();
    // strict UTF-8 through a reporting decoder: Jackson's byte parser lets overlong forms through
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try (com.fasterxml.jackson.core.JsonParser p =
            factory.createParser(new BufferedReader(new InputStreamReader(in, decoder), 1 << 16));
        JsonGenerator pg = factory.createGenerator(po);
        JsonGenerator rg = factory.createGenerator(ro)) {
      pg.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
      rg.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
      com.fasterxml.jackson.core.JsonToken first;
      try {
        first = p.nextToken();
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        return "the file is not JSON: " + e.getOriginalMessage();
      } catch (java.nio.charset.CharacterCodingException e) {
        return "the file is not valid UTF-8 (a malformed byte sequence)";
      }
      if (first == null) {
        return "the file is empty: expected a JSON array of records";
      }
      if (first != com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
        return "expected a JSON array of records, got " + first.asString();
      }
      pg.writeStartArray();
      rg.writeStartArray();
      long rowNumber = 0;
      try {
        while (p.nextToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
          rowNumber++;
          JsonNode record = ELEMENT.readValue(p);
          String reason;
          Map<String, String> values = new LinkedHashMap<>();
          if (record == null || !record.isObject()) {
            reason =
                "record " + rowNumber + ": expected a JSON object, got " + Json.describe(record);
          } else {
            for (Map.Entry<String, JsonNode> f : record.properties()) {
              JsonNode v = f.getValue();
              values.put(
                  f.getKey(), v.isNull() ? null : v.isValueNode() ? v.asText() : v.toString());
            }
            reason = textProblem("record " + rowNumber, record);
            if (reason == null) {
              reason = check(spec, values, record);
            }
          }
          if (reason == null) {
            counts.valid++;
            Json.write(pg, record);
            rows.accept(values, rowNumber);
          } else {
            counts.rejected++;
            rg.writeStartObject();
            rg.writeFieldName("record");
            if (record == null) {
              rg.writeNull();
            } else {
              Json.write(rg, record);
            }
            rg.writeStringField("reason", reason);
            rg.writeEndObject();
          }
        }
      } catch (java.nio.charset.CharacterCodingException e) {
        return "the file is not valid UTF-8 (a malformed byte sequence)";
      } catch (com.fasterxml.jackson.core.JsonProcessingException | NumberFormatException e) {
        return "the file is not valid JSON at record "
            + rowNumber
            + ": "
            + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                ? j.getOriginalMessage()
                : e.getMessage());
      }
      pg.writeEndArray();
      rg.writeEndArray();
    }
    return null;
  }

  /** Why a record's text is not valid Unicode (a lone surrogate from a \ud800 escape), or null. */
  private static String textProblem(String where, JsonNode record) {
    if (Json.isValidText(record)) {
      return null;
    }
    List<io.sluice.core.Problem> ps = new ArrayList<>();
    Json.checkText(record, "", ps);
    return where + ": " + ps.get(0);
  }

  private static String check(FileSchema schema, Map<String, String> values) {
    List<String> problems = new ArrayList<>();
    for (FileSchema.Column c : schema.columns()) {
      String p = c.check(values.get(c.name()));
      if (p != null) {
        problems.add(p);
      }
    }
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  private String ndjson(
      ValidateTarget spec,
      InputStream in,
      OutputStream po,
      OutputStream ro,
      Counts counts,
      RowConsumer rows)
      throws IOException {
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    BufferedReader br = new BufferedReader(new InputStreamReader(in, decoder), 1 << 16);
    long line = 0;
    long rowNumber = 0;
    String text;
    try {
      while ((text = boundedLine(br, spec.maxLineBytes())) != null) {
        line++;
        if (text.isBlank()) {
          continue;
        }
        rowNumber++;
        String reason = null;
        Map<String, String> values = new LinkedHashMap<>();
        JsonNode node = null;
        if (text == TOO_LONG) {
          reason =
              "line " + line + ": longer than the limit of " + spec.maxLineBytes() + " characters";
        } else {
          try {
            node = Json.MAPPER.readTree(text);
          } catch (IOException | NumberFormatException e) {
            reason =
                "line "
                    + line
                    + ": malformed JSON: "
                    + e.getMessage().lines().findFirst().orElse("");
          }
          if (reason == null && (node == null || !node.isObject())) {
            reason = "line " + line + ": expected a JSON object, got " + Json.describe(node);
          }
        }
        if (reason == null) {
          for (Map.Entry<String, JsonNode> f : node.properties()) {
            JsonNode v = f.getValue();
            values.put(f.getKey(), v.isNull() ? null : v.isValueNode() ? v.asText() : v.toString());
          }
          reason = textProblem("line " + line, node);
          if (reason == null) {
            reason = check(spec, values, node);
          }
        }
        if (reason == null) {
          counts.valid++;
          po.write(text.getBytes(StandardCharsets.UTF_8));
          po.write('\n');
          rows.accept(values, rowNumber);
        } else {
          counts.rejected++;
          ObjectNode out = Json.MAPPER.createObjectNode();
          out.put("line", text.length() > 10_000 ? text.substring(0, 10_000) + "…" : text);
          out.put("reason", reason);
          JsonGenerator g = Json.MAPPER.getFactory().createGenerator(ro);
          g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
          Json.write(g, out);
          g.flush();
          ro.write('\n');
        }
      }
    } catch (java.nio.charset.MalformedInputException e) {
      return "the file is not valid UTF-8 (a malformed byte sequence near line " + (line + 1) + ")";
    }
    return null;
  }
}

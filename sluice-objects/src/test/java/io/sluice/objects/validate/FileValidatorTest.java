package io.sluice.objects.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigLoader;
import io.sluice.lake.Lake;
import io.sluice.lake.LakeSettings;
import io.sluice.lake.RowSink;
import io.sluice.objects.ObjectEvents;
import io.sluice.objects.ObjectStore;
import io.sluice.testkit.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File validation in its own module, on a real object store and a real lake (DuckDB): what each
 * format keeps, rejects and why, what the manifest and events say, and that content is validated
 * once.
 */
class FileValidatorTest {

  @TempDir Path dir;
  final MutableClock clock = MutableClock.atDefaultStart();
  final List<String> events = new ArrayList<>();
  final List<JsonNode> details = new ArrayList<>();
  ObjectStore store;
  Lake lake;
  FileValidator validator;

  @BeforeEach
  void open() throws Exception {
    ObjectEvents sink =
        (type, detail) -> {
          synchronized (events) {
            events.add(type + " " + detail.path("object").path("key").asText());
            details.add(detail);
          }
        };
    store = new ObjectStore(dir.resolve("objects"), 1 << 20, sink, clock);
    lake =
        Lake.open(
            dir.resolve("lake"),
            clock,
            new SimpleMeterRegistry(),
            LakeSettings.DEFAULTS.withCompactionInterval(Duration.ZERO));
    validator = new FileValidator(store, sink, lake, dir.resolve("state"), clock);
  }

  @AfterEach
  void close() {
    lake.close();
  }

  static ValidateTarget spec(String validate) {
    return (ValidateTarget)
        ConfigLoader.parse(
                "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, validate: "
                    + validate
                    + "}]}]",
                "test.yaml",
                Path.of("/srv"),
                ValidateTargetConfigTest.KINDS)
            .rules()
            .get(0)
            .targets()
            .get(0)
            .spec();
  }

  static final ValidateTarget VITALS =
      spec(
          "{table: vitals, schema: {columns: [{name: pid, required: true}, {name: hr, type:"
              + " integer, min: 30, max: 220}]}}");

  void upload(String key, String text) throws Exception {
    upload(key, text.getBytes(StandardCharsets.UTF_8));
  }

  void upload(String key, byte[] bytes) throws Exception {
    store.put("health", key, new ByteArrayInputStream(bytes), "PutObject");
  }

  String read(String key) throws Exception {
    try (InputStream in = store.open("health", key).orElseThrow()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  boolean exists(String key) throws Exception {
    return store.head("health", key).isPresent();
  }

  long count(String sql) throws Exception {
    long[] out = {-1};
    lake.query(
        sql,
        new RowSink() {
          @Override
          public void start(List<String> columns, List<String> types) {}

          @Override
          public void row(Object[] values) {
            out[0] = ((Number) values[0]).longValue();
          }

          @Override
          public void end(long rows, boolean truncated) {}
        });
    return out[0];
  }

  @Test
  void csvRowsAreSplitIntoProcessedAndRejectedWithReasonsAndTheValidOnesReachTheLake()
      throws Exception {
    upload("raw/a.csv", "pid,hr\nP1,72\nP2,250\n,80\nP4,65,extra\n=cmd(),90\n");

    FileValidator.Outcome o = validator.validate(VITALS, "health", "raw/a.csv");

    assertThat(o.status()).isEqualTo("partial");
    assertThat(o.valid()).isEqualTo(2);
    assertThat(o.rejected()).isEqualTo(3);
    assertThat(o.reason()).isNull();
    assertThat(read("processed/a.csv").split("\r\n"))
        .containsExactly("pid,hr", "P1,72", "'=cmd(),90");
    assertThat(read("rejected/a.csv").split("\r\n"))
        .containsExactly(
            "pid,hr,reason",
            "P2,250,\"hr: expected at most 220, got \"\"250\"\"\"",
            ",80,\"pid: is required, got an empty value\"",
            "P4,65,extra,\"line 5: expected 2 fields as in the header, got 3\"");
    JsonNode manifest = Json.MAPPER.readTree(read("manifests/a.csv.json"));
    assertThat(manifest.path("status").asText()).isEqualTo("partial");
    assertThat(manifest.path("format").asText()).isEqualTo("csv");
    assertThat(manifest.path("rowsTotal").asLong()).isEqualTo(5);
    assertThat(manifest.path("rejectedKey").asText()).isEqualTo("rejected/a.csv");
    assertThat(events)
        .containsExactly(
            "Object Created raw/a.csv",
            "Object Created processed/a.csv",
            "Object Created rejected/a.csv",
            "Object Created manifests/a.csv.json",
            "Validation Failed raw/a.csv");
    assertThat(count("SELECT count(*) FROM vitals")).isEqualTo(2);
    assertThat(count("SELECT hr FROM vitals WHERE pid = 'P1'")).isEqualTo(72);
  }

  @Test
  void theSameContentIsValidatedOnceAndAnInterruptedRunAddsNoRowTwice() throws Exception {
    String csv = "pid,hr\nP1,72\nP2,80\n";
    upload("raw/a.csv", csv);
    assertThat(validator.validate(VITALS, "health", "raw/a.csv").status()).isEqualTo("ok");
    upload("raw/copy.csv", csv);
    assertThat(validator.validate(VITALS, "health", "raw/copy.csv").status())
        .isEqualTo("duplicate");
    assertThat(exists("processed/copy.csv")).isFalse();
    assertThat(details.get(details.size() - 1).path("firstKey").asText()).isEqualTo("raw/a.csv");

    // a stop after the lake commit, before the marker: validated again, nothing added twice
    try (Stream<Path> s = Files.walk(dir.resolve("state"))) {
      for (Path p : s.filter(p -> p.toString().endsWith(".json")).toList()) {
        Files.delete(p);
      }
    }
    assertThat(validator.validate(VITALS, "health", "raw/a.csv").status()).isEqualTo("ok");
    assertThat(count("SELECT count(*) FROM vitals")).isEqualTo(2);
  }

  @Test
  void aFileThatCannotBeReadFailsWholeWithItsReasonAndWritesNothing() throws Exception {
    upload("raw/bad.csv", new byte[] {'p', 'i', 'd', '\n', (byte) 0xC3, (byte) 0x28, '\n'});
    FileValidator.Outcome o = validator.validate(VITALS, "health", "raw/bad.csv");
    assertThat(o.status()).isEqualTo("failed");
    assertThat(o.reason().path()).isEmpty();
    assertThat(Reasons.text(o.reason())).contains("not valid UTF-8");
    assertThat(exists("processed/bad.csv")).isFalse();
    assertThat(exists("rejected/bad.csv")).isFalse();
    JsonNode manifest = Json.MAPPER.readTree(read("manifests/bad.csv.json"));
    assertThat(manifest.path("reason").asText()).isEqualTo(Reasons.text(o.reason()));
    assertThat(count("SELECT count(*) FROM vitals")).isZero();

    upload("raw/empty.csv", "");
    assertThat(Reasons.text(validator.validate(VITALS, "health", "raw/empty.csv").reason()))
        .isEqualTo("the file is empty: expected a header row naming the columns");
    upload("raw/nohr.csv", "name,hr\nx,1\n");
    assertThat(Reasons.text(validator.validate(VITALS, "health", "raw/nohr.csv").reason()))
        .isEqualTo("the header lacks required columns pid (header: name, hr)");
  }

  @Test
  void ndjsonLinesAreJudgedOneByOneAndOverlongLinesAreRejectedNotHeld() throws Exception {
    ValidateTarget spec =
        spec(
            "{format: ndjson, maxLineBytes: 64, schema: {columns: [{name: id, required: true},"
                + " {name: hr, type: integer}]}}");
    upload(
        "raw/a.ndjson",
        "{\"id\":\"P1\",\"hr\":72}\n"
            + "{\"id\":\"P2\",\"note\":\""
            + "x".repeat(100)
            + "\"}\n"
            + "{\"id\":\n"
            + "[1,2]\n"
            + "\n"
            + "{\"hr\":\"fast\"}\n");
    FileValidator.Outcome o = validator.validate(spec, "health", "raw/a.ndjson");
    assertThat(o.valid()).isEqualTo(1);
    assertThat(o.rejected()).isEqualTo(4);
    assertThat(read("processed/a.ndjson")).isEqualTo("{\"id\":\"P1\",\"hr\":72}\n");
    List<String> reasons = new ArrayList<>();
    for (String l : read("rejected/a.ndjson").lines().toList()) {
      reasons.add(Json.MAPPER.readTree(l).path("reason").asText());
    }
    assertThat(reasons.get(0)).isEqualTo("line 2: longer than the limit of 64 characters");
    assertThat(reasons.get(1)).startsWith("line 3: malformed JSON: ");
    assertThat(reasons.get(2)).isEqualTo("line 4: expected a JSON object, got array [1,2]");
    assertThat(reasons.get(3))
        .isEqualTo("id: is required, got an empty value; hr: expected an integer, got \"fast\"");
  }

  @Test
  void jsonArraysAreReadRecordByRecordAgainstTheJsonSchema() throws Exception {
    ValidateTarget spec =
        spec(
            "{format: json, jsonSchema: {type: object, required: [id], properties: {hr: {type:"
                + " integer, maximum: 220}}}}");
    upload("raw/a.json", "[{\"id\":\"P1\",\"hr\":72}, 5, {\"hr\":250}]");
    FileValidator.Outcome o = validator.validate(spec, "health", "raw/a.json");
    assertThat(o.valid()).isEqualTo(1);
    assertThat(o.rejected()).isEqualTo(2);
    JsonNode rejected = Json.MAPPER.readTree(read("rejected/a.json"));
    assertThat(rejected.get(0).path("reason").asText())
        .isEqualTo("record 2: expected a JSON object, got number 5");
    assertThat(rejected.get(1).path("reason").asText())
        .contains("required property 'id' not found")
        .contains("220");
    assertThat(Json.MAPPER.readTree(read("processed/a.json")).toString())
        .isEqualTo("[{\"id\":\"P1\",\"hr\":72}]");

    upload("raw/obj.json", "{\"id\":\"P1\"}");
    assertThat(Reasons.text(validator.validate(spec, "health", "raw/obj.json").reason()))
        .isEqualTo("expected a JSON array of records, got {");
  }

  /** One query's rows, each as a list of its values. */
  List<List<Object>> rows(String sql) throws Exception {
    List<List<Object>> out = new ArrayList<>();
    lake.query(
        sql,
        new RowSink() {
          @Override
          public void start(List<String> columns, List<String> types) {}

          @Override
          public void row(Object[] values) {
            out.add(java.util.Arrays.asList(values));
          }

          @Override
          public void end(long rows, boolean truncated) {}
        });
    return out;
  }

  static final String TYPED_COLUMNS =
      "[{name: pid, required: true}, {name: taken, type: timestamp}, {name: day, type: date,"
          + " format: dd/MM/yyyy}, {name: hr, type: integer}, {name: temp, type: number}, {name:"
          + " ok, type: boolean}, {name: spare, type: number}]";

  @Test
  void csvColumnsReachTheLakeWithTheirDeclaredTypes() throws Exception {
    ValidateTarget spec = spec("{table: typed, schema: {columns: " + TYPED_COLUMNS + "}}");
    upload(
        "raw/t.csv",
        "pid,taken,day,hr,temp,ok,spare,note\n"
            + "P1,2026-11-30T08:00:00+01:00,30/11/2026,72,36.6,TRUE,,first\n"
            + "P2, 2026-11-30T09:30:00Z ,01/12/2026,80,37,false,,\n"
            + "P3,,,,,,,\n");
    assertThat(validator.validate(spec, "health", "raw/t.csv").status()).isEqualTo("ok");
    assertThat(
            rows(
                "SELECT typeof(taken), typeof(day), typeof(hr), typeof(temp), typeof(ok),"
                    + " typeof(spare), typeof(pid), typeof(note) FROM typed LIMIT 1"))
        .containsExactly(
            List.of(
                "TIMESTAMP WITH TIME ZONE",
                "DATE",
                "BIGINT",
                "DOUBLE",
                "BOOLEAN",
                "DOUBLE",
                "VARCHAR",
                "VARCHAR"));
    assertThat(
            rows(
                "SELECT column_name, column_type FROM (DESCRIBE typed) WHERE column_name IN"
                    + " ('taken', 'day') ORDER BY column_name"))
        .containsExactly(List.of("day", "DATE"), List.of("taken", "TIMESTAMP WITH TIME ZONE"));
    // 2026-11-30T07:00:00Z and T09:30:00Z in seconds since 1970
    assertThat(
            rows(
                "SELECT pid, epoch(taken)::BIGINT, day::VARCHAR, hr, temp, ok, spare, note, _extra"
                    + " FROM typed ORDER BY pid"))
        .containsExactly(
            java.util.Arrays.asList(
                "P1", 1796022000L, "2026-11-30", 72L, 36.6, true, null, "first", null),
            java.util.Arrays.asList(
                "P2", 1796031000L, "2026-12-01", 80L, 37.0, false, null, null, null),
            java.util.Arrays.asList("P3", null, null, null, null, null, null, null, null));
  }

  @Test
  void aTableMadeBeforeTypesKeepsItsTextColumnsAndTheirText() throws Exception {
    // what earlier versions made of a timestamp and a date column: VARCHAR
    var data = Json.MAPPER.createObjectNode().put("pid", "P0").put("taken", "2026-11-29T08:00Z");
    data.put("day", "2026-11-29");
    var event = Json.MAPPER.createObjectNode().put("id", "old").put("source", "sluice.validate");
    event.put("detail-type", "Validated Row").put("time", "2026-11-29T08:00:00Z");
    lake.append("older", "validate/old", List.of(new Lake.Row(1, event, data, "objects/x", 0)));
    ValidateTarget spec =
        spec(
            "{table: older, schema: {columns: [{name: pid}, {name: taken, type: timestamp},"
                + " {name: day, type: date}]}}");
    upload("raw/o.csv", "pid,taken,day\nP1,2026-11-30T08:00:00+01:00,2026-11-30\n");
    assertThat(validator.validate(spec, "health", "raw/o.csv").status()).isEqualTo("ok");
    assertThat(rows("SELECT typeof(taken), typeof(day) FROM older LIMIT 1"))
        .containsExactly(List.of("VARCHAR", "VARCHAR"));
    assertThat(rows("SELECT pid, taken, day, _extra FROM older ORDER BY pid"))
        .containsExactly(
            java.util.Arrays.asList("P0", "2026-11-29T08:00Z", "2026-11-29", null),
            java.util.Arrays.asList("P1", "2026-11-30T08:00:00+01:00", "2026-11-30", null));
  }

  @Test
  void ndjsonRecordsKeepTheirJsonTypesAndDeclaredColumnsTheirs() throws Exception {
    ValidateTarget spec =
        spec("{format: ndjson, table: nd, schema: {columns: " + TYPED_COLUMNS + "}}");
    upload(
        "raw/n.ndjson",
        "{\"pid\":\"P1\",\"taken\":\"2026-11-30T08:00:00Z\",\"day\":\"30/11/2026\",\"hr\":\"72\","
            + "\"temp\":36,\"ok\":true,\"n\":5,\"x\":1.5,\"flag\":false,\"tags\":[\"a\"],"
            + "\"o\":{\"k\":1},\"s\":\"\"}\n");
    assertThat(validator.validate(spec, "health", "raw/n.ndjson").status()).isEqualTo("ok");
    assertThat(
            rows(
                "SELECT typeof(taken), typeof(day), typeof(hr), typeof(temp), typeof(ok),"
                    + " typeof(n), typeof(x), typeof(flag), typeof(tags), typeof(o), typeof(s)"
                    + " FROM nd"))
        .containsExactly(
            List.of(
                "TIMESTAMP WITH TIME ZONE",
                "DATE",
                "BIGINT",
                "DOUBLE",
                "BOOLEAN",
                "BIGINT",
                "DOUBLE",
                "BOOLEAN",
                "JSON",
                "JSON",
                "VARCHAR"));
    assertThat(rows("SELECT day::VARCHAR, hr, temp, n, x, flag, tags, o->>'$.k', s FROM nd"))
        .containsExactly(
            java.util.Arrays.asList("2026-11-30", 72L, 36.0, 5L, 1.5, false, "[\"a\"]", "1", ""));
  }

  @Test
  void jsonRecordsUnderAJsonSchemaKeepTheirJsonTypesAndItsTimesAndDates() throws Exception {
    ValidateTarget spec =
        spec(
            "{format: json, table: js, jsonSchema: {type: object, required: [pid], properties:"
                + " {pid: {type: string}, hr: {type: integer}, temp: {type: number}, taken:"
                + " {type: string, format: date-time}, day: {type: string, format: date}}}}");
    upload(
        "raw/j.json",
        "[{\"pid\":\"P1\",\"hr\":72,\"temp\":36,\"taken\":\"2026-11-30T08:00:00Z\","
            + "\"day\":\"2026-11-30\",\"ok\":true,\"tags\":[1]}]");
    assertThat(validator.validate(spec, "health", "raw/j.json").status()).isEqualTo("ok");
    assertThat(
            rows(
                "SELECT typeof(pid), typeof(hr), typeof(temp), typeof(taken), typeof(day),"
                    + " typeof(ok), typeof(tags) FROM js"))
        .containsExactly(
            List.of(
                "VARCHAR",
                "BIGINT",
                "DOUBLE",
                "TIMESTAMP WITH TIME ZONE",
                "DATE",
                "BOOLEAN",
                "JSON"));
    assertThat(rows("SELECT hr, temp, day::VARCHAR, _extra FROM js"))
        .containsExactly(java.util.Arrays.asList(72L, 36.0, "2026-11-30", null));
  }

  @Test
  void aDeletedObjectIsNamedInTheError() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> validator.validate(VITALS, "health", "raw/gone.csv"))
        .isInstanceOf(java.io.FileNotFoundException.class)
        .hasMessage("object health/raw/gone.csv does not exist (deleted since?)");
  }

  @Test
  void aFormatOneMarkerMeansTheContentWasValidatedAndADamagedOneNamesItselfAndTheFix()
      throws Exception {
    String csv = "pid,hr\nP1,72\n";
    upload("raw/again.csv", csv);
    String sha = store.head("health", "raw/again.csv").orElseThrow().sha256();
    Path marker = dir.resolve("state").resolve(sha.substring(0, 2)).resolve(sha + ".json");
    Files.createDirectories(marker.getParent());
    try (InputStream in = getClass().getResourceAsStream("/golden/golden-validated-v1.json")) {
      Files.copy(in, marker);
    }
    assertThat(validator.validate(VITALS, "health", "raw/again.csv").status())
        .isEqualTo("duplicate");
    assertThat(details.get(details.size() - 1).path("firstKey").asText())
        .isEqualTo("raw/first.csv");

    Files.writeString(marker, "{\"format\":1,");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> validator.validate(VITALS, "health", "raw/again.csv"))
        .isInstanceOf(io.sluice.core.CorruptDataException.class)
        .hasMessageStartingWith(marker.toString())
        .hasMessageContaining("the record that content " + sha + " was validated is damaged")
        .hasMessageContaining("remove the file to validate that content again");
  }
}

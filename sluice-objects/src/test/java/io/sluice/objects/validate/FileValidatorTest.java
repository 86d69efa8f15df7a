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

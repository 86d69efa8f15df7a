package io.sluice.objects.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.kinds.Kinds;
import io.sluice.engine.targets.EngineTargets;
import io.sluice.objects.ObjectTargets;
import io.sluice.testkit.ConfigProblems;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code validate} target kind as the config loader reads it, with every mistake named. */
class ValidateTargetConfigTest {

  static final Path BASE = Path.of("/srv/sluice");
  static final Kinds KINDS = Kinds.of(EngineTargets.kinds(), ObjectTargets.kinds(null, null));

  static List<String> problems(String yaml) {
    return ConfigProblems.of(yaml, KINDS);
  }

  @Test
  void validateTargetsAndObjectsAreReadAndTheirMistakesNamed() {
    SluiceConfig c =
        ConfigLoader.parse(
            "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, validate: {schema:"
                + " {columns: [{name: hr, type: integer, required: true, min: 30, max: 220}]}}}]}]",
            "test.yaml",
            BASE,
            KINDS);
    var v = (ValidateTarget) c.rules().get(0).targets().get(0).spec();
    assertThat(v.format()).isEqualTo(FileFormat.CSV);
    assertThat(v.processedPrefix()).isEqualTo("processed/");
    assertThat(v.rejectedPrefix()).isEqualTo("rejected/");
    var hr = v.schema().columns().get(0);
    assertThat(hr.check("72")).isNull();
    assertThat(hr.check("250")).isEqualTo("hr: expected at most 220, got \"250\"");
    assertThat(hr.check("7.5")).isEqualTo("hr: expected an integer, got \"7.5\"");
    assertThat(hr.check("")).isEqualTo("hr: is required, got an empty value");
    assertThat(c.objects().bus()).isEqualTo("default");
    assertThat(c.objects().maxObjectBytes()).isEqualTo(5L << 30);
    String prefix = "/rules/0/targets/0/validate";
    assertThat(
            problems(
                "objects: {bus: nope}\nrules: [{name: r, pattern: {source: [a]}, targets: [{id: t,"
                    + " validate: {format: xml, processedPrefix: out/, rejectedPrefix: out/, schema:"
                    + " {columns: [{name: a, type: money}, {name: b, type: date, min: 5, max: 1,"
                    + " pattern: '[', format: 'bbbb'}, {name: b}, {name: c, type: date, format:"
                    + " dd/MM}, {name: d, type: timestamp, format: dd/MM/yyyy}]}}}]}]"))
        .containsExactlyInAnyOrder(
            "/objects/bus: names bus \"nope\", which is not configured (buses: default)",
            prefix + "/format: expected one of csv, ndjson, json, got \"xml\"",
            prefix + "/rejectedPrefix: must differ from processedPrefix, got \"out/\"",
            prefix
                + "/schema/columns/0/type: expected one of string, integer, number, boolean,"
                + " timestamp, date, got \"money\"",
            prefix + "/schema/columns/1/max: must not be below min 5, got 1",
            prefix
                + "/schema/columns/1/pattern: is not a regular expression (Unclosed character"
                + " class), got \"[\"",
            prefix
                + "/schema/columns/1/format: is not a date pattern (Unknown pattern letter: b),"
                + " got \"bbbb\"",
            prefix + "/schema/columns/2/name: names column b twice",
            prefix
                + "/schema/columns/3/format: is not a date pattern (it needs a year, a month and a"
                + " day, as dd/MM/yyyy has them), got \"dd/MM\"",
            prefix
                + "/schema/columns/4/format: applies to type date only (a date pattern), got it on"
                + " type timestamp");
  }

  @Test
  void jsonFilesNeedAUsableJsonSchema() {
    var v =
        (ValidateTarget)
            ConfigLoader.parse(
                    "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, validate:"
                        + " {format: json, jsonSchema: {type: object, required: [id]}}}]}]",
                    "test.yaml",
                    BASE,
                    KINDS)
                .rules()
                .get(0)
                .targets()
                .get(0)
                .spec();
    assertThat(v.jsonSchema().toString()).isEqualTo("{\"type\":\"object\",\"required\":[\"id\"]}");
    assertThat(v.schema().columns()).isEmpty();
    String prefix = "/rules/0/targets/0/validate";
    assertThat(
            problems(
                "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, validate: {format:"
                    + " json}}]}]"))
        .containsExactly(
            prefix + "/jsonSchema: is required for json files: the JSON Schema of a record");
    assertThat(
            problems(
                "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, validate: {format:"
                    + " csv, jsonSchema: {type: object}, schema: {columns: [{name: a}]}}}]}]"))
        .containsExactly(
            prefix
                + "/jsonSchema: applies to json and ndjson files; csv files are checked by"
                + " schema.columns");
    assertThat(
            problems(
                "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, validate: {format:"
                    + " json, jsonSchema: [1]}}]}]"))
        .containsExactly(prefix + "/jsonSchema: expected a JSON Schema object, got array [1]");
  }
}

package io.sluice.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.sluice.core.kinds.Kinds;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated JSON Schema and the loader agree on everything but rules (whose targets come from
 * kinds other modules register; {@code KindsSchemaTest} in sluice-server checks those): what one
 * accepts, the other does.
 */
class ConfigSchemaTest {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static JsonSchema schema() {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
        .getSchema(ConfigSchema.generate(Kinds.of()));
  }

  static Stream<String> valid() {
    return Stream.of(
        ConfigLoaderTest.KITCHEN_SINK, "", "buses: [{name: default}]", "server: {port: 0}");
  }

  static Stream<String> invalid() {
    return Stream.of(
        "colour: blue",
        "server: {hots: x}",
        "buses: [{name: a, partitions: 0}]",
        "buses: [{name: a, retention: seven}]",
        "buses: [{name: a, fsync: sometimes}]",
        "buses: [{name: a, deduplicate: abc}]",
        "buses: [{partitions: 2}]",
        "buses: []",
        "server: {limits: {maxBodyBytes: big}}",
        "auth: {keys: [{name: k, sha256: nothex, scopes: []}]}",
        "auth: {keys: [{name: k, sha256: " + "a".repeat(64) + ", scopes: [write]}]}",
        "buses: [{name: sluice.retries}]",
        "server: {limits: {maxDepth: 1001}}",
        "objects: {colour: red}",
        "objects: {inbox: {dir: in}}",
        "objects: {inbox: {dir: in, bucket: Bad_Bucket}}",
        "lake: {threads: 0}",
        "lake: {memoryLimit: lots}",
        "lake: {compaction: {minFiles: 1}}");
  }

  @ParameterizedTest
  @MethodSource("valid")
  void loaderAndSchemaAcceptValidConfigs(String yaml) throws Exception {
    assertThat(ConfigLoaderTest.problems(yaml)).isEmpty();
    JsonNode node = yaml.isBlank() ? YAML.createObjectNode() : YAML.readTree(yaml);
    Set<ValidationMessage> errors = schema().validate(node);
    assertThat(errors).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void loaderAndSchemaRejectInvalidConfigs(String yaml) throws Exception {
    assertThat(ConfigLoaderTest.problems(yaml)).isNotEmpty();
    assertThat(schema().validate(YAML.readTree(yaml))).isNotEmpty();
  }
}

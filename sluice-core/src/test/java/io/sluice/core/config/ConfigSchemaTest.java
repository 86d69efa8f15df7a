package io.sluice.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The published JSON Schema and the loader agree: what one accepts, the other does. */
class ConfigSchemaTest {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static JsonSchema schema() throws Exception {
    try (InputStream in = ConfigLoader.class.getResourceAsStream("sluice-config.schema.json")) {
      assertThat(in).as("schema packaged in the jar").isNotNull();
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
    }
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
        "buses: [{partitions: 2}]",
        "buses: []",
        "server: {limits: {maxBodyBytes: big}}",
        "auth: {keys: [{name: k, sha256: nothex, scopes: []}]}",
        "auth: {keys: [{name: k, sha256: " + "a".repeat(64) + ", scopes: [write]}]}");
  }

  @ParameterizedTest
  @MethodSource("valid")
  void loaderAndSchemaAcceptValidConfigs(String yaml) throws Exception {
    ConfigLoader.parse(yaml, "t", Path.of("/tmp"));
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

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

  static final String RULES =
      """
      buses: [{name: orders}, {name: audit}]
      objects: {bus: audit, maxObjectBytes: 1GB, inbox: {dir: in, bucket: uploads, prefix: raw/, interval: 2s}}
      lake: {threads: 4, memoryLimit: 2GB, queryTimeout: 10s, maxRows: 5000, compaction: {interval: 5m, minFiles: 4, smallFileBytes: 64MB}}
      rules:
        - name: big-orders
          bus: orders
          description: orders over 100
          enabled: true
          pattern: {source: [shop], detail: {amount: [{numeric: [">", 100]}]}}
          targets:
            - id: hook
              http: {url: "http://localhost:9000/hook", method: PUT, headers: {X-Team: sales}}
              inputTransformer: {inputPathsMap: {amount: $.detail.amount}, inputTemplate: '{"amount": <amount>}'}
              concurrency: 8
              rateLimit: 50.5
              timeout: 5s
              retry: {maxAttempts: 10, maxAge: 1h, initialBackoff: 100ms, maxBackoff: 10s}
              ordered: true
              batch: {size: 50, interval: 500ms}
            - {id: copy, bus: audit, jq: "{id, amount: .detail.amount}"}
            - {id: copy2, bus: {name: audit}}
            - {id: files, file: {dir: out, rollBytes: 1MB, rollInterval: 10m}}
            - {id: print, log: {}}
            - id: lake
              lake:
                table: big_orders
                buffer: {size: 4MB, interval: 5s}
                partitionBy: ["dt=${time:yyyy-MM-dd}", "region=${detail.region}"]
                compression: snappy
              jq: ".detail"
            - {id: lake2, lake: {table: all_orders}}
            - id: check
              validate:
                format: csv
                processedPrefix: ok/
                rejectedPrefix: bad/
                table: checked
                maxLineBytes: 64KB
                schema:
                  version: 2
                  columns:
                    - {name: id, type: string, required: true, min: 1, max: 10, pattern: "[A-Z]+"}
                    - {name: n, type: integer, min: 0, max: 100}
                    - {name: day, type: date, format: dd/MM/yyyy}
                    - {name: kind, enum: [a, b]}
            - id: json
              validate:
                format: json
                jsonSchema: {type: object, properties: {id: {type: string}}, required: [id]}
        - name: everything
          bus: audit
          pattern: {source: [{prefix: ""}]}
          targets: [{id: print, log: {}}]
      """;

  static Stream<String> valid() {
    return Stream.of(
        ConfigLoaderTest.KITCHEN_SINK, RULES, "", "buses: [{name: default}]", "server: {port: 0}");
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
        "auth: {keys: [{name: k, sha256: " + "a".repeat(64) + ", scopes: [write]}]}",
        "buses: [{name: sluice.retries}]",
        "server: {limits: {maxDepth: 1001}}",
        "rules: [{name: r, pattern: {source: [a]}}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: []}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, log: {}, bus: default}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, http: {url: ftp://x}}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, log: {}, colour: red}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, log: {}, concurrency: 0}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, log: {}, retry: {maxAttempts: 0}}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, log: {}, jq: ., inputTransformer: {inputTemplate: x}}]}]",
        "rules: [{name: 'bad name', pattern: {source: [a]}, targets: [{id: t, log: {}}]}]",
        "rules: [{name: r, pattern: [a], targets: [{id: t, log: {}}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, lake: {}}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, lake: {table: Bad-Name}}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, lake: {table: t, compression: lz4}}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, lake: {table: t, partitionBy: [dt]}}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, lake: {table: t, buffer: {colour: red}}}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, lake: {table: t}, ordered: true}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, lake: {table: t}, batch: {size: 5}}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, validate: {}}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, validate: {format: xml, schema: {columns: [{name: a}]}}}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, validate: {schema: {columns: [{name: a, type: money}]}}}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, validate: {processedPrefix: /abs, schema: {columns: [{name: a}]}}}]}]",
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

package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.ConfigSchema;
import io.sluice.core.kinds.Kinds;
import io.sluice.testkit.ConfigProblems;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The JSON Schema generated from every registered kind is the one published in docs, and for rules
 * and their targets it agrees with the loader: what one accepts, the other does (the rest of the
 * config: {@code ConfigSchemaTest} in sluice-core).
 */
class KindsSchemaTest {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Kinds KINDS = SluiceKinds.forReading();
  static final Path DOCS = Path.of("../docs/sluice-config.schema.json");

  static JsonSchema schema() {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
        .getSchema(ConfigSchema.generate(KINDS));
  }

  static List<String> problems(String yaml) {
    return ConfigProblems.of(yaml, KINDS);
  }

  /**
   * Fails when a kind's schema changed and docs were not regenerated; {@code
   * -Dsluice.schema.write=true} writes the generated schema to docs instead.
   */
  @Test
  void theSchemaInDocsIsTheOneGeneratedFromTheKinds() throws Exception {
    String generated = ConfigSchema.text(KINDS);
    if (Boolean.getBoolean("sluice.schema.write")) {
      Files.writeString(DOCS, generated, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(DOCS, StandardCharsets.UTF_8))
        .as(
            "docs/sluice-config.schema.json is generated: run ./mvnw -o test -pl sluice-server -am"
                + " -Dtest=KindsSchemaTest -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Dsluice.schema.write=true")
        .isEqualTo(generated);
  }

  @Test
  void everyRegisteredTargetKindIsInTheSchemaAndItsMessages() {
    var target = ConfigSchema.generate(KINDS).path("definitions").path("target");
    for (String kind : KINDS.targetNames()) {
      assertThat(target.path("properties").has(kind)).as(kind).isTrue();
    }
    assertThat(KINDS.targetNames())
        .containsExactly(
            "bus",
            "http",
            "file",
            "log",
            "lake",
            "validate",
            "function",
            "email",
            "webhook",
            "report");
    assertThat(problems("rules: [{name: r, pattern: {source: [a]}, targets: [{id: t}]}]"))
        .containsExactly(
            "/rules/0/targets/0: expected exactly one of bus, http, file, log, lake, validate,"
                + " function, email, webhook, report, got none");
  }

  static Stream<Path> examples() throws Exception {
    try (Stream<Path> s = Files.list(Path.of("../examples"))) {
      return s
          .map(d -> d.resolve("sluice.yaml"))
          .filter(Files::isRegularFile)
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleConfigIsValidForLoaderAndSchema(Path file) throws Exception {
    ConfigLoader.load(file, KINDS);
    assertThat(schema().validate(YAML.readTree(file.toFile()))).isEmpty();
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

  static final String NOTIFY =
      """
      smtp: {host: smtp.example.com, port: 2525, tls: none, username: sluice, password: secret, from: "Sluice <sluice@example.com>", timeout: 10s}
      rules:
        - name: alerts
          pattern: {source: [shop]}
          targets:
            - id: mail
              email: {to: ["ops@example.com", "{{detail.owner}}"], cc: boss@example.com, subject: "Order {{detail.id}}", body: "Amount {{detail.amount}}", html: false}
            - {id: mail2, email: {to: ops@example.com}}
            - {id: hook, webhook: {url: "https://hooks.example.com/in", secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, headers: {X-Team: ops}}}
            - {id: slack, webhook: {url: "https://hooks.slack.com/services/T/B/X", format: slack, text: "New order {{detail.id}}"}}
            - {id: raw, webhook: {url: "http://localhost:9000/raw", format: raw}}
      """;

  static Stream<String> valid() {
    return Stream.of(RULES, NOTIFY, "rules: []");
  }

  static Stream<String> invalid() {
    return Stream.of(
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
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, log: {}, batch: {size: 5}}]}]",
        "smtp: {host: h}",
        "smtp: {host: h, from: a@b.c, tls: ssl}",
        "smtp: {host: h, from: a@b.c, username: u}",
        "smtp: {host: h, from: a@b.c, password: p}",
        "smtp: {host: h, from: a@b.c}\nrules: [{name: r, pattern: {source: [a]}, targets: [{id: t, email: {}}]}]",
        "smtp: {host: h, from: a@b.c}\nrules: [{name: r, pattern: {source: [a]}, targets: [{id: t, email: {to: a@b.c, colour: red}}]}]",
        "smtp: {host: h, from: a@b.c}\nrules: [{name: r, pattern: {source: [a]}, targets: [{id: t, email: {to: a@b.c}, batch: {size: 5}}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, webhook: {url: 'http://x'}}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, webhook: {url: 'ftp://x', format: raw}}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, webhook: {url: 'http://x', format: slack, secret: whsec_AAAA}}]}]",
        "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, webhook: {url: 'http://x', format: raw, text: hi}}]}]");
  }

  @ParameterizedTest
  @MethodSource("valid")
  void loaderAndSchemaAcceptValidConfigs(String yaml) throws Exception {
    assertThat(problems(yaml)).isEmpty();
    JsonNode node = yaml.isBlank() ? YAML.createObjectNode() : YAML.readTree(yaml);
    Set<ValidationMessage> errors = schema().validate(node);
    assertThat(errors).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void loaderAndSchemaRejectInvalidConfigs(String yaml) throws Exception {
    assertThat(problems(yaml)).isNotEmpty();
    assertThat(schema().validate(YAML.readTree(yaml))).isNotEmpty();
  }
}

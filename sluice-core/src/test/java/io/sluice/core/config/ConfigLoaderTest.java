package io.sluice.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.kinds.Kinds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

  static final Path BASE = Path.of("/srv/sluice");

  static final String KITCHEN_SINK =
      """
      server:
        host: 0.0.0.0
        port: 8080
        limits:
          maxBodyBytes: 5MB
          maxEventBytes: 128KB
          maxDepth: 64
          maxBatchEntries: 500
          memoryBudget: 1GB
      storage:
        dir: data
      buses:
        - name: orders
          partitions: 8
          retention: 30d
          retentionBytes: 10GB
          fsync: interval
          fsyncInterval: 200ms
          segmentBytes: 16MB
          deduplicate: 1h
        - name: audit
      auth:
        keys:
          - name: shop
            sha256: 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
            scopes: ["ingest:orders", "ingest:*", read, admin]
      """;

  static List<String> problems(String yaml) {
    try {
      ConfigLoader.parse(yaml, "test.yaml", BASE, Kinds.of());
    } catch (InvalidInputException e) {
      assertThat(e.code()).isEqualTo("INVALID_CONFIG");
      return e.problems().stream().map(Problem::toString).toList();
    }
    return List.of();
  }

  @Test
  void embeddedDefaultHasOneBusNamedDefault() {
    SluiceConfig c = ConfigLoader.defaults();

    assertThat(c.buses()).extracting(BusConfig::name).containsExactly("default");
    assertThat(c.server().port()).isEqualTo(7070);
    assertThat(c.server().host()).isEqualTo("127.0.0.1");
    assertThat(c.dataDir()).isEqualTo(Path.of("sluice-data").toAbsolutePath());
    assertThat(c.auth().isEnabled()).isFalse();
    assertThat(c.source()).isEqualTo("embedded default");
  }

  @Test
  void everyFieldIsRead() {
    SluiceConfig c = ConfigLoader.parse(KITCHEN_SINK, "k.yaml", BASE, Kinds.of());

    assertThat(c.server().host()).isEqualTo("0.0.0.0");
    assertThat(c.server().port()).isEqualTo(8080);
    assertThat(c.server().limits())
        .isEqualTo(
            new LimitsConfig(5L << 20, 128 << 10, 64, 500, 1L << 30, Duration.ofSeconds(30)));
    assertThat(c.dataDir()).isEqualTo(Path.of("/srv/sluice/data"));
    assertThat(c.buses().get(0))
        .isEqualTo(
            new BusConfig(
                "orders",
                8,
                Duration.ofDays(30),
                10L << 30,
                "interval",
                Duration.ofMillis(200),
                16L << 20,
                Duration.ofHours(1)));
    assertThat(c.buses().get(1)).isEqualTo(BusConfig.named("audit"));
    assertThat(c.auth().keys().get(0).scopes())
        .containsExactly("ingest:orders", "ingest:*", "read", "admin");
  }

  @Test
  void missingBusesMeansTheDefaultBus() {
    assertThat(ConfigLoader.parse("server: {port: 9000}", "t", BASE, Kinds.of()).buses())
        .extracting(BusConfig::name)
        .containsExactly("default");
    assertThat(ConfigLoader.parse("", "t", BASE, Kinds.of()).buses())
        .extracting(BusConfig::name)
        .containsExactly("default");
  }

  @Test
  void reportsEveryProblemAtOnceWithItsPath() {
    String yaml =
        """
        server:
          port: 70000
          hots: 0.0.0.0
          limits: {maxBodyBytes: big, maxDepth: 1}
        buses:
          - name: orders
            partitions: 0
          - name: audit
            retention: seven
            fsync: sometimes
          - name: orders
            fsyncInterval: 1s
          - name: "bad name"
          - partitions: 2
          - 12
        auth:
          keys:
            - name: k
              sha256: nothex
              scopes: [ingest:nosuch, write]
        colour: blue
        """;

    assertThat(problems(yaml))
        .containsExactly(
            "/colour: unknown field; expected one of server, storage, buses, auth, smtp, functions, rules, objects, lake, schedules, reports, alarms, analyses",
            "/server/hots: unknown field (did you mean host?); expected one of host, port, limits, logLevel",
            "/server/port: expected an integer 0..65535, got number 70000",
            "/server/limits/maxBodyBytes: expected a size like 256KB or 10MB, got \"big\"",
            "/server/limits/maxDepth: expected an integer 2..1000, got number 1",
            "/buses/0/partitions: expected an integer 1..1024, got number 0",
            "/buses/1/retention: expected a duration like 7d or 12h, got \"seven\"",
            "/buses/1/fsync: expected one of always, interval, got \"sometimes\"",
            "/buses/2/name: duplicate bus name \"orders\" (first at /buses/0/name)",
            "/buses/2/fsyncInterval: only applies with fsync: interval (fsync is always)",
            "/buses/3/name: expected 1-128 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit, got \"bad name\"",
            "/buses/4/name: is required: a bus name",
            "/buses/5: expected a bus mapping with name, partitions, retention, fsync, got number 12",
            "/auth/keys/0/sha256: expected 64 lowercase hex digits (sluice keys new prints them), got \"nothex\"",
            "/auth/keys/0/scopes/0: scope names bus \"nosuch\", which is not configured",
            "/auth/keys/0/scopes/1: expected a scope ingest:<bus>, ingest:*, objects:write, functions:invoke, read or admin, got \"write\"");
  }

  @Test
  void deduplicateIsOffByDefaultAndReadAsADuration() {
    assertThat(BusConfig.named("a").deduplicates()).isFalse();
    BusConfig b =
        ConfigLoader.parse(
                "buses: [{name: a, retention: 2d, deduplicate: 2d}]", "t", BASE, Kinds.of())
            .buses()
            .get(0);
    assertThat(b.deduplicate()).isEqualTo(Duration.ofDays(2));
    assertThat(b.deduplicates()).isTrue();
    assertThat(problems("buses: [{name: a, deduplicate: 1s}, {name: b, deduplicate: 7d}]"))
        .isEmpty();
  }

  @Test
  void aDeduplicateWindowOutsideItsLimitsIsRefusedWithTheLimitAndTheValue() {
    assertThat(
            problems(
                """
                buses:
                  - {name: a, deduplicate: 0s}
                  - {name: b, deduplicate: 30d}
                  - {name: c, deduplicate: abc}
                  - {name: d, retention: 12h, deduplicate: 1d}
                  - {name: e, deduplicate: 999ms}
                  - {name: f, deduplicate: 5}
                """))
        .containsExactly(
            "/buses/0/deduplicate: expected a duration from 1s to 7d, got 0s",
            "/buses/1/deduplicate: expected a duration from 1s to 7d, got 30d",
            "/buses/2/deduplicate: expected a duration like 7d or 12h, got \"abc\"",
            "/buses/3/deduplicate: expected at most the bus's retention (12h), got 1d",
            "/buses/4/deduplicate: expected a duration from 1s to 7d, got 999ms",
            "/buses/5/deduplicate: expected a duration like 7d or 12h, got number 5");
  }

  @Test
  void malformedYamlNamesLineAndColumn() {
    assertThat(problems("buses:\n  - name: a\n   partitions: [1\n"))
        .singleElement()
        .satisfies(p -> assertThat(p).startsWith("/: malformed YAML at line 3, column"));
    assertThat(problems("buses: []\nbuses: []\n"))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p)
                    .startsWith("/: malformed YAML at line 2, column 6: Duplicate field 'buses'"));
  }

  @Test
  void wrongShapesAreNamed() {
    assertThat(problems("- a\n- b\n"))
        .containsExactly(
            "/: expected a YAML mapping of server, storage, buses, auth, rules, got array [\"a\",\"b\"]");
    assertThat(problems("buses: {name: x}"))
        .containsExactly("/buses: expected a list of buses, got object {\"name\":\"x\"}");
    assertThat(problems("buses: []"))
        .containsExactly("/buses: expected at least one bus, got an empty list");
    assertThat(problems("auth: {keys: [{name: k, sha256: " + "a".repeat(64) + "}]}"))
        .containsExactly(
            "/auth/keys/0/scopes: is required: a list of scopes: ingest:<bus>, ingest:*, objects:write, functions:invoke, read, admin");
  }

  @Test
  void theOlderInflightLimitSetsTheMemoryBudget() {
    var l =
        ConfigLoader.parse(
                "server: {limits: {maxInflightBytes: 64MB}}", "test.yaml", BASE, Kinds.of())
            .server()
            .limits();
    assertThat(l.memoryBudget()).isEqualTo(256L << 20);
    assertThat(problems("server: {limits: {maxInflightBytes: 64MB, memoryBudget: 1GB}}"))
        .containsExactly(
            "/server/limits/maxInflightBytes: is the older name of memoryBudget (a quarter of it);"
                + " give only memoryBudget");
    assertThat(problems("server: {limits: {memoryBudget: 1MB, idleTimeout: 10ms}}"))
        .containsExactly(
            "/server/limits/idleTimeout: expected a duration from 100ms to 1h, got 10ms",
            "/server/limits/memoryBudget: expected a size between 16MB and 1024GB, got 1MB");
  }

  @Test
  void lakeSettingsAreReadAndCheckedWithDefaults() {
    var d = ConfigLoader.parse("", "test.yaml", BASE, Kinds.of()).lake();
    assertThat(d).isEqualTo(SluiceConfig.LakeConfig.DEFAULTS);
    var l =
        ConfigLoader.parse(
                "lake: {threads: 3, memoryLimit: 512MB, queryTimeout: 5s, maxRows: 7,"
                    + " maxConcurrentQueries: 4, maxQueuedQueries: 0,"
                    + " compaction: {interval: 0s, minFiles: 4, smallFileBytes: 1MB}}",
                "test.yaml",
                BASE,
                Kinds.of())
            .lake();
    assertThat(l)
        .isEqualTo(
            new SluiceConfig.LakeConfig(
                3,
                "512MB",
                java.time.Duration.ofSeconds(5),
                7,
                java.time.Duration.ZERO,
                4,
                1L << 20,
                4,
                0));
    assertThat(
            problems(
                "lake: {threads: 0, memoryLimit: lots, queryTimeout: 2h, maxConcurrentQueries: 0,"
                    + " maxQueuedQueries: -1}"))
        .containsExactly(
            "/lake/threads: expected an integer 1..256, got number 0",
            "/lake/memoryLimit: expected a size such as 512MB or 4GB, got \"lots\"",
            "/lake/queryTimeout: expected a duration above 0 and at most 1h, got 2h",
            "/lake/maxConcurrentQueries: expected an integer 1..256, got number 0",
            "/lake/maxQueuedQueries: expected an integer 0..10000, got number -1");
  }

  @Test
  void missingFileIsAClearProblem() {
    assertThatThrownBy(() -> ConfigLoader.load(Path.of("/nonexistent/sluice.yaml"), Kinds.of()))
        .hasMessage("/: config file /nonexistent/sluice.yaml does not exist");
  }

  @Test
  void durationsAndSizesAcceptTheDocumentedForms() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("PT1H")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("seven")).isNull();
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(ByteSizes.parse("256KB")).isEqualTo(262144);
    assertThat(ByteSizes.parse("10 MiB")).isEqualTo(10L << 20);
    assertThat(ByteSizes.parse("12")).isEqualTo(12);
    assertThat(ByteSizes.parse("1.5GB")).isEqualTo(-1);
    assertThat(ByteSizes.format(262144)).isEqualTo("256KB");
  }
}

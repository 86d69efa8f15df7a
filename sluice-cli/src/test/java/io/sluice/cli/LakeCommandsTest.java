package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.server.SluiceKinds;
import io.sluice.server.SluiceServer;
import io.sluice.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** demo, put, get, query and tables from the command line, against real servers. */
class LakeCommandsTest {

  @TempDir Path dir;

  static final Path EXAMPLE = Path.of("../examples/health-monitoring");

  @Test
  void demoRunsTheSportsExampleEndToEnd() {
    LogCommandTest.Run r = LogCommandTest.run("demo");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("Sent 228 events over HTTP")
        .contains("-- Events per lake table")
        .contains("cat1       |     60")
        .contains("cat2       |    156")
        .contains("-- Ticket revenue per sport")
        .contains("(4 rows)")
        .contains("-- Top scoring teams")
        .contains("(5 rows)");
  }

  @Test
  void demoLeavesOutTheExamplesFunctionSoItNeedsOnlyJava() throws Exception {
    String yaml = DemoCommand.withoutFunctions(DemoCommand.resource("sluice.yaml"));

    // read as the demo reads it: beside no functions/ directory
    SluiceConfig c = ConfigLoader.parse(yaml, "demo.yaml", dir, SluiceKinds.forReading());
    assertThat(c.functions()).isEmpty();
    assertThat(c.rules())
        .extracting(r -> r.name() + " → " + r.targets().get(0).id())
        .containsExactly("matches → cat1", "scores → cat2", "report-hourly-revenue → report");
    // the example itself has the Lambda rule
    assertThat(
            ConfigLoader.load(
                    Path.of("../examples/sports-events/sluice.yaml"), SluiceKinds.forReading())
                .rules())
        .extracting(r -> r.name())
        .containsExactly("matches", "matches-lambda", "scores", "report-hourly-revenue");
  }

  @Test
  void withoutFunctionsDropsFunctionTargetsAndTransformsAndRulesLeftEmpty() throws Exception {
    String yaml =
        """
        buses: [{name: b}]
        functions: [{name: f, runtime: python3, handler: app.handler, code: fn}]
        rules:
          - name: mixed
            bus: b
            pattern: {source: [s]}
            targets:
              - {id: call, function: {name: f}}
              - {id: keep, log: {}}
              - {id: shaped, log: {}, transform: {function: f}}
          - name: only-function
            bus: b
            pattern: {source: [s]}
            targets: [{id: call, function: f}]
        """;

    assertThat(DemoCommand.withoutFunctions(yaml))
        .isEqualTo(
            "{\"buses\":[{\"name\":\"b\"}],\"rules\":[{\"name\":\"mixed\",\"bus\":\"b\","
                + "\"pattern\":{\"source\":[\"s\"]},\"targets\":[{\"id\":\"keep\",\"log\":{}}]}]}");
  }

  @Test
  void putQueryTablesAndGetAgainstTheHealthExample() throws Exception {
    int port = PackagedServer.freePort(); // the analyzer reads processed/ at its SLUICE_URL
    SluiceConfig c =
        ConfigLoader.parse(
            Files.readString(EXAMPLE.resolve("sluice.yaml"))
                .replace("http://127.0.0.1:7070", "http://127.0.0.1:" + port),
            "t.yaml",
            EXAMPLE, // its analyzer's code is beside it
            SluiceKinds.forReading());
    try (SluiceServer server =
        SluiceServer.start(
            c.withServer(c.server().withPort(port)).withDataDir(dir.resolve("data")),
            SluiceServer.Options.DEFAULTS)) {
      String url = server.url().toString();
      LogCommandTest.Run put =
          LogCommandTest.run(
              "put",
              EXAMPLE.resolve("vitals-2026-11-30.csv").toString(),
              "health/raw/v.csv",
              "--url",
              url);
      assertThat(put.exit()).as(put.err()).isZero();
      assertThat(put.out())
          .isEqualTo(
              "health/raw/v.csv: 614 bytes, sha256"
                  + " 9a99fcaec1170388096f7b26973ff82cd4c432ce459e4eafd13ed21f5846129b\n");
      Await.until(
          Duration.ofSeconds(30),
          () ->
              LogCommandTest.run(
                      "query", "SELECT count(*) AS n FROM vitals", "--format", "csv", "--url", url)
                  .out()
                  .equals("n\r\n6\r\n"),
          () -> "vitals not filled");
      LogCommandTest.Run table =
          LogCommandTest.run(
              "query",
              "SELECT patient_id, heart_rate FROM vitals WHERE heart_rate > 90 ORDER BY 1",
              "--url",
              url);
      assertThat(table.out())
          .isEqualTo(
              "patient_id | heart_rate\n"
                  + "-----------+-----------\n"
                  + "P006       |         95\n"
                  + "P011       |        101\n"
                  + "(2 rows)\n");
      LogCommandTest.Run tables = LogCommandTest.run("tables", "--url", url);
      assertThat(tables.out()).contains("vitals").contains("table");
      LogCommandTest.Run vitals = LogCommandTest.run("tables", "vitals", "--url", url);
      assertThat(vitals.out())
          .startsWith("table vitals: 6 rows in 1 files")
          .contains("  heart_rate                   BIGINT")
          .contains("schema history:");
      Path got = dir.resolve("processed.csv");
      LogCommandTest.Run get =
          LogCommandTest.run("get", "health/processed/v.csv", got.toString(), "--url", url);
      assertThat(get.exit()).as(get.err()).isZero();
      assertThat(Files.readString(got))
          .startsWith(
              "patient_id,timestamp,heart_rate,systolic_bp,diastolic_bp,temperature_c,spo2\r\n");

      // bad input: each named
      LogCommandTest.Run badKey =
          LogCommandTest.run(
              "put",
              EXAMPLE.resolve("vitals-2026-11-30.csv").toString(),
              "health/../x",
              "--url",
              url);
      assertThat(badKey.exit()).isEqualTo(1);
      assertThat(badKey.err()).contains("/key: expected no . or .. segment in a key");
      LogCommandTest.Run noFile =
          LogCommandTest.run(
              "put", dir.resolve("nope.csv").toString(), "health/x.csv", "--url", url);
      assertThat(noFile.exit()).isEqualTo(2);
      assertThat(noFile.err()).startsWith("sluice: FILE: no such file");
      LogCommandTest.Run noObject =
          LogCommandTest.run(
              "get", "health/raw/none.csv", dir.resolve("x").toString(), "--url", url);
      assertThat(noObject.exit()).isEqualTo(1);
      assertThat(noObject.err()).contains("NOT_FOUND");
      LogCommandTest.Run syntax = LogCommandTest.run("query", "SELECT 1 +", "--url", url);
      assertThat(syntax.exit()).isEqualTo(1);
      assertThat(syntax.err())
          .isEqualTo(
              "sluice: SqlError: Parser Error: syntax error at or near \"+\" (at line 1, column 10)\n"
                  + "  SELECT 1 +\n"
                  + "           ^\n");
      LogCommandTest.Run format =
          LogCommandTest.run("query", "SELECT 1", "--format", "xml", "--url", url);
      assertThat(format.exit()).isEqualTo(2);
      assertThat(format.err())
          .isEqualTo("sluice: --format: expected table, csv, json or ndjson, got \"xml\"\n");
      assertThat(LogCommandTest.run("tables", "nope", "--url", url).err())
          .isEqualTo(
              "sluice: NOT_FOUND: /table: no lake table named \"nope\" (tables: abnormal, validations, vitals)\n");
    }
  }
}

package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.server.SluiceKinds;
import io.sluice.server.SluiceServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sluice reports list and run against a real server. */
class ReportsCommandTest {

  @TempDir static Path dir;
  static SluiceServer server;
  static String url;

  @BeforeAll
  static void start() throws Exception {
    Files.writeString(
        dir.resolve("sluice.yaml"),
        """
        reports:
          - name: wards
            title: "Wards {{date}}"
            sections:
              - {title: Heart rate, sql: "SELECT * FROM (VALUES ('north', 71)) t(ward, hr)"}
            formats: [html, csv, json]
          - name: broken
            sections:
              - {title: Missing, sql: "SELECT x FROM no_such_table"}
        """);
    SluiceConfig c = ConfigLoader.load(dir.resolve("sluice.yaml"), SluiceKinds.forReading());
    server =
        SluiceServer.start(c.withServer(c.server().withPort(0)), SluiceServer.Options.DEFAULTS);
    url = server.url().toString();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void runPrintsTheRunWithItsKeys() {
    LogCommandTest.Run r = LogCommandTest.run("reports", "run", "--url", url, "wards");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"status\":\"ok\"").contains("/report.html\"");
    assertThat(r.out()).contains("/01-heart-rate.csv\"").contains("/report.json\"");

    LogCommandTest.Run list = LogCommandTest.run("reports", "list", "--url", url);
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out()).contains("\"name\":\"wards\"").contains("\"name\":\"broken\"");
  }

  @Test
  void aPartialReportExitsOneWithItsErrors() {
    LogCommandTest.Run r = LogCommandTest.run("reports", "run", "--url", url, "broken");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("\"status\":\"partial\"");
    assertThat(r.err()).startsWith("sluice: report broken is partial:\n  section \"Missing\": ");
  }

  @Test
  void anUnknownReportExitsOneAndNamesTheReports() {
    LogCommandTest.Run r = LogCommandTest.run("reports", "run", "--url", url, "nope");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("no report named \"nope\" (reports: wards, broken)");
  }
}

package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.Json;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.server.SluiceKinds;
import io.sluice.server.SluiceServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sluice alarms list against a real server with one alarm. */
class AlarmsCommandTest {

  @TempDir static Path dir;
  static SluiceServer server;
  static String url;

  @BeforeAll
  static void start() {
    SluiceConfig c =
        ConfigLoader.parse(
            """
            buses: [{name: default}]
            alarms:
              - {name: dead-letters, metric: sluice_target_dead_lettered_total, labels: {rule: r}, statistic: increase, period: 5m, threshold: {">": 0}}
            """,
            "test.yaml",
            dir,
            SluiceKinds.forReading());
    server =
        SluiceServer.start(
            c.withServer(c.server().withPort(0)).withDataDir(dir.resolve("data")),
            SluiceServer.Options.DEFAULTS);
    url = server.url().toString();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void listShowsEachAlarmWithItsStateAndCondition() {
    LogCommandTest.Run r = LogCommandTest.run("alarms", "list", "--url", url);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("dead-letters")
        .contains("INSUFFICIENT_DATA")
        .contains("increase(sluice_target_dead_lettered_total{rule=r}, 5m) > 0")
        .contains("default");
  }

  @Test
  void jsonIsWhatTheApiAnswers() throws Exception {
    LogCommandTest.Run r = LogCommandTest.run("alarms", "list", "--url", url, "--format", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    var alarm = Json.MAPPER.readTree(r.out()).path("alarms").path(0);
    assertThat(alarm.path("name").asText()).isEqualTo("dead-letters");
    assertThat(alarm.path("state").asText()).isEqualTo("INSUFFICIENT_DATA");
    assertThat(alarm.path("lastEvaluation").isNull()).isTrue();
  }

  @Test
  void aWrongFormatExitsTwo() {
    LogCommandTest.Run r = LogCommandTest.run("alarms", "list", "--url", url, "--format", "xml");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("--format: expected table or json, got \"xml\"");
  }
}

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

/** sluice schedules list and fire against a real server, with the README's schedule. */
class SchedulesCommandTest {

  @TempDir static Path dir;
  static SluiceServer server;
  static String url;

  @BeforeAll
  static void start() throws Exception {
    Files.writeString(
        dir.resolve("sluice.yaml"),
        """
        schedules:
          - name: daily-health
            cron: "0 7 * * *"
            timezone: Europe/Berlin
            detail: {report: daily}
          - name: every-15m
            rate: 15m
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
  void listShowsEachScheduleWithItsNextFire() {
    LogCommandTest.Run r = LogCommandTest.run("schedules", "list", "--url", url);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("name")
        .contains("next fire")
        .contains("daily-health")
        .contains("0 7 * * *")
        .contains("Europe/Berlin")
        .contains("every-15m")
        .contains("ENABLED");
    LogCommandTest.Run json =
        LogCommandTest.run("schedules", "list", "--url", url, "--format", "json");
    assertThat(json.exit()).isZero();
    assertThat(json.out()).startsWith("{\"schedules\":[{\"name\":\"daily-health\"");
  }

  @Test
  void firePutsTheEventOnTheBusAndPrintsItsId() {
    LogCommandTest.Run r = LogCommandTest.run("schedules", "fire", "--url", url, "daily-health");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).matches("fired daily-health: event [0-9a-f-]{36} at \\S+Z\n");
    String id = r.out().split(" ")[3];
    LogCommandTest.Run tail =
        LogCommandTest.run("tail", "--url", url, "--from", "earliest", "--bus", "default");
    assertThat(tail.out() + tail.err()).contains(id).contains("sluice.scheduler");
  }

  @Test
  void anUnknownScheduleExitsOneAndNamesTheConfiguredOnes() {
    LogCommandTest.Run r = LogCommandTest.run("schedules", "fire", "--url", url, "nope");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "sluice: NOT_FOUND: /schedule: no schedule named \"nope\" (schedules: daily-health,"
                + " every-15m)\n");
  }
}

package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /schedules and POST /schedules/{name}/fire on a real server, with their scopes. */
class SchedulesApiTest {

  @TempDir static Path dir;
  static ServerFixture s;

  static final String READ_KEY = "read-key-0123456789";
  static final String OPS_KEY = "ops-key-0123456789";

  @BeforeAll
  static void start() {
    s =
        ServerFixture.start(
            dir,
            "buses: [{name: default}, {name: ops}]\n"
                + "auth:\n"
                + "  keys:\n"
                + "    - {name: dash, sha256: "
                + ApiKeys.sha256Hex(READ_KEY)
                + ", scopes: [read]}\n"
                + "    - {name: ops, sha256: "
                + ApiKeys.sha256Hex(OPS_KEY)
                + ", scopes: [\"ingest:ops\", read]}\n"
                + "schedules:\n"
                + "  - {name: daily-health, cron: \"0 7 * * *\", timezone: Europe/Berlin, bus: ops,"
                + " detail: {report: daily}}\n"
                + "  - {name: paused, rate: 1h, enabled: false}\n");
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  @Test
  void listsEverySchedule() {
    ServerFixture.Response r = s.get("/schedules", "Authorization", "Bearer " + READ_KEY);
    assertThat(r.status()).isEqualTo(200);
    JsonNode d = r.json().path("schedules").get(0);
    assertThat(d.path("name").asText()).isEqualTo("daily-health");
    assertThat(d.path("expression").asText()).isEqualTo("0 7 * * *");
    assertThat(d.path("timezone").asText()).isEqualTo("Europe/Berlin");
    assertThat(d.path("bus").asText()).isEqualTo("ops");
    assertThat(d.path("state").asText()).isEqualTo("ENABLED");
    assertThat(d.path("nextSlot").asText()).matches("20\\d\\d-\\d\\d-\\d\\dT0[56]:00:00Z");
    assertThat(d.path("lastSlot").isNull()).isTrue();
    assertThat(r.json().path("schedules").get(1).path("state").asText()).isEqualTo("DISABLED");
  }

  @Test
  void firesNowWithTheIngestScopeOfTheSchedulesBus() {
    ServerFixture.Response denied =
        s.post(
            "/schedules/daily-health/fire",
            "application/json",
            "",
            "Authorization",
            "Bearer " + READ_KEY);
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.json().path("message").asText())
        .isEqualTo("/headers/Authorization: API key \"dash\" lacks the scope ingest:ops");
    ServerFixture.Response r =
        s.post(
            "/schedules/daily-health/fire",
            "application/json",
            "",
            "Authorization",
            "Bearer " + OPS_KEY);
    assertThat(r.status()).isEqualTo(200);
    String id = r.json().path("id").asText();
    JsonNode events =
        s.get("/buses/ops/events?from=earliest", "Authorization", "Bearer " + READ_KEY).json();
    JsonNode e = events.path("events").get(0).path("event");
    assertThat(e.path("id").asText()).isEqualTo(id);
    assertThat(e.path("source").asText()).isEqualTo("sluice.scheduler");
    assertThat(e.path("detail-type").asText()).isEqualTo("Scheduled Event");
    assertThat(e.path("detail").path("schedule").asText()).isEqualTo("daily-health");
    assertThat(e.path("detail").path("report").asText()).isEqualTo("daily");
    assertThat(e.path("detail").path("scheduledTime").asText())
        .isEqualTo(r.json().path("time").asText());
  }

  @Test
  void anUnknownScheduleIs404NamingTheConfiguredOnes() {
    ServerFixture.Response r =
        s.post(
            "/schedules/nope/fire", "application/json", "", "Authorization", "Bearer " + READ_KEY);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().path("code").asText()).isEqualTo("NOT_FOUND");
    assertThat(r.json().path("message").asText())
        .isEqualTo("/schedule: no schedule named \"nope\" (schedules: daily-health, paused)");
  }
}

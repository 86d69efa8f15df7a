package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperationsTest {

  @TempDir Path dir;

  @Test
  void healthAndMetricsReportIngestAndRejects() {
    try (ServerFixture s = ServerFixture.start(dir, "buses: [{name: orders}]")) {
      assertThat(s.get("/health/live").json().get("status").asText()).isEqualTo("UP");
      assertThat(s.get("/health/ready").json().get("buses").get(0).asText()).isEqualTo("orders");
      s.post(
          "/buses/orders/events",
          "application/json",
          "[{\"source\":\"s\",\"detail-type\":\"T\"},{\"source\":\"s\"}]");
      s.post("/buses/orders/events", "text/plain", "x");

      String metrics = s.get("/metrics").body();

      assertThat(metrics)
          .contains("sluice_ingest_events_total{bus=\"orders\",protocol=\"native\"} 1.0");
      assertThat(metrics)
          .contains(
              "sluice_ingest_rejected_total{bus=\"orders\",protocol=\"native\",reason=\"INVALID_EVENT\"} 1.0");
      assertThat(metrics)
          .contains(
              "sluice_ingest_rejected_total{bus=\"orders\",protocol=\"native\",reason=\"UNSUPPORTED_MEDIA_TYPE\"} 1.0");
      assertThat(metrics)
          .contains("sluice_ingest_request_seconds_count{protocol=\"native\",status=\"200\"} 1");
      assertThat(metrics).contains("sluice_bus_events{bus=\"orders\"} 1.0");
      assertThat(metrics).containsPattern("sluice_bus_size_bytes\\{bus=\"orders\"} [1-9]");
      assertThat(metrics).containsPattern("sluice_bus_fsyncs_total\\{bus=\"orders\"} [1-9]");
      assertThat(s.server.startupTime().toMillis()).isPositive();
    }
  }

  @Test
  void unknownRoutesAndMethodsGetTheJsonErrorShape() {
    try (ServerFixture s = ServerFixture.start(dir, "")) {
      ServerFixture.Response r = s.get("/nothing/here");
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.json().get("code").asText()).isEqualTo("NOT_FOUND");
      assertThat(r.json().get("message").asText()).isEqualTo("no route GET /nothing/here");
      assertThat(s.get("/buses/default/events?limit=0").json().get("message").asText())
          .isEqualTo("/limit: expected 1..1000, got 0");
      assertThat(s.get("/buses/default/events?limit=x").json().get("message").asText())
          .isEqualTo("/limit: expected an integer 1..1000, got \"x\"");
      assertThat(s.get("/buses/default/events?cursor=garbage").json().get("message").asText())
          .isEqualTo(
              "/cursor: expected a cursor token returned as \"next\" by an earlier read, got \"garbage\"");
      assertThat(s.get("/buses/default/events?from=noon").json().get("message").asText())
          .isEqualTo(
              "/from: expected an offset, earliest, latest or an ISO-8601 time like 2026-11-23T10:00:00Z, got \"noon\"");
      assertThat(s.get("/buses/nope/events").status()).isEqualTo(404);
    }
  }

  @Test
  void closeDrainsAndAcknowledgedEventsSurviveARestart() {
    ServerFixture s = ServerFixture.start(dir, "");
    String id =
        s.post(
                "/buses/default/events",
                "application/json",
                "{\"source\":\"s\",\"detail-type\":\"T\"}")
            .json()
            .get("entries")
            .get(0)
            .get("id")
            .asText();
    s.close();

    try (ServerFixture again = ServerFixture.start(dir, "")) {
      assertThat(
              again
                  .get("/buses/default/events")
                  .json()
                  .get("events")
                  .get(0)
                  .get("event")
                  .get("id")
                  .asText())
          .isEqualTo(id);
    }
  }
}

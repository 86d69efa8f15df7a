package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bus with {@code deduplicate} over HTTP: a producer's retry is answered, not stored again. */
class DeduplicateIngestTest {

  @TempDir Path dir;
  ServerFixture s;

  @BeforeEach
  void start() {
    s =
        ServerFixture.start(
            dir, "buses: [{name: alerts, partitions: 2, deduplicate: 1h}, {name: default}]");
  }

  @AfterEach
  void stop() {
    s.close();
  }

  static final String ORDER =
      "{\"id\":\"order-1\",\"source\":\"shop\",\"detail-type\":\"OrderPlaced\",\"detail\":{}}";

  @Test
  void theSameIdPostedTwiceGetsTheSameIdAndOffsetAndIsStoredOnce() {
    ServerFixture.Response first = s.post("/buses/alerts/events", "application/json", ORDER);
    ServerFixture.Response again =
        s.post(
            "/buses/alerts/events",
            "application/json",
            "{\"id\":\"order-1\",\"source\":\"shop\",\"detail-type\":\"OrderPlaced\","
                + "\"detail\":{\"retry\":true},\"partitionkey\":\"elsewhere\"}");

    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(again.status()).as(again.body()).isEqualTo(200);
    JsonNode entry = first.json().get("entries").get(0);
    assertThat(entry.get("id").asText()).isEqualTo("order-1");
    assertThat(again.json().get("entries").get(0)).isEqualTo(entry);

    JsonNode events = s.get("/buses/alerts/events?from=earliest&limit=10").json().get("events");
    assertThat(events).hasSize(1);
    assertThat(events.get(0).get("event").get("id").asText()).isEqualTo("order-1");
    assertThat(events.get(0).get("event").get("detail").has("retry")).isFalse();
    assertThat(events.get(0).get("partition")).isEqualTo(entry.get("partition"));
    assertThat(events.get(0).get("offset")).isEqualTo(entry.get("offset"));
    assertThat(s.get("/metrics").body())
        .contains("sluice_bus_duplicates_total{bus=\"alerts\"} 1.0")
        .contains("sluice_bus_dedup_ids{bus=\"alerts\"} 1.0");
  }

  @Test
  void aBatchAndACloudEventsRetryAreDeduplicatedByTheirIds() {
    ServerFixture.Response batch =
        s.post("/buses/alerts/events", "application/json", "[" + ORDER + "," + ORDER + "]");
    assertThat(batch.status()).as(batch.body()).isEqualTo(200);
    JsonNode entries = batch.json().get("entries");
    assertThat(entries.get(1)).isEqualTo(entries.get(0));

    String[] ce = {
      "ce-specversion", "1.0", "ce-id", "r-1", "ce-source", "/sensors/4", "ce-type", "Reading"
    };
    ServerFixture.Response one = s.post("/buses/alerts/events", "application/json", "{}", ce);
    ServerFixture.Response two = s.post("/buses/alerts/events", "application/json", "{}", ce);
    assertThat(one.status()).as(one.body()).isEqualTo(200);
    assertThat(two.json().get("entries").get(0)).isEqualTo(one.json().get("entries").get(0));
    assertThat(one.json().get("entries").get(0).get("id").asText()).isEqualTo("r-1");

    assertThat(s.get("/buses/alerts").json().get("events").asLong()).isEqualTo(2);
    // another bus keeps every copy
    s.post("/buses/default/events", "application/json", ORDER);
    s.post("/buses/default/events", "application/json", ORDER);
    assertThat(s.get("/buses/default").json().get("events").asLong()).isEqualTo(2);
    assertThat(s.get("/metrics").body())
        .contains("sluice_bus_duplicates_total{bus=\"alerts\"} 2.0")
        .doesNotContain("sluice_bus_duplicates_total{bus=\"default\"}");
  }

  @Test
  void theBusListingShowsTheWindow() {
    JsonNode buses = s.get("/buses").json().get("buses");
    assertThat(buses.get(0).get("name").asText()).isEqualTo("alerts");
    assertThat(buses.get(0).get("deduplicate").asText()).isEqualTo("1h");
    assertThat(buses.get(1).get("deduplicate").isNull()).isTrue();
  }
}

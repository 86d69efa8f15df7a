package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeIngestTest {

  @TempDir Path dir;
  ServerFixture s;

  @BeforeEach
  void start() {
    s = ServerFixture.start(dir, "buses: [{name: orders, partitions: 4}, {name: default}]");
  }

  @AfterEach
  void stop() {
    s.close();
  }

  @Test
  void oneEventIsStoredWithAnAssignedIdAndTimeAndReadBack() {
    ServerFixture.Response r =
        s.post(
            "/buses/orders/events",
            "application/json",
            "{\"source\":\"shop\",\"detail-type\":\"OrderPlaced\",\"detail\":{\"amount\":12}}");

    assertThat(r.status()).isEqualTo(200);
    JsonNode entry = r.json().get("entries").get(0);
    String id = entry.get("id").asText();
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(entry.get("partition").asInt()).isBetween(0, 3);
    assertThat(entry.get("offset").asLong()).isZero();

    JsonNode read = s.get("/buses/orders/events?from=earliest&limit=10").json();
    JsonNode e = read.get("events").get(0);
    assertThat(e.get("partition").asInt()).isEqualTo(entry.get("partition").asInt());
    assertThat(e.get("offset").asLong()).isZero();
    assertThat(e.get("event").get("id").asText()).isEqualTo(id);
    assertThat(e.get("event").get("detail").get("amount").asInt()).isEqualTo(12);
    assertThat(Instant.parse(e.get("event").get("time").asText()))
        .isBefore(Instant.now().plusSeconds(1));
    assertThat(read.get("next").asText()).isNotEmpty();
  }

  @Test
  void arrayBodyHasPerEntryResultsInRequestOrder() {
    ServerFixture.Response r =
        s.post(
            "/buses/orders/events",
            "application/json",
            "[{\"source\":\"a\",\"detail-type\":\"T\",\"id\":\"first\"},{\"source\":\"a\"},{\"source\":\"b\",\"detail-type\":\"T\",\"id\":\"third\"}]");

    assertThat(r.status()).isEqualTo(200);
    JsonNode entries = r.json().get("entries");
    assertThat(entries).hasSize(3);
    assertThat(entries.get(0).get("id").asText()).isEqualTo("first");
    assertThat(entries.get(1).get("error").get("code").asText()).isEqualTo("INVALID_EVENT");
    assertThat(entries.get(1).get("error").get("message").asText())
        .isEqualTo("/1/detail-type: is required: a non-empty string");
    assertThat(entries.get(1).get("error").get("problems").get(0).get("path").asText())
        .isEqualTo("/1/detail-type");
    assertThat(entries.get(2).get("id").asText()).isEqualTo("third");
    assertThat(s.get("/buses/orders/events?limit=100").json().get("events")).hasSize(2);
  }

  @Test
  void ndjsonLinesAreEntriesAndABadLineFailsOnlyItself() {
    String body =
        "{\"source\":\"a\",\"detail-type\":\"T\"}\r\n\n{\"source\":\"a\",\"detail-type\":\n{\"source\":\"c\",\"detail-type\":\"T\"}\n";

    ServerFixture.Response r = s.post("/buses/orders/events", "application/x-ndjson", body);

    JsonNode entries = r.json().get("entries");
    assertThat(r.status()).isEqualTo(200);
    assertThat(entries).hasSize(3);
    assertThat(entries.get(0).has("id")).isTrue();
    assertThat(entries.get(1).get("error").get("code").asText()).isEqualTo("MALFORMED_JSON");
    assertThat(entries.get(1).get("error").get("message").asText())
        .isEqualTo(
            "/1: malformed JSON at line 1, column 29: Unexpected end-of-input within/between Object entries");
    assertThat(entries.get(2).has("id")).isTrue();
  }

  @Test
  void eventsWithTheSameGroupKeyShareAPartitionInOrder() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < 40; i++) {
      b.append(i == 0 ? "" : ",")
          .append("{\"source\":\"s\",\"detail-type\":\"T\",\"partitionkey\":\"customer-")
          .append(i % 3)
          .append("\",\"detail\":{\"n\":")
          .append(i)
          .append("}}");
    }
    JsonNode entries =
        s.post("/buses/orders/events", "application/json", b.append("]").toString())
            .json()
            .get("entries");

    for (int k = 0; k < 3; k++) {
      Set<Integer> partitions = new HashSet<>();
      long last = -1;
      for (int i = k; i < 40; i += 3) {
        partitions.add(entries.get(i).get("partition").asInt());
        long offset = entries.get(i).get("offset").asLong();
        assertThat(offset).isGreaterThan(last);
        last = offset;
      }
      assertThat(partitions).as("group customer-%d", k).hasSize(1);
    }
  }

  @Test
  void unkeyedEventsOfARequestShareAPartitionAndRequestsSpreadOverAll() {
    JsonNode batch =
        s.post(
                "/buses/orders/events",
                "application/json",
                "[{\"source\":\"s\",\"detail-type\":\"T\"},{\"source\":\"s\",\"detail-type\":\"T\"}]")
            .json()
            .get("entries");
    assertThat(batch.get(1).get("partition").asInt())
        .isEqualTo(batch.get(0).get("partition").asInt());

    Set<Integer> partitions = new HashSet<>();
    for (int i = 0; i < 8; i++) {
      partitions.add(
          s.post(
                  "/buses/orders/events",
                  "application/json",
                  "{\"source\":\"s\",\"detail-type\":\"T\"}")
              .json()
              .get("entries")
              .get(0)
              .get("partition")
              .asInt());
    }
    assertThat(partitions).containsExactlyInAnyOrder(0, 1, 2, 3);
  }

  @Test
  void readPagesWithTheCursorUntilEmptyAndFromATime() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < 25; i++) {
      b.append(i == 0 ? "" : ",")
          .append("{\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{\"n\":")
          .append(i)
          .append("}}");
    }
    s.post("/buses/orders/events", "application/json", b.append("]").toString());

    Set<Integer> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    while (true) {
      JsonNode page =
          s.get("/buses/orders/events?limit=10" + (cursor == null ? "" : "&cursor=" + cursor))
              .json();
      if (page.get("events").isEmpty()) {
        break;
      }
      page.get("events")
          .forEach(
              e -> assertThat(seen.add(e.get("event").get("detail").get("n").asInt())).isTrue());
      cursor = page.get("next").asText();
      pages++;
    }
    assertThat(seen).hasSize(25);
    assertThat(pages).isEqualTo(3);
    assertThat(s.get("/buses/orders/events?from=2999-01-01T00:00:00Z").json().get("events"))
        .isEmpty();
    assertThat(s.get("/buses/orders/events?from=latest").json().get("events")).isEmpty();
    assertThat(
            s.get("/buses/orders/events?from=2000-01-01T00:00:00Z&limit=1000").json().get("events"))
        .hasSize(25);
    s.post(
        "/buses/orders/events", "application/json", "{\"source\":\"s\",\"detail-type\":\"Later\"}");
    assertThat(
            s.get("/buses/orders/events?cursor=" + cursor)
                .json()
                .get("events")
                .get(0)
                .get("event")
                .get("detail-type")
                .asText())
        .isEqualTo("Later");
  }
}

package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /buses}: every bus with its config and its partitions' offsets and sizes. */
class BusesApiTest {

  @TempDir Path dir;

  static final String YAML =
      "buses:\n"
          + "  - {name: default}\n"
          + "  - {name: orders, partitions: 2, retention: 36h, retentionBytes: 1GB,"
          + " fsync: interval, fsyncInterval: 500ms}\n";

  @Test
  void everyBusIsListedWithItsPartitionsOffsetsSizesAndConfigAsWritten() {
    try (ServerFixture s = ServerFixture.start(dir, YAML)) {
      s.sendNumbered(0, 3);
      for (int i = 0; i < 4; i++) {
        assertThat(
                s.post(
                        "/buses/orders/events",
                        "application/json",
                        "{\"source\":\"s\",\"detail-type\":\"t\",\"detail\":{},\"partitionkey\":\"k"
                            + (i % 2)
                            + "\"}")
                    .status())
            .isEqualTo(200);
      }
      ServerFixture.Response r = s.get("/buses");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      JsonNode buses = r.json().get("buses");
      assertThat(buses).hasSize(2);

      JsonNode d = buses.get(0);
      assertThat(d.get("name").asText()).isEqualTo("default");
      assertThat(d.get("events").asLong()).isEqualTo(3);
      assertThat(d.get("retention").asText()).isEqualTo("7d");
      assertThat(d.get("retentionBytes").isNull()).isTrue();
      assertThat(d.get("fsync").asText()).isEqualTo("always");
      assertThat(d.get("fsyncInterval").isNull()).isTrue();
      assertThat(d.get("partitions")).hasSize(1);
      JsonNode p0 = d.get("partitions").get(0);
      assertThat(p0.get("partition").asInt()).isZero();
      assertThat(p0.get("startOffset").asLong()).isZero();
      assertThat(p0.get("endOffset").asLong()).isEqualTo(3);
      assertThat(p0.get("segments").asInt()).isEqualTo(1);
      assertThat(p0.get("sizeBytes").asLong()).isPositive().isEqualTo(d.get("sizeBytes").asLong());

      JsonNode o = buses.get(1);
      assertThat(o.get("name").asText()).isEqualTo("orders");
      assertThat(o.get("retention").asText()).isEqualTo("36h");
      assertThat(o.get("retentionBytes").asText()).isEqualTo("1GB");
      assertThat(o.get("fsync").asText()).isEqualTo("interval");
      assertThat(o.get("fsyncInterval").asText()).isEqualTo("500ms");
      assertThat(o.get("events").asLong()).isEqualTo(4);
      long sum = 0;
      long events = 0;
      for (JsonNode p : o.get("partitions")) {
        sum += p.get("sizeBytes").asLong();
        events += p.get("endOffset").asLong() - p.get("startOffset").asLong();
      }
      assertThat(o.get("partitions")).hasSize(2);
      assertThat(events).isEqualTo(4);
      assertThat(sum).isEqualTo(o.get("sizeBytes").asLong());

      ServerFixture.Response one = s.get("/buses/orders");
      assertThat(one.status()).isEqualTo(200);
      assertThat(one.json().get("name").asText()).isEqualTo("orders");
      assertThat(one.json().get("partitions")).hasSize(2);

      ServerFixture.Response none = s.get("/buses/nope");
      assertThat(none.status()).isEqualTo(404);
      assertThat(none.json().get("code").asText()).isEqualTo("NOT_FOUND");
      assertThat(none.json().get("message").asText()).isEqualTo("/bus: no bus named \"nope\"");
    }
  }

  @Test
  void listingBusesNeedsTheReadScope() {
    String ingest = ApiKeys.newKey();
    String read = ApiKeys.newKey();
    String yaml =
        "buses: [{name: orders}]\nauth:\n  keys:\n"
            + "    - {name: shop, sha256: "
            + ApiKeys.sha256Hex(ingest)
            + ", scopes: [\"ingest:orders\"]}\n"
            + "    - {name: dash, sha256: "
            + ApiKeys.sha256Hex(read)
            + ", scopes: [read]}\n";
    try (ServerFixture s = ServerFixture.start(dir, yaml)) {
      ServerFixture.Response anonymous = s.get("/buses");
      assertThat(anonymous.status()).isEqualTo(401);
      assertThat(anonymous.json().get("message").asText())
          .isEqualTo("/headers/Authorization: missing API key: send Authorization: Bearer <key>");
      ServerFixture.Response shop = s.get("/buses", "Authorization", "Bearer " + ingest);
      assertThat(shop.status()).isEqualTo(403);
      assertThat(shop.json().get("message").asText())
          .isEqualTo("/headers/Authorization: API key \"shop\" lacks the scope read");
      assertThat(s.get("/buses/orders", "Authorization", "Bearer " + ingest).status())
          .isEqualTo(403);
      ServerFixture.Response dash = s.get("/buses", "Authorization", "Bearer " + read);
      assertThat(dash.status()).isEqualTo(200);
      assertThat(dash.json().get("buses").get(0).get("name").asText()).isEqualTo("orders");
    }
  }
}

package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.server.ApiKeys;
import io.sluice.server.SluiceKinds;
import io.sluice.server.SluiceServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sluice buses against a real server on a random port. */
class BusesCommandTest {

  @TempDir Path dir;
  SluiceServer server;
  String url;

  void start(String yaml) {
    SluiceConfig c = ConfigLoader.parse(yaml, "t.yaml", dir, SluiceKinds.forReading());
    server =
        SluiceServer.start(
            c.withServer(c.server().withPort(0)).withDataDir(dir.resolve("data")),
            SluiceServer.Options.DEFAULTS);
    url = server.url().toString();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  static final String YAML =
      "buses:\n"
          + "  - {name: default}\n"
          + "  - {name: orders, partitions: 2, retention: 12h, retentionBytes: 10GB,"
          + " fsync: interval, fsyncInterval: 2s}\n";

  void send(String bus, int n) {
    for (int i = 0; i < n; i++) {
      LogCommandTest.Run r =
          LogCommandTest.run(
              "send", "--url", url, "--bus", bus, "--source", "s", "--type", "T", "{\"n\":1}");
      assertThat(r.exit()).as(r.err()).isZero();
    }
  }

  @Test
  void aTableHasOneLinePerPartitionWithOffsetsSizesRetentionAndFsync() throws Exception {
    start(YAML);
    send("default", 3);
    send("orders", 4); // one request each: they go to the partitions in turn
    JsonNode api =
        Json.MAPPER.readTree(LogCommandTest.run("buses", "--url", url, "--format", "json").out());
    long d0 = bytes(api, 0, 0);
    long o0 = bytes(api, 1, 0);
    long o1 = bytes(api, 1, 1);
    assertThat(List.of(d0, o0, o1)).allMatch(b -> b > 0);
    int w = Math.max(5, Long.toString(Math.max(d0, Math.max(o0, o1))).length());

    LogCommandTest.Run r = LogCommandTest.run("buses", "--url", url);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "bus     | partition | start | end | events | "
                + pad("bytes", w, false)
                + " | retention | fsync\n"
                + "--------+-----------+-------+-----+--------+-"
                + "-".repeat(w)
                + "-+-----------+------------\n"
                + "default |         0 |     0 |   3 |      3 | "
                + pad(Long.toString(d0), w, true)
                + " | 7d        | always\n"
                + "orders  |         0 |     0 |   2 |      2 | "
                + pad(Long.toString(o0), w, true)
                + " | 12h, 10GB | interval 2s\n"
                + "orders  |         1 |     0 |   2 |      2 | "
                + pad(Long.toString(o1), w, true)
                + " | 12h, 10GB | interval 2s\n"
                + "(3 partitions)\n");

    LogCommandTest.Run one = LogCommandTest.run("buses", "--url", url, "orders");
    assertThat(one.out().lines().toList()).hasSize(5).last().isEqualTo("(2 partitions)");
    assertThat(one.out()).doesNotContain("default");

    LogCommandTest.Run json =
        LogCommandTest.run("buses", "--url", url, "orders", "--format", "json");
    JsonNode orders = Json.MAPPER.readTree(json.out());
    assertThat(orders.get("name").asText()).isEqualTo("orders");
    assertThat(orders.get("retention").asText()).isEqualTo("12h");
    assertThat(orders.get("fsyncInterval").asText()).isEqualTo("2s");
  }

  @Test
  void aBusWithADeduplicateWindowAddsAColumnForIt() throws Exception {
    start("buses:\n  - {name: default}\n  - {name: alerts, deduplicate: 1h}\n");
    LogCommandTest.Run r = LogCommandTest.run("buses", "--url", url);
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(5);
    assertThat(lines.get(0)).endsWith(" | retention | fsync  | deduplicate");
    assertThat(lines.get(2)).startsWith("default ").endsWith(" | 7d        | always | off");
    assertThat(lines.get(3)).startsWith("alerts ").endsWith(" | 7d        | always | 1h");

    JsonNode alerts =
        Json.MAPPER.readTree(
            LogCommandTest.run("buses", "--url", url, "alerts", "--format", "json").out());
    assertThat(alerts.get("deduplicate").asText()).isEqualTo("1h");
  }

  static long bytes(JsonNode api, int bus, int partition) {
    return api.get("buses").get(bus).get("partitions").get(partition).get("sizeBytes").asLong();
  }

  static String pad(String s, int w, boolean right) {
    String fill = " ".repeat(w - s.length());
    return right ? fill + s : s + fill;
  }

  @Test
  void badInputIsRefusedWithTheWholeMessageAndTheDocumentedExitCode() {
    String ingest = ApiKeys.newKey();
    start(
        "buses: [{name: orders}]\nauth:\n  keys:\n    - {name: shop, sha256: "
            + ApiKeys.sha256Hex(ingest)
            + ", scopes: [\"ingest:orders\"]}\n");
    LogCommandTest.Run forbidden = LogCommandTest.run("buses", "--url", url, "--api-key", ingest);
    assertThat(forbidden.exit()).isEqualTo(1);
    assertThat(forbidden.err())
        .isEqualTo(
            "sluice: FORBIDDEN: /headers/Authorization: API key \"shop\" lacks the scope read\n");
    server.close();
    server = null;

    start(YAML);
    LogCommandTest.Run unknown = LogCommandTest.run("buses", "--url", url, "nope");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).isEqualTo("sluice: NOT_FOUND: /bus: no bus named \"nope\"\n");
    LogCommandTest.Run format = LogCommandTest.run("buses", "--url", url, "--format", "csv");
    assertThat(format.exit()).isEqualTo(2);
    assertThat(format.err()).isEqualTo("sluice: --format: expected table or json, got \"csv\"\n");
    LogCommandTest.Run extra = LogCommandTest.run("buses", "--url", url, "a", "b");
    assertThat(extra.exit()).isEqualTo(2);
    assertThat(extra.err()).startsWith("Unmatched argument at index 4: 'b'\n");
  }
}

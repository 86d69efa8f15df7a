package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bit rot inside a segment after a clean shutdown: reads go around the damaged batch and name it
 * (bus, partition, offsets), /health reports it, and /metrics counts it; nothing answers 500.
 */
class CorruptLogTest {

  @TempDir Path dir;

  static final String YAML = "buses: [{name: default}]\n";

  /** Byte positions of the batches of a segment. */
  static List<Long> batches(Path segment) throws Exception {
    byte[] all = Files.readAllBytes(segment);
    ByteBuffer b = ByteBuffer.wrap(all);
    List<Long> out = new ArrayList<>();
    long pos = 0;
    while (pos < all.length) {
      out.add(pos);
      pos += 4 + b.getInt((int) pos);
    }
    return out;
  }

  @Test
  void readsGoAroundADamagedBatchAndSayWhere() throws Exception {
    try (ServerFixture s = ServerFixture.start(dir, YAML)) {
      for (int i = 0; i < 10; i++) {
        s.post(
            "/buses/default/events",
            "application/json",
            "{\"id\":\"e" + i + "\",\"source\":\"s\",\"detail-type\":\"t\",\"detail\":{}}");
      }
    }
    Path segment = dir.resolve("data/log/default/0/00000000000000000000.log");
    long at = batches(segment).get(4) + 40; // inside the event of batch 4
    try (FileChannel ch =
        FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, at);
      one.put(0, (byte) (one.get(0) ^ 0x20)).rewind();
      ch.write(one, at);
    }
    try (ServerFixture s = ServerFixture.start(dir, YAML)) {
      ServerFixture.Response r = s.get("/buses/default/events?from=earliest&limit=100");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      JsonNode page = r.json();
      List<String> ids = new ArrayList<>();
      page.get("events").forEach(e -> ids.add(e.get("event").get("id").asText()));
      assertThat(ids).containsExactly("e0", "e1", "e2", "e3", "e5", "e6", "e7", "e8", "e9");
      JsonNode corrupt = page.get("corrupt").get(0);
      assertThat(corrupt.get("partition").asInt()).isZero();
      assertThat(corrupt.get("fromOffset").asLong()).isEqualTo(4);
      assertThat(corrupt.get("toOffset").asLong()).isEqualTo(5);
      assertThat(corrupt.get("message").asText())
          .startsWith("log default partition 0: offsets 4..4 (1 record) in a damaged batch at byte")
          .contains("CRC32C mismatch");
      // a page that starts at the damage goes past it
      ServerFixture.Response at4 = s.get("/buses/default/events?from=4&limit=1");
      assertThat(at4.json().get("events").get(0).get("event").get("id").asText()).isEqualTo("e5");
      JsonNode health = s.get("/health").json();
      assertThat(health.get("status").asText()).isEqualTo("DEGRADED");
      assertThat(health.get("incidents").get(0).get("kind").asText()).isEqualTo("corrupt-batch");
      assertThat(s.get("/metrics").body()).contains("sluice_log_corrupt_batches 1.0");
    }
  }
}

package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.testkit.Await;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File validation in the packaged server with a 256 MiB heap: a CSV is validated into a lake table
 * while the server is killed with SIGKILL mid-file; after the restart the file is validated again
 * and every valid row is in the table exactly once. Then a 1 GiB CSV goes through the same 256 MiB
 * heap: memory stays bounded whatever the file size.
 */
class ValidationKillNineIT {

  @TempDir Path dir;
  PackagedServer packaged;
  HttpClient http;

  @org.junit.jupiter.api.BeforeEach
  void setUp() {
    packaged = new PackagedServer(dir, "256m");
    http = packaged.http;
  }

  @Test
  void aKilledValidationIsRedoneWithoutDuplicatesAndOneGigabyteFitsInASmallHeap() throws Exception {
    int port = PackagedServer.freePort();
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        "server: {port: "
            + port
            + "}\nstorage: {dir: data}\nobjects: {maxObjectBytes: 4GB}\nrules:\n"
            + "  - name: v\n    pattern: {source: [sluice.objects], detail-type: [Object Created],"
            + " detail: {object: {key: [{prefix: raw/}]}}}\n    targets:\n"
            + "      - id: small\n        retry: {initialBackoff: 100ms, maxBackoff: 1s}\n"
            + "        validate:\n          table: vitals\n          schema:\n            columns:\n"
            + "              - {name: patient_id, type: string, required: true}\n"
            + "              - {name: timestamp, type: timestamp, required: true}\n"
            + "              - {name: heart_rate, type: integer, required: true, min: 30, max: 220}\n"
            + "              - {name: spo2, type: integer, required: true, min: 50, max: 100}\n");
    URI base = URI.create("http://127.0.0.1:" + port);

    Path small = dir.resolve("small.csv");
    long smallRows = generate(small, 40L << 20, 1);
    Process server = packaged.start("run", config.toString());
    try {
      packaged.awaitReady(base, server);
      put(base, "/objects/health/raw/small.csv", small);
      // kill once the first of the file's lake commits is visible: mid-file, by construction
      Await.until(
          Duration.ofSeconds(60),
          () -> {
            try {
              return packaged
                      .query(base, "SELECT count(*) FROM vitals")
                      .get("rows")
                      .get(0)
                      .get(0)
                      .asLong()
                  > 0;
            } catch (Exception | AssertionError e) {
              return false;
            }
          },
          () -> "no rows in vitals yet");
      server.destroyForcibly();
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(manifest(base, "small.csv")).isNull();
    } finally {
      server.destroyForcibly();
    }
    server = packaged.start("run", config.toString());
    try {
      packaged.awaitReady(base, server);
      Await.until(
          Duration.ofSeconds(120),
          () -> manifest(base, "small.csv") != null,
          () -> "no manifest for small.csv after the restart");
      JsonNode m = manifest(base, "small.csv");
      assertThat(m.get("rowsTotal").asLong()).isEqualTo(smallRows);
      long valid = m.get("rowsValid").asLong();
      assertThat(valid).isGreaterThan(smallRows * 9 / 10);
      JsonNode counts =
          packaged
              .query(base, "SELECT count(*), count(DISTINCT id) FROM vitals")
              .get("rows")
              .get(0);
      assertThat(counts.get(0).asLong()).as("rows in the lake table").isEqualTo(valid);
      assertThat(counts.get(1).asLong()).as("distinct rows").isEqualTo(valid);
      assertThat(Files.readString(dir.resolve("server.log")))
          .contains("are already in lake table vitals") // the re-run skipped committed rows
          .doesNotContain("OutOfMemoryError");
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }

    // 1 GiB through the same 256 MiB heap (no lake table: the validation alone)
    Files.writeString(
        config,
        Files.readString(config)
            .replace("        validate:\n          table: vitals\n", "        validate:\n"));
    Path big = dir.resolve("big.csv");
    long bigRows = generate(big, 1L << 30, 2);
    server = packaged.start("run", config.toString());
    try {
      packaged.awaitReady(base, server);
      put(base, "/objects/health/raw/big.csv", big);
      Await.until(
          Duration.ofSeconds(300),
          () -> manifest(base, "big.csv") != null,
          () -> "no manifest for big.csv");
      assertThat(manifest(base, "big.csv").get("rowsTotal").asLong()).isEqualTo(bigRows);
      assertThat(server.isAlive()).isTrue();
      assertThat(Files.readString(dir.resolve("server.log"))).doesNotContain("OutOfMemoryError");
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
      Files.deleteIfExists(big);
    }
  }

  static long generate(Path csv, long bytes, long seed) throws IOException {
    Random r = new Random(seed);
    long rows = 0;
    long written = 0;
    try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      w.write("patient_id,timestamp,heart_rate,spo2\n");
      StringBuilder b = new StringBuilder(64);
      while (written < bytes) {
        b.setLength(0);
        b.append('P')
            .append(rows)
            .append(",2026-11-30T")
            .append(10 + r.nextInt(14))
            .append(':')
            .append(10 + r.nextInt(50))
            .append(":00Z,")
            .append(r.nextInt(100) < 3 ? 250 : 50 + r.nextInt(100))
            .append(',')
            .append(85 + r.nextInt(16))
            .append('\n');
        w.append(b);
        written += b.length();
        rows++;
      }
    }
    return rows;
  }

  private void put(URI base, String path, Path file) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve(path))
                .PUT(HttpRequest.BodyPublishers.ofFile(file))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private JsonNode manifest(URI base, String name) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(base.resolve("/objects/health/manifests/" + name + ".json"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : null;
    } catch (IOException | InterruptedException e) {
      return null;
    }
  }
}

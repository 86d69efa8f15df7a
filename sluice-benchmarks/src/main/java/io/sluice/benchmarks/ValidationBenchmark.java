package io.sluice.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.server.SluiceKinds;
import io.sluice.server.SluiceServer;
import java.io.BufferedWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.Random;

/**
 * Validated rows/s and peak heap for a large health-data CSV (the health-monitoring example's
 * schema, about 3 % invalid rows), uploaded through {@code PUT /objects} to a real server; beside
 * DuckDB's own {@code read_csv} of the same file with the same column types, in the same run.
 *
 * <p>{@code BENCH_JAVA_OPTS=-Xmx512m ./sluice-benchmarks/run.sh ValidationBenchmark --mb 1024}
 */
public final class ValidationBenchmark {

  private ValidationBenchmark() {}

  static final String YAML =
      """
      buses: [{name: default}]
      objects: {bus: default, maxObjectBytes: 8GB}
      rules:
        - name: validate
          bus: default
          pattern: {source: [sluice.objects], detail-type: [Object Created], detail: {object: {key: [{prefix: raw/}]}}}
          targets:
            - id: v
              timeout: 15m
              validate:
                format: csv
                schema:
                  columns:
                    - {name: patient_id, type: string, required: true, min: 1, max: 64}
                    - {name: timestamp, type: timestamp, required: true}
                    - {name: heart_rate, type: integer, required: true, min: 30, max: 220}
                    - {name: systolic_bp, type: integer, required: true, min: 70, max: 250}
                    - {name: diastolic_bp, type: integer, required: true, min: 40, max: 150}
                    - {name: temperature_c, type: number, required: true, min: 34, max: 42}
                    - {name: spo2, type: integer, required: true, min: 50, max: 100}
      """;

  public static void main(String[] args) throws Exception {
    Map<String, String> a = Args.parse(args);
    long mb = Long.parseLong(a.getOrDefault("mb", "1024"));
    Path work = Path.of(a.getOrDefault("dir", "target/bench-validation")).toAbsolutePath();
    LakeBenchmark.deleteTree(work);
    Files.createDirectories(work);
    System.out.println("# ValidationBenchmark --mb " + mb);
    System.out.println("# " + Machine.describe());
    Path csv = work.resolve("vitals.csv");
    long rows = generate(csv, mb << 20);
    System.out.printf("# %s: %,d bytes, %,d rows%n", csv.getFileName(), Files.size(csv), rows);

    SluiceConfig c =
        ConfigLoader.parse(YAML, "bench.yaml", work, SluiceKinds.forReading())
            .withDataDir(work.resolve("data"));
    c = c.withServer(c.server().withPort(0));
    long peakHeap;
    JsonNode manifest;
    double seconds;
    try (SluiceServer server = SluiceServer.start(c, SluiceServer.Options.DEFAULTS);
        HttpClient http = HttpClient.newHttpClient()) {
      var put =
          http.send(
              HttpRequest.newBuilder(server.url().resolve("/objects/health/raw/vitals.csv"))
                  .PUT(HttpRequest.BodyPublishers.ofFile(csv))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (put.statusCode() != 200) {
        throw new IllegalStateException("upload: " + put.statusCode() + " " + put.body());
      }
      System.gc();
      resetPeaks();
      long t0 = System.nanoTime();
      manifest = null;
      while (manifest == null) {
        Thread.sleep(100);
        var m =
            http.send(
                HttpRequest.newBuilder(
                        server.url().resolve("/objects/health/manifests/vitals.csv.json"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (m.statusCode() == 200) {
          manifest = Json.MAPPER.readTree(m.body());
        }
      }
      seconds = manifest.get("durationMs").asLong() / 1000.0;
      peakHeap = peakHeap();
      System.out.printf("# waited %.1f s for the manifest%n", (System.nanoTime() - t0) / 1e9);
    }
    double duck;
    long duckRows;
    try (Connection conn = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = conn.createStatement()) {
      st.execute("SET threads = 1");
      long t0 = System.nanoTime();
      try (ResultSet rs =
          st.executeQuery(
              "SELECT count(*) FILTER (WHERE heart_rate BETWEEN 30 AND 220 AND systolic_bp BETWEEN"
                  + " 70 AND 250 AND diastolic_bp BETWEEN 40 AND 150 AND temperature_c BETWEEN 34"
                  + " AND 42 AND spo2 BETWEEN 50 AND 100) FROM read_csv('"
                  + csv
                  + "', header = true, ignore_errors = true, columns = {'patient_id': 'VARCHAR',"
                  + " 'timestamp': 'TIMESTAMPTZ', 'heart_rate': 'BIGINT', 'systolic_bp': 'BIGINT',"
                  + " 'diastolic_bp': 'BIGINT', 'temperature_c': 'DOUBLE', 'spo2': 'BIGINT'})")) {
        rs.next();
        duckRows = rs.getLong(1);
      }
      duck = (System.nanoTime() - t0) / 1e9;
    }
    long total = manifest.get("rowsTotal").asLong();
    System.out.println();
    System.out.println(
        "| reader | rows | valid | seconds | rows/s | MB/s | peak heap MiB | ratio vs DuckDB |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    double size = Files.size(csv) / 1048576.0;
    System.out.printf(
        "| Sluice validate (csv → processed/ + rejected/) | %,d | %,d | %.1f | %,.0f | %.0f | %d | %.2f× |%n",
        total,
        manifest.get("rowsValid").asLong(),
        seconds,
        total / seconds,
        size / seconds,
        peakHeap >> 20,
        duck / seconds);
    System.out.printf(
        "| DuckDB read_csv, 1 thread (typed, range filter) | %,d | %,d | %.1f | %,.0f | %.0f | — | 1.00× |%n",
        rows, duckRows, duck, rows / duck, size / duck);
    LakeBenchmark.deleteTree(work);
  }

  static long generate(Path csv, long bytes) throws Exception {
    Random r = new Random(42);
    long rows = 0;
    long written = 0;
    try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      String header =
          "patient_id,timestamp,heart_rate,systolic_bp,diastolic_bp,temperature_c,spo2\n";
      w.write(header);
      written += header.length();
      StringBuilder b = new StringBuilder(128);
      while (written < bytes) {
        b.setLength(0);
        int hr = r.nextInt(100) < 3 ? 250 : 50 + r.nextInt(100);
        b.append('P')
            .append(100000 + r.nextInt(900000))
            .append(',')
            .append("2026-11-")
            .append(10 + r.nextInt(20))
            .append('T')
            .append(10 + r.nextInt(14))
            .append(':')
            .append(10 + r.nextInt(50))
            .append(":00Z,")
            .append(hr)
            .append(',')
            .append(90 + r.nextInt(60))
            .append(',')
            .append(50 + r.nextInt(40))
            .append(',')
            .append(35 + r.nextInt(5))
            .append('.')
            .append(r.nextInt(10))
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

  static void resetPeaks() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}

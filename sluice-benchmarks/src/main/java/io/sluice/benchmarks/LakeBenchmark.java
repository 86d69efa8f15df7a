package io.sluice.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.Json;
import io.sluice.core.config.TargetConfig;
import io.sluice.core.targets.Outbound;
import io.sluice.core.targets.Sender;
import io.sluice.core.transform.Transform;
import io.sluice.core.transform.TransformOutput;
import io.sluice.lake.Lake;
import io.sluice.lake.LakeSettings;
import io.sluice.lake.PartitionKey;
import io.sluice.lake.RowSink;
import io.sluice.server.SluiceKinds;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The lake's two numbers. {@code --mode writer}: events/s through a lake target's writer (the real
 * path: partition keys, schema, NDJSON staging, DuckDB's Parquet writer with one thread, fsync,
 * manifest commit), beside DuckDB alone turning the same events (as one NDJSON file) into Parquet
 * with one thread. {@code --mode groupby}: a GROUP BY over N events in a lake table (as written,
 * and after compaction), beside the same query on one ideal Parquet file with the same rows, in the
 * same run with the same DuckDB settings.
 *
 * <p>{@code ./sluice-benchmarks/run.sh LakeBenchmark --mode writer --events 1000000} {@code
 * ./sluice-benchmarks/run.sh LakeBenchmark --mode groupby --events 10000000}
 */
public final class LakeBenchmark {

  private LakeBenchmark() {}

  static final String[] SPORTS = {"football", "basketball", "cricket", "hockey", "tennis", "golf"};

  static List<JsonNode> events(int n, long seed) {
    Random r = new Random(seed);
    List<JsonNode> out = new ArrayList<>(n);
    Instant base = Instant.parse("2026-11-20T00:00:00Z");
    for (int i = 0; i < n; i++) {
      ObjectNode e = Json.MAPPER.createObjectNode();
      e.put("version", "0");
      e.put("id", "e-" + seed + "-" + i);
      e.put("detail-type", r.nextInt(3) == 0 ? "Match Scheduled" : "Score Update");
      e.put("source", "sports.feed");
      e.put("account", "000000000000");
      e.put("time", base.plusSeconds((long) i * 864_000 / Math.max(n, 1)).toString());
      e.put("region", "local");
      e.putArray("resources");
      ObjectNode d = e.putObject("detail");
      d.put("match_id", "M-" + r.nextInt(100_000));
      d.put("sport", SPORTS[r.nextInt(SPORTS.length)]);
      d.put("team", "team-" + r.nextInt(200));
      d.put("player", "player-" + r.nextInt(5000));
      d.put("points", 1 + r.nextInt(6));
      d.put("minute", r.nextInt(90));
      d.put("amount", Math.round(r.nextDouble() * 100_000) / 100.0);
      d.put("home", r.nextBoolean());
      d.put("venue", "Arena " + r.nextInt(300));
      d.putObject("meta").put("feed", "v2").put("lag_ms", r.nextInt(500));
      out.add(e);
    }
    return out;
  }

  static Sender sender(Lake lake, String table) {
    List<io.sluice.core.Problem> problems = new ArrayList<>();
    PartitionKey dt = PartitionKey.compile("dt=${time:yyyy-MM-dd}", "/p", problems);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(problems.toString());
    }
    TargetConfig t =
        new TargetConfig(
            "lake",
            new io.sluice.lake.LakeTarget(
                table, 64L << 20, Duration.ofSeconds(1), List.of(dt), "zstd"),
            Transform.IDENTITY,
            1,
            0,
            Duration.ofSeconds(10),
            TargetConfig.RetryConfig.DEFAULTS,
            false,
            null);
    return io.sluice.core.kinds.Kinds.of(io.sluice.lake.LakeTargets.kinds(lake))
        .sender(
            new io.sluice.core.kinds.TargetContext(
                "bench", "r", t, java.time.Clock.systemUTC(), null));
  }

  /**
   * Sends {@code count} deliveries through the writer, cycling over {@code pool} (the stored bytes
   * exist before delivery in the real path, so they are made outside the timing), with at most the
   * sender's {@code maxOwed()} owed at once as the routing does; returns seconds until all are
   * committed.
   */
  static double write(Sender s, List<JsonNode> pool, long count, long firstOffset)
      throws Exception {
    List<TransformOutput.Json> bodies = new ArrayList<>(pool.size());
    for (JsonNode e : pool) {
      bodies.add(new TransformOutput.Json(e, Json.MAPPER.writeValueAsBytes(e)));
    }
    java.util.ArrayDeque<CompletableFuture<io.sluice.core.targets.Receipt>> pending =
        new java.util.ArrayDeque<>();
    long t0 = System.nanoTime();
    long offset = firstOffset;
    for (long sent = 0; sent < count; sent += 1000) {
      List<Outbound> chunk = new ArrayList<>(1000);
      for (int i = 0; i < 1000 && sent + i < count; i++) {
        int k = (int) ((sent + i) % pool.size());
        JsonNode e = pool.get(k);
        chunk.add(
            new Outbound(
                "bench",
                "r",
                e.get("id").asText(),
                bodies.get(k),
                null,
                e,
                0,
                offset++,
                false,
                false,
                System.currentTimeMillis()));
      }
      pending.add(s.sendAsync(chunk));
      while ((long) pending.size() * 1000 > s.maxOwed()) {
        pending.poll().join();
      }
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    return (System.nanoTime() - t0) / 1e9;
  }

  static LakeSettings settings(int threads) {
    LakeSettings d = LakeSettings.DEFAULTS;
    return new LakeSettings(
        threads,
        "4GB",
        Duration.ofMinutes(5),
        d.maxRows(),
        d.maxBufferedRows(),
        Duration.ZERO,
        d.compactionMinFiles(),
        d.smallFileBytes(),
        d.maxConcurrentQueries(),
        d.maxQueuedQueries());
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = Args.parse(args);
    String mode = a.getOrDefault("mode", "writer");
    int n =
        Integer.parseInt(a.getOrDefault("events", mode.equals("writer") ? "1000000" : "10000000"));
    Path work = Path.of(a.getOrDefault("dir", "target/bench-lake"));
    deleteTree(work);
    Files.createDirectories(work);
    System.out.println("# LakeBenchmark --mode " + mode + " --events " + n);
    System.out.println("# " + Machine.describe());
    if (mode.equals("writer")) {
      writer(work, n);
    } else if (mode.equals("queryable")) {
      queryable(
          work,
          Integer.parseInt(a.getOrDefault("rate", "2000")),
          Integer.parseInt(a.getOrDefault("seconds", "60")),
          a.getOrDefault("buffer", "5s"));
    } else {
      groupBy(work, n, Integer.parseInt(a.getOrDefault("threads", "2")));
    }
    deleteTree(work);
  }

  static void writer(Path work, int n) throws Exception {
    List<JsonNode> warm = events(20_000, 1);
    List<JsonNode> events = events(Math.min(n, 100_000), 2);
    double sluiceSeconds;
    try (Lake lake =
        Lake.open(
            work.resolve("lake"), Clock.systemUTC(), new SimpleMeterRegistry(), settings(1))) {
      Sender s = sender(lake, "bench");
      write(s, warm, 100_000, 0);
      sluiceSeconds = write(s, events, n, 100_000);
      s.close();
      Rows check = new Rows();
      lake.query("SELECT count(*) FROM bench", check);
      System.out.printf("# rows in the table: %s (expected %d)%n", check.first, 100_000 + n);
    }
    // the peer: DuckDB alone, one thread, from one NDJSON file of the same events to Parquet
    Path ndjson = work.resolve("events.ndjson");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(ndjson), 1 << 20)) {
      for (int i = 0; i < n; i++) {
        out.write(Json.MAPPER.writeValueAsBytes(events.get(i % events.size())));
        out.write('\n');
      }
    }
    double duckSeconds;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET threads = 1");
      long t0 = System.nanoTime();
      st.execute(
          "COPY (SELECT * FROM read_json('"
              + ndjson
              + "', format = 'newline_delimited')) TO '"
              + work.resolve("peer.parquet")
              + "' (FORMAT parquet, COMPRESSION zstd)");
      duckSeconds = (System.nanoTime() - t0) / 1e9;
    }
    System.out.println();
    System.out.println("| writer | events | seconds | events/s | ratio vs DuckDB alone |");
    System.out.println("|---|---|---|---|---|");
    System.out.printf(
        "| Sluice lake target (DuckDB 1 thread, fsync, manifest) | %,d | %.2f | %,.0f | %.2f× |%n",
        n, sluiceSeconds, n / sluiceSeconds, duckSeconds / sluiceSeconds);
    System.out.printf(
        "| DuckDB read_json → Parquet, 1 thread | %,d | %.2f | %,.0f | 1.00× |%n",
        n, duckSeconds, n / duckSeconds);
  }

  static void groupBy(Path work, int n, int threads) throws Exception {
    String q =
        "SELECT sport, count(*) AS n, avg(amount) AS avg_amount, max(points) AS max_points"
            + " FROM %s GROUP BY sport ORDER BY sport";
    int runs = 5;
    try (Lake lake =
        Lake.open(
            work.resolve("lake"),
            Clock.systemUTC(),
            new SimpleMeterRegistry(),
            settings(threads))) {
      Sender s = sender(lake, "big");
      int chunk = 1_000_000;
      double writeSeconds = 0;
      List<JsonNode> pool = events(200_000, 100);
      for (int i = 0; i < n; i += chunk) {
        writeSeconds += write(s, pool, Math.min(chunk, n - i), i);
      }
      s.close();
      System.out.printf(
          "# wrote %,d events in %.1f s (%,.0f ev/s), %d files%n",
          n, writeSeconds, n / writeSeconds, lake.table("big").fileCount());
      double asWritten = best(lake, String.format(q, "big"), runs);
      long t0 = System.nanoTime();
      int replaced = lake.compact("big");
      double compactSeconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "# compaction replaced %d files in %.1f s; now %d files%n",
          replaced, compactSeconds, lake.table("big").fileCount());
      double compacted = best(lake, String.format(q, "big"), runs);
      // the peer: one ideal Parquet file with the same rows, same DuckDB settings
      Path ideal = work.resolve("ideal.parquet");
      double peer;
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
          Statement st = c.createStatement()) {
        st.execute("SET threads = " + threads);
        st.execute(
            "COPY (SELECT * FROM read_parquet('"
                + lake.dir().resolve("big")
                + "/**/*.parquet')) TO '"
                + ideal
                + "' (FORMAT parquet, COMPRESSION zstd)");
        String pq = String.format(q, "read_parquet('" + ideal + "')");
        peer = Double.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
          long t = System.nanoTime();
          try (ResultSet rs = st.executeQuery(pq)) {
            while (rs.next()) {
              rs.getObject(1);
            }
          }
          peer = Math.min(peer, (System.nanoTime() - t) / 1e9);
        }
      }
      System.out.println();
      System.out.println(
          "| query over "
              + String.format("%,d", n)
              + " events | best of "
              + runs
              + " s | ratio vs ideal file |");
      System.out.println("|---|---|---|");
      System.out.printf(
          "| lake table as written (%s) | %.3f | %.2f× |%n",
          "POST /query path: view, sandbox check", asWritten, asWritten / peer);
      System.out.printf(
          "| lake table after compaction | %.3f | %.2f× |%n", compacted, compacted / peer);
      System.out.printf("| DuckDB on one ideal Parquet file | %.3f | 1.00× |%n", peer);
    }
  }

  /**
   * Ingest-to-queryable: a client POSTs 10-event batches at {@code rate} events/s to a real server
   * whose rule writes a lake table with the given buffer interval; a poller asks {@code SELECT
   * max(seq)} every 50 ms. An event's latency is from its POST to the first poll that sees it.
   */
  static void queryable(Path work, int rate, int seconds, String buffer) throws Exception {
    String yaml =
        "buses: [{name: default}]\nrules:\n  - name: all\n    pattern: {source: [bench]}\n"
            + "    targets:\n      - {id: lake, lake: {table: t, buffer: {interval: "
            + buffer
            + "}}}\n";
    var config =
        io.sluice.core.config.ConfigLoader.parse(yaml, "bench.yaml", work, SluiceKinds.forReading())
            .withDataDir(work.resolve("data").toAbsolutePath());
    config = config.withServer(config.server().withPort(0));
    org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(3_600_000_000_000L, 3);
    try (io.sluice.server.SluiceServer server =
        io.sluice.server.SluiceServer.start(
            config, io.sluice.server.SluiceServer.Options.DEFAULTS)) {
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      java.net.URI uri = server.url().resolve("/buses/default/events");
      int total = rate * seconds;
      long[] sentAt = new long[total + 10];
      java.util.concurrent.atomic.AtomicLong visible =
          new java.util.concurrent.atomic.AtomicLong(-1);
      java.util.concurrent.atomic.AtomicBoolean done =
          new java.util.concurrent.atomic.AtomicBoolean();
      Thread poller =
          Thread.ofPlatform()
              .start(
                  () -> {
                    long seen = -1;
                    while (!done.get() || seen < total - 1) {
                      Rows r = new Rows();
                      try {
                        server.lake().query("SELECT max(seq) FROM t", r);
                      } catch (io.sluice.lake.QueryException e) {
                        r.first = null; // before the first commit the table has no seq column
                      } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                      }
                      long now = System.nanoTime();
                      long max = r.first == null ? -1 : ((Number) r.first).longValue();
                      for (long q = seen + 1; q <= max; q++) {
                        h.recordValue(now - sentAt[(int) q]);
                      }
                      seen = Math.max(seen, max);
                      visible.set(seen);
                      try {
                        Thread.sleep(50);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
      long start = System.nanoTime();
      for (int seq = 0; seq < total; seq += 10) {
        long due = start + (long) (seq * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
        StringBuilder b = new StringBuilder();
        long now = System.nanoTime();
        for (int i = seq; i < seq + 10; i++) {
          sentAt[i] = now;
          b.append("{\"source\":\"bench\",\"detail-type\":\"T\",\"detail\":{\"seq\":")
              .append(i)
              .append(",\"payload\":\"")
              .append("x".repeat(400))
              .append("\"}}\n");
        }
        var resp =
            http.send(
                java.net.http.HttpRequest.newBuilder(uri)
                    .header("Content-Type", "application/x-ndjson")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(b.toString()))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        if (resp.statusCode() != 200) {
          throw new IllegalStateException("ingest answered " + resp.statusCode());
        }
      }
      done.set(true);
      poller.join(120_000);
      System.out.println();
      System.out.println(
          "| rate ev/s | buffer | events | p50 s | p90 s | p99 s | max s | p99 / buffer |");
      System.out.println("|---|---|---|---|---|---|---|---|");
      double bufferSeconds = io.sluice.core.config.Durations.parse(buffer).toMillis() / 1000.0;
      System.out.printf(
          "| %,d | %s | %,d | %.2f | %.2f | %.2f | %.2f | %.2f× |%n",
          rate,
          buffer,
          h.getTotalCount(),
          h.getValueAtPercentile(50) / 1e9,
          h.getValueAtPercentile(90) / 1e9,
          h.getValueAtPercentile(99) / 1e9,
          h.getMaxValue() / 1e9,
          h.getValueAtPercentile(99) / 1e9 / bufferSeconds);
    }
  }

  static double best(Lake lake, String sql, int runs) throws Exception {
    double best = Double.MAX_VALUE;
    for (int i = 0; i < runs; i++) {
      long t = System.nanoTime();
      lake.query(sql, new Rows());
      best = Math.min(best, (System.nanoTime() - t) / 1e9);
    }
    return best;
  }

  static final class Rows implements RowSink {
    Object first;

    @Override
    public void start(List<String> columns, List<String> types) {}

    @Override
    public void row(Object[] values) {
      if (first == null) {
        first = values[0];
      }
    }

    @Override
    public void end(long rows, boolean truncated) {}
  }

  static void deleteTree(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}

package io.sluice.benchmarks;

import io.javalin.Javalin;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.server.SluiceKinds;
import io.sluice.server.SluiceServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * HTTP ingest throughput and latency: single-event POSTs and 10- and 100-event batches against the
 * Sluice server (a bus with {@code fsync: always}, and one with {@code fsync: interval}), beside a
 * no-op Javalin endpoint (same Javalin, same virtual threads, reads the body and answers a
 * constant) measured in the same run: the HTTP ceiling of the machine. Load from wrk (Debian
 * package) on the same machine; each measurement follows a warm-up of the same load.
 *
 * <p>Usage: {@code ./sluice-benchmarks/run.sh IngestBenchmark [--seconds 10] [--warmup 8]
 * [--connections 100] [--batch-connections 16] [--threads 2] [--batches 1,10,100] [--partitions 1]
 * [--event-bytes 700] [--skip-noop]}
 */
public final class IngestBenchmark {

  private IngestBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = Args.parse(args);
    int seconds = Integer.parseInt(a.getOrDefault("seconds", "10"));
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "8"));
    int connections = Integer.parseInt(a.getOrDefault("connections", "100"));
    int batchConnections = Integer.parseInt(a.getOrDefault("batch-connections", "16"));
    int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
    int eventBytes = Integer.parseInt(a.getOrDefault("event-bytes", "700"));
    int partitions = Integer.parseInt(a.getOrDefault("partitions", "1"));
    List<Integer> batches = Args.ints(a.getOrDefault("batches", "1,10,100"));
    Path work = Path.of(a.getOrDefault("dir", "target/bench-ingest"));
    Files.createDirectories(work);

    System.out.println("# IngestBenchmark");
    System.out.println("machine: " + Machine.describe());
    System.out.printf(
        "settings: wrk -t %d, %d connections for single events and %d for batches, %ds measured after %ds warm-up,"
            + " ~%d-byte events, %d partition(s) per bus%n%n",
        threads, connections, batchConnections, seconds, warmup, eventBytes, partitions);

    Path data = Files.createTempDirectory(work, "data-");
    SluiceConfig config =
        ConfigLoader.parse(
            "buses:\n"
                + "  - {name: default, partitions: "
                + partitions
                + "}\n"
                + "  - {name: relaxed, partitions: "
                + partitions
                + ", fsync: interval, fsyncInterval: 1s}\n",
            "bench",
            work,
            SluiceKinds.forReading());
    config = config.withServer(config.server().withPort(0)).withDataDir(data);
    Javalin noop =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  cfg.concurrency.useVirtualThreads = true;
                  cfg.jetty.host = "127.0.0.1";
                  cfg.jetty.port = 0;
                  cfg.http.maxRequestSize = 10 << 20;
                  cfg.routes.post(
                      "/noop",
                      ctx -> {
                        ctx.bodyAsBytes();
                        ctx.contentType("application/json").result("{\"entries\":[]}");
                      });
                })
            .start();
    try (SluiceServer sluice = SluiceServer.start(config, SluiceServer.Options.DEFAULTS)) {
      String noopUrl = "http://127.0.0.1:" + noop.port() + "/noop";
      String alwaysUrl = sluice.url() + "/buses/default/events";
      String relaxedUrl = sluice.url() + "/buses/relaxed/events";
      System.out.println(
          "| events per request | connections | endpoint | requests/s | events/s | p50 ms | p99 ms | non-2xx | ratio vs no-op |");
      System.out.println("|---|---|---|---|---|---|---|---|---|");
      for (int batch : batches) {
        int c = batch == 1 ? connections : batchConnections;
        byte[] body = body(batch, eventBytes);
        Wrk.Result ceiling = new Wrk.Result(1, 0, 0, 0, 0);
        if (!a.containsKey("skip-noop")) {
          Wrk.post(noopUrl, "application/json", body, threads, c, warmup, work);
          ceiling = Wrk.post(noopUrl, "application/json", body, threads, c, seconds, work);
        }
        Wrk.post(alwaysUrl, "application/json", body, threads, c, warmup, work);
        Wrk.Result always =
            Wrk.post(alwaysUrl, "application/json", body, threads, c, seconds, work);
        Wrk.Result relaxed =
            Wrk.post(relaxedUrl, "application/json", body, threads, c, seconds, work);
        row(batch, c, "no-op Javalin", ceiling, 1.0);
        row(
            batch,
            c,
            "sluice, fsync always",
            always,
            always.requestsPerSecond() / ceiling.requestsPerSecond());
        row(
            batch,
            c,
            "sluice, fsync interval 1s",
            relaxed,
            relaxed.requestsPerSecond() / ceiling.requestsPerSecond());
      }
      System.out.printf(
          "%nfsyncs on bus default: %.0f; events stored: %d%n",
          sluice.meters().get("sluice.bus.fsyncs").tag("bus", "default").functionCounter().count(),
          sluice.engine().buses().info("default").records()
              + sluice.engine().buses().info("relaxed").records());
    } finally {
      noop.stop();
      deleteTree(data);
    }
  }

  private static void row(int batch, int connections, String name, Wrk.Result r, double ratio) {
    System.out.printf(
        "| %d | %d | %s | %,.0f | %,.0f | %.2f | %.2f | %d | %.2f× |%n",
        batch,
        connections,
        name,
        r.requestsPerSecond(),
        r.requestsPerSecond() * batch,
        r.p50Ms(),
        r.p99Ms(),
        r.non2xx(),
        ratio);
  }

  static void deleteTree(Path dir) throws IOException {
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  static byte[] body(int batch, int eventBytes) {
    if (batch == 1) {
      return event(0, eventBytes);
    }
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < batch; i++) {
      b.append(i == 0 ? "" : ",").append(new String(event(i, eventBytes), StandardCharsets.UTF_8));
    }
    return b.append(']').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** An order event without id and time (the server assigns them), about {@code bytes} long. */
  static byte[] event(long seq, int bytes) {
    String head =
        "{\"detail-type\":\"OrderPlaced\",\"source\":\"shop.orders\",\"detail\":{\"orderId\":\"o-"
            + seq
            + "\",\"customer\":{\"id\":\"c-"
            + (seq % 9973)
            + "\",\"tier\":\"gold\"},\"amount\":"
            + (seq % 500)
            + ".25,\"currency\":\"EUR\",\"items\":[{\"sku\":\"sku-1\",\"qty\":2}],\"note\":\"";
    String tail = "\"}}";
    return (head + "x".repeat(Math.max(0, bytes - head.length() - tail.length())) + tail)
        .getBytes(StandardCharsets.UTF_8);
  }
}

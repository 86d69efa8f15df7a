package io.sluice.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.server.SluiceKinds;
import io.sluice.server.SluiceServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Ingest-to-target latency: an open-loop client POSTs batches of events at a fixed rate to a bus
 * ({@code fsync: always}) with one rule whose HTTP target (one event per request) is a local
 * receiver (Javalin, virtual threads, in the same JVM); the receiver records, per event, the time
 * from the moment its batch was due to be sent to the moment the target received it. The peer,
 * measured in the same run: the same client sending the same batches straight to the receiver (one
 * HTTP hop, no Sluice), the floor of the machine. Open loop: a batch is sent when due, whether or
 * not earlier ones were answered, so a slow server shows in the numbers (no coordinated omission).
 *
 * <p>Usage: {@code ./sluice-benchmarks/run.sh DeliveryLatencyBenchmark [--rate 10000] [--batch 10]
 * [--seconds 30] [--warmup 10] [--concurrency 16] [--target-batch 1]}
 */
public final class DeliveryLatencyBenchmark {

  private DeliveryLatencyBenchmark() {}

  /** Latencies the receiver saw, per event, from the event's due time (nanoTime in the body). */
  static final class Receiver implements AutoCloseable {
    final Javalin server;
    final Histogram histogram = new Histogram(3_600_000_000_000L, 3);
    final AtomicLong received = new AtomicLong();
    volatile boolean recording;

    Receiver() {
      server =
          Javalin.create(
                  cfg -> {
                    cfg.startup.showJavalinBanner = false;
                    cfg.concurrency.useVirtualThreads = true;
                    cfg.jetty.host = "127.0.0.1";
                    cfg.jetty.port = 0;
                    cfg.routes.post(
                        "/*",
                        ctx -> {
                          long now = System.nanoTime();
                          JsonNode n = Json.MAPPER.readTree(ctx.bodyAsBytes());
                          if (n.isArray()) {
                            n.forEach(e -> record(e, now));
                          } else {
                            record(n, now);
                          }
                          ctx.status(204);
                        });
                  })
              .start();
    }

    private void record(JsonNode event, long now) {
      received.incrementAndGet();
      if (recording) {
        long due = event.path("detail").path("due").asLong();
        synchronized (histogram) {
          histogram.recordValue(Math.max(0, now - due));
        }
      }
    }

    String url() {
      return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
      server.stop();
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = Args.parse(args);
    int rate = Integer.parseInt(a.getOrDefault("rate", "10000"));
    int batch = Integer.parseInt(a.getOrDefault("batch", "10"));
    int seconds = Integer.parseInt(a.getOrDefault("seconds", "30"));
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "10"));
    int concurrency = Integer.parseInt(a.getOrDefault("concurrency", "16"));
    int targetBatch = Integer.parseInt(a.getOrDefault("target-batch", "1"));
    Path work = Path.of(a.getOrDefault("dir", "target/bench-delivery"));
    Files.createDirectories(work);
    System.out.println("# DeliveryLatencyBenchmark");
    System.out.println("machine: " + Machine.describe());
    System.out.printf(
        "settings: %,d events/s in batches of %d (%,d requests/s), open loop, %ds measured after %ds warm-up;"
            + " target concurrency %d, %s; bus fsync always, 1 partition%n%n",
        rate,
        batch,
        rate / batch,
        seconds,
        warmup,
        concurrency,
        targetBatch == 1
            ? "one event per target request"
            : "target batches of up to " + targetBatch + " events (interval 5ms)");

    try (Receiver receiver = new Receiver()) {
      Path data = Files.createTempDirectory(work, "data-");
      SluiceConfig config =
          ConfigLoader.parse(
              "rules:\n  - name: all\n    pattern: {source: [bench]}\n    targets:\n"
                  + "      - {id: receiver, http: {url: \""
                  + receiver.url()
                  + "/sluice\"}, concurrency: "
                  + concurrency
                  + (targetBatch == 1 ? "" : ", batch: {size: " + targetBatch + ", interval: 5ms}")
                  + "}\n",
              "bench",
              work,
              SluiceKinds.forReading());
      config = config.withServer(config.server().withPort(0)).withDataDir(data);
      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .executor(Executors.newVirtualThreadPerTaskExecutor())
              .build();
      Histogram direct;
      Histogram sluice;
      Histogram ingest;
      long sluiceSent;
      long sluiceReceived;
      try (SluiceServer server = SluiceServer.start(config, SluiceServer.Options.DEFAULTS)) {
        URI sluiceUri = URI.create(server.url() + "/buses/default/events");
        URI directUri = URI.create(receiver.url() + "/direct");
        direct = run(client, directUri, receiver, rate, batch, warmup, seconds).delivered;
        long before = receiver.received.get();
        Run r = run(client, sluiceUri, receiver, rate, batch, warmup, seconds);
        sluice = r.delivered;
        ingest = r.answered;
        sluiceSent = r.sent;
        Thread.sleep(2000);
        sluiceReceived = receiver.received.get() - before;
      } finally {
        IngestBenchmark.deleteTree(data);
      }
      System.out.println("| path | events | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |");
      System.out.println("|---|---:|---:|---:|---:|---:|---:|");
      row("client → receiver directly (peer)", direct);
      row("client → Sluice ingest (response, per request)", ingest);
      row("client → Sluice → rule → HTTP target", sluice);
      System.out.printf(
          "%np99 ratio, Sluice ingest-to-target / direct: %.2f×; events sent to Sluice %,d, delivered %,d%n",
          sluice.getValueAtPercentile(99) / (double) direct.getValueAtPercentile(99),
          sluiceSent,
          sluiceReceived);
    }
  }

  record Run(Histogram delivered, Histogram answered, long sent) {}

  private static Run run(
      HttpClient client, URI uri, Receiver receiver, int rate, int batch, int warmup, int seconds)
      throws Exception {
    Histogram answered = new Histogram(3_600_000_000_000L, 3);
    long periodNanos = 1_000_000_000L * batch / rate;
    long start = System.nanoTime();
    long warmEnd = start + warmup * 1_000_000_000L;
    long end = warmEnd + seconds * 1_000_000_000L;
    AtomicLong errors = new AtomicLong();
    long sent = 0;
    boolean recording = false;
    for (long due = start; due < end; due += periodNanos) {
      long wait = due - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      if (!recording && due >= warmEnd) {
        synchronized (receiver.histogram) {
          receiver.histogram.reset();
        }
        receiver.recording = true;
        recording = true;
      }
      StringBuilder body = new StringBuilder("[");
      for (int i = 0; i < batch; i++) {
        body.append(i == 0 ? "" : ",")
            .append("{\"source\":\"bench\",\"detail-type\":\"Tick\",\"detail\":{\"due\":")
            .append(due)
            .append(",\"seq\":")
            .append(sent + i)
            .append(",\"note\":\"")
            .append("x".repeat(400))
            .append("\"}}");
      }
      sent += batch;
      long d = due;
      boolean rec = recording;
      client
          .sendAsync(
              HttpRequest.newBuilder(uri)
                  .timeout(Duration.ofSeconds(30))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.append(']').toString()))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (resp, err) -> {
                if (err != null || resp.statusCode() >= 300) {
                  if (errors.incrementAndGet() == 1) {
                    System.out.println(
                        "first failure against "
                            + uri
                            + ": "
                            + (err != null ? err : "HTTP " + resp.statusCode()));
                  }
                } else if (rec) {
                  synchronized (answered) {
                    answered.recordValue(System.nanoTime() - d);
                  }
                }
              });
    }
    Thread.sleep(3000);
    receiver.recording = false;
    if (errors.get() > 0) {
      System.out.println("warning: " + errors.get() + " requests failed against " + uri);
    }
    Histogram delivered;
    synchronized (receiver.histogram) {
      delivered = receiver.histogram.copy();
    }
    return new Run(delivered, answered, sent);
  }

  private static void row(String name, Histogram h) {
    System.out.printf(
        "| %s | %,d | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
        name,
        h.getTotalCount(),
        h.getValueAtPercentile(50) / 1e6,
        h.getValueAtPercentile(90) / 1e6,
        h.getValueAtPercentile(99) / 1e6,
        h.getValueAtPercentile(99.9) / 1e6,
        h.getMaxValue() / 1e6);
  }
}

package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload is answered, never reset, and memory stays within its budget: 150 clients post ~1 MB
 * arrays as fast as they can to the packaged server (heap 768 MB, memoryBudget 128 MB). Every
 * request gets 200 or 503 with Retry-After; no connection is reset; the process's resident size,
 * read from /proc while the load runs, stays below the heap plus the documented overhead.
 */
class MemoryBudgetIT {

  static final long HEAP_MB = 768;
  static final long OVERHEAD_MB = 400; // metaspace, code cache, thread stacks, native libraries

  @TempDir Path dir;

  @Test
  void aFloodOfLargeBatchesIsAnsweredWithin200Or503AndRssStaysBounded() throws Exception {
    PackagedServer packaged = new PackagedServer(dir, HEAP_MB + "m");
    int port = PackagedServer.freePort();
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        "server: {port: "
            + port
            + ", limits: {memoryBudget: 128MB}}\nstorage: {dir: data}\nbuses: [{name: default}]\n");
    URI base = URI.create("http://127.0.0.1:" + port);
    StringBuilder b = new StringBuilder("[");
    while (b.length() < 1_000_000) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append("{\"source\":\"load\",\"detail-type\":\"T\",\"detail\":{\"pad\":\"")
          .append("x".repeat(9_900))
          .append("\"}}");
    }
    byte[] body = b.append(']').toString().getBytes(StandardCharsets.UTF_8);
    Process server = packaged.start("run", config.toString());
    try {
      packaged.awaitReady(base, server);
      Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong maxRssKb = new AtomicLong();
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .executor(Executors.newVirtualThreadPerTaskExecutor())
              .build();
      ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
      for (int t = 0; t < 150; t++) {
        clients.submit(
            () -> {
              while (!stop.get()) {
                String outcome;
                try {
                  HttpResponse<String> r =
                      http.send(
                          HttpRequest.newBuilder(base.resolve("/buses/default/events"))
                              .header("Content-Type", "application/json")
                              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                              .build(),
                          HttpResponse.BodyHandlers.ofString());
                  outcome =
                      r.statusCode()
                          + (r.statusCode() == 503
                              ? r.headers().firstValue("Retry-After").isPresent()
                                  ? " with Retry-After"
                                  : " without Retry-After"
                              : "");
                } catch (IOException e) {
                  outcome = "connection failed: " + e;
                } catch (InterruptedException e) {
                  return;
                }
                outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
              }
            });
      }
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < until) {
        maxRssKb.accumulateAndGet(rssKb(server.pid()), Math::max);
        Thread.sleep(100); // sampling the RSS from outside, not waiting for a condition
      }
      stop.set(true);
      clients.shutdown();
      assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
      Map<String, Integer> seen = new TreeMap<>();
      outcomes.forEach((k, v) -> seen.put(k, v.get()));
      String errors;
      try (java.util.stream.Stream<String> lines = Files.lines(packaged.log())) {
        errors =
            String.join(
                "\n",
                lines
                    .filter(l -> l.contains("ERROR") || l.contains("Exception"))
                    .limit(20)
                    .toList());
      }
      assertThat(seen.keySet())
          .as("outcomes %s; server errors:%n%s", seen, errors)
          .containsExactlyInAnyOrder("200", "503 with Retry-After");
      assertThat(maxRssKb.get() / 1024)
          .as("largest resident size in MB, heap %d MB", HEAP_MB)
          .isLessThan(HEAP_MB + OVERHEAD_MB);
    } finally {
      server.destroy();
      server.waitFor(60, TimeUnit.SECONDS);
    }
  }

  static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException gone) {
      // exited
    }
    return 0;
  }
}

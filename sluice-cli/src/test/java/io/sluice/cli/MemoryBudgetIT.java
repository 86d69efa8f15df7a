package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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
 *
 * <p>The clients write HTTP/1.1 on their own sockets, one persistent connection each while the
 * server keeps it, so what the server does to a connection is seen as it is (the JDK's client has
 * had races of its own on reused connections that look like a server that answered nothing).
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
      byte[] head =
          ("POST /buses/default/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + "Content-Type: application/json\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
      for (int t = 0; t < 150; t++) {
        clients.submit(
            () -> {
              while (!stop.get()) {
                // one persistent connection, as long as the server keeps it open
                try (Socket socket = new Socket("127.0.0.1", port)) {
                  socket.setSoTimeout(60_000);
                  InputStream in = new BufferedInputStream(socket.getInputStream());
                  OutputStream out = socket.getOutputStream();
                  String previous = "none (a new connection)";
                  while (!stop.get()) {
                    out.write(head);
                    out.write(body);
                    out.flush();
                    Answer a = Answer.read(in);
                    if (a == null) {
                      count(
                          outcomes,
                          "no answer; the answer before it on the connection: " + previous);
                      break;
                    }
                    count(outcomes, a.outcome());
                    previous = a.outcome() + (a.close() ? ", Connection: close" : "");
                    if (a.close()) {
                      break;
                    }
                  }
                } catch (IOException e) {
                  count(outcomes, "connection failed: " + e);
                }
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

  static void count(Map<String, AtomicInteger> outcomes, String outcome) {
    outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
  }

  /** One answer read off a connection: its status, Retry-After and Connection: close. */
  record Answer(int status, boolean retryAfter, boolean close) {
    String outcome() {
      return status
          + (status == 503 ? retryAfter ? " with Retry-After" : " without Retry-After" : "");
    }

    /** The next answer on {@code in} (its body read and dropped), or null at the end. */
    static Answer read(InputStream in) throws IOException {
      String status = line(in);
      if (status == null) {
        return null;
      }
      long length = 0;
      boolean retryAfter = false;
      boolean close = false;
      for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
        String l = h.toLowerCase(Locale.ROOT);
        if (l.startsWith("content-length:")) {
          length = Long.parseLong(l.substring(15).trim());
        } else if (l.startsWith("retry-after:")) {
          retryAfter = true;
        } else if (l.startsWith("connection:") && l.contains("close")) {
          close = true;
        }
      }
      in.skipNBytes(length);
      return new Answer(Integer.parseInt(status.substring(9, 12)), retryAfter, close);
    }

    private static String line(InputStream in) throws IOException {
      StringBuilder b = new StringBuilder();
      int c;
      boolean any = false;
      while ((c = in.read()) >= 0) {
        any = true;
        if (c == '\n') {
          break;
        }
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return any ? b.toString() : null;
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

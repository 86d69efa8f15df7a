package io.sluice.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.functions.InvocationResult;
import io.sluice.functions.FunctionHost;
import io.sluice.server.SluiceKinds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Invocations/s, events/s and latency of a no-op python3 function ({@code return event}) called
 * through {@link FunctionHost} (what function targets, transforms and the Invoke API call): the
 * real runtime, a child {@code python3} speaking the Lambda Runtime API over loopback HTTP. Batch 1
 * is one ~600-byte event per invocation, batch 100 a JSON array of 100 of them (what a function
 * target with {@code batch: {size: 100}} hands over). Closed loop: each caller invokes again when
 * the answer is in, with as many workers ({@code concurrency}) as callers.
 *
 * <p>Cold start: a fresh host is started and invoked at once, N times; the time from the start to
 * the first answer (spawning python3 under {@code ulimit -v}, its bootstrap's imports, the
 * handler's import, the first {@code next}, the invocation).
 *
 * <p>Peers, in the same run: the same handler called in a loop inside one python3 (the limit), bare
 * and with the JSON decode and encode a bootstrap has to do around it; and {@code python3 -c pass}
 * and a python3 importing what the bootstrap imports, started and waited for (the floor of a cold
 * start).
 *
 * <p>Only python3 is measured here; a wasm row belongs beside it once that runtime lands
 * (docs/benchmarks.md keeps its place).
 *
 * <p>Usage: {@code ./sluice-benchmarks/run.sh FunctionBenchmark [--seconds 10] [--warmup 3]
 * [--batch 1,100] [--concurrency 1,2] [--cold 20] [--event-bytes 600] [--dir DIR]}
 */
public final class FunctionBenchmark {

  private FunctionBenchmark() {}

  static final String HANDLER =
      """
      def handler(event, context):
          return event
      """;

  /**
   * The peer: argv = code dir, payload file, calls. Prints one JSON line: the bare call's mean ns,
   * and with json.loads/json.dumps around it, mean, p50 and p99 ns.
   */
  static final String PEER =
      """
      import json, sys, time
      sys.path.insert(0, sys.argv[1])
      from noop import handler
      payload = open(sys.argv[2], "rb").read()
      n = int(sys.argv[3])
      event = json.loads(payload)
      for _ in range(max(1, n // 10)):
          json.dumps(handler(json.loads(payload), None))
      t0 = time.perf_counter_ns()
      for _ in range(n):
          handler(event, None)
      bare = (time.perf_counter_ns() - t0) / n
      lat = [0] * n
      clock = time.perf_counter_ns
      t0 = clock()
      for i in range(n):
          a = clock()
          json.dumps(handler(json.loads(payload), None))
          lat[i] = clock() - a
      mean = (clock() - t0) / n
      lat.sort()
      print(json.dumps({"bareNs": bare, "jsonMeanNs": mean, "jsonP50Ns": lat[n // 2],
                        "jsonP99Ns": lat[min(n - 1, n * 99 // 100)]}))
      """;

  public static void main(String[] args) throws Exception {
    Map<String, String> a = Args.parse(args);
    Duration measure = Duration.ofSeconds(Long.parseLong(a.getOrDefault("seconds", "10")));
    Duration warmup = Duration.ofSeconds(Long.parseLong(a.getOrDefault("warmup", "3")));
    List<Integer> batches = Args.ints(a.getOrDefault("batch", "1,100"));
    List<Integer> concurrency = Args.ints(a.getOrDefault("concurrency", "1,2"));
    int cold = Integer.parseInt(a.getOrDefault("cold", "20"));
    int eventBytes = Integer.parseInt(a.getOrDefault("event-bytes", "600"));
    Path dir = Path.of(a.getOrDefault("dir", "target/bench-functions")).toAbsolutePath();
    LakeBenchmark.deleteTree(dir);
    Files.createDirectories(dir.resolve("fn"));
    Files.writeString(dir.resolve("fn/noop.py"), HANDLER, StandardCharsets.UTF_8);
    Path peer = Files.writeString(dir.resolve("peer.py"), PEER, StandardCharsets.UTF_8);
    String python = run("python3", "-c", "import sys; sys.stdout.write(sys.executable)").trim();

    System.out.println("# FunctionBenchmark");
    System.out.println("machine: " + Machine.describe());
    System.out.println("python3: " + python + " " + run(python, "--version").trim());
    System.out.printf(
        "settings: %d s measured after %d s warm-up per row, batches %s, callers = workers %s,"
            + " %d-byte events, %d cold starts, dir %s%n%n",
        measure.toSeconds(), warmup.toSeconds(), batches, concurrency, eventBytes, cold, dir);

    // -- cold start ------------------------------------------------------------------------------
    byte[] one = BenchEvents.orderEvent(0, eventBytes);
    SluiceConfig single = config(dir, 1);
    invokeOnce(dir, single, one); // the JVM's first: finds python3's real executable
    long[] starts = new long[cold];
    for (int i = 0; i < cold; i++) {
      starts[i] = invokeOnce(dir, single, one);
    }
    long[] bare = new long[cold];
    long[] imports = new long[cold];
    for (int i = 0; i < cold; i++) {
      bare[i] = timeProcess(python, "-c", "pass");
      imports[i] =
          timeProcess(
              python, "-c", "import http.client, importlib, json, os, sys, time, traceback");
    }
    System.out.println("| cold start (start → first answer) | n | p50 ms | max ms |");
    System.out.println("|---|---|---|---|");
    System.out.printf(
        "| sluice python3 worker (FunctionHost.start, invoke) | %d | %.1f | %.1f |%n",
        cold, median(starts) / 1e6, max(starts) / 1e6);
    System.out.printf(
        "| peer: python3 -c pass (spawn and exit) | %d | %.1f | %.1f |%n",
        cold, median(bare) / 1e6, max(bare) / 1e6);
    System.out.printf(
        "| peer: python3 importing the bootstrap's modules | %d | %.1f | %.1f |%n%n",
        cold, median(imports) / 1e6, max(imports) / 1e6);

    // -- throughput and latency ------------------------------------------------------------------
    System.out.println(
        "| batch | callers = workers | path | invocations/s | events/s | p50 ms | p99 ms |"
            + " p50 added vs json peer, ms | rate ÷ json peer's |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (int batch : batches) {
      byte[] payload = payload(batch, eventBytes);
      Path file = Files.write(dir.resolve("payload-" + batch + ".json"), payload);
      int calls = batch == 1 ? 200_000 : 5_000;
      JsonNode p =
          Json.MAPPER.readTree(
              run(
                  python,
                  peer.toString(),
                  dir.resolve("fn").toString(),
                  file.toString(),
                  "" + calls));
      double peerPerSecond = 1e9 / p.get("jsonMeanNs").asDouble();
      for (int c : concurrency) {
        try (FunctionHost host = host(dir, config(dir, c))) {
          ClosedLoop.Result r =
              ClosedLoop.run(
                  "fn-b" + batch + "-c" + c,
                  c,
                  warmup,
                  measure,
                  (thread, seq) -> {
                    InvocationResult res =
                        host.invoke("noop", payload, "bench", Duration.ofSeconds(10));
                    if (!(res instanceof InvocationResult.Success)) {
                      throw new IllegalStateException("invocation failed: " + res);
                    }
                  });
          System.out.printf(
              "| %d | %d | sluice FunctionHost → python3 (Runtime API) | %,.0f | %,.0f | %.3f |"
                  + " %.3f | %.3f | %.4f× |%n",
              batch,
              c,
              r.opsPerSecond(),
              r.opsPerSecond() * batch,
              r.p50Ms(),
              r.p99Ms(),
              r.p50Ms() - p.get("jsonP50Ns").asDouble() / 1e6,
              r.opsPerSecond() / peerPerSecond);
        }
      }
      System.out.printf(
          "| %d | 1 | peer: handler in a python3 loop, bare | %,.0f | %,.0f | %.4f | — | — |"
              + " %.1f× |%n",
          batch,
          1e9 / p.get("bareNs").asDouble(),
          1e9 / p.get("bareNs").asDouble() * batch,
          p.get("bareNs").asDouble() / 1e6,
          p.get("jsonMeanNs").asDouble() / p.get("bareNs").asDouble());
      System.out.printf(
          "| %d | 1 | peer: json.loads → handler → json.dumps in a loop | %,.0f | %,.0f | %.4f |"
              + " %.4f | — | 1.00× |%n",
          batch,
          peerPerSecond,
          peerPerSecond * batch,
          p.get("jsonP50Ns").asDouble() / 1e6,
          p.get("jsonP99Ns").asDouble() / 1e6);
    }
    LakeBenchmark.deleteTree(dir);
  }

  static SluiceConfig config(Path dir, int concurrency) {
    return ConfigLoader.parse(
        "functions:\n  - {name: noop, runtime: python3, handler: noop.handler, code: fn,"
            + " timeout: 10s, memory: 256MB, concurrency: "
            + concurrency
            + "}\n",
        "bench.yaml",
        dir,
        SluiceKinds.forReading());
  }

  static FunctionHost host(Path dir, SluiceConfig c) {
    return FunctionHost.start(
        c.functions(),
        SluiceKinds.forReading(),
        dir.resolve("data"),
        Clock.systemUTC(),
        new SimpleMeterRegistry());
  }

  /** Nanoseconds from starting a fresh host to the answer of its first invocation. */
  static long invokeOnce(Path dir, SluiceConfig c, byte[] payload) {
    long t0 = System.nanoTime();
    try (FunctionHost host = host(dir, c)) {
      InvocationResult r = host.invoke("noop", payload, "bench", Duration.ofSeconds(30));
      long t = System.nanoTime() - t0;
      if (!(r instanceof InvocationResult.Success)) {
        throw new IllegalStateException("cold invocation failed: " + r);
      }
      return t;
    }
  }

  /** {@code batch} events: one event's JSON, or with more a JSON array of them. */
  static byte[] payload(int batch, int eventBytes) {
    if (batch == 1) {
      return BenchEvents.orderEvent(0, eventBytes);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(batch * (eventBytes + 1) + 2);
    out.write('[');
    for (int i = 0; i < batch; i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(BenchEvents.orderEvent(i, eventBytes));
    }
    out.write(']');
    return out.toByteArray();
  }

  static long timeProcess(String... command) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed");
    }
    return System.nanoTime() - t0;
  }

  static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  static long median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  static long max(long[] v) {
    return Arrays.stream(v).max().orElse(0);
  }
}

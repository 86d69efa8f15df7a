package io.sluice.benchmarks;

import com.dylibso.chicory.wabt.Wat2Wasm;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.functions.InvocationResult;
import io.sluice.functions.FunctionHost;
import io.sluice.functions.wasm.WasmLoop;
import io.sluice.server.SluiceKinds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Invocations/s, events/s and latency of a no-op (echo) wasm function through {@link FunctionHost},
 * batch 1 (one event per invocation) and batch 100 (a JSON array of 100 events), beside the peer in
 * the same run: one worker of the same module called in a loop on one thread ({@link WasmLoop}, no
 * host), the limit of the runtime.
 *
 * <p>Usage: {@code ./sluice-benchmarks/run.sh WasmFunctionBenchmark [--seconds 10] [--warmup 5]
 * [--batch 1,100] [--concurrency 1,2] [--event-bytes 300]}.
 */
public final class WasmFunctionBenchmark {

  /** Copies stdin to stdout: the no-op handler of the wasm ABI (WASI stdin → stdout). */
  static final String ECHO =
      """
      (module
        (import "wasi_snapshot_preview1" "fd_read"
          (func $fd_read (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_write"
          (func $fd_write (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 2)
        (func (export "handle")
          (local $n i32)
          (i32.store (i32.const 0) (i32.const 1024))
          (i32.store (i32.const 4) (i32.const 120000))
          (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
          (local.set $n (i32.load (i32.const 8)))
          (i32.store (i32.const 16) (i32.const 1024))
          (i32.store (i32.const 20) (local.get $n))
          (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))))
      """;

  private WasmFunctionBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = Args.parse(args);
    Duration measure = Duration.ofSeconds(Long.parseLong(a.getOrDefault("seconds", "10")));
    Duration warmup = Duration.ofSeconds(Long.parseLong(a.getOrDefault("warmup", "5")));
    List<Integer> batches = Args.ints(a.getOrDefault("batch", "1,100"));
    List<Integer> concurrency = Args.ints(a.getOrDefault("concurrency", "1,2"));
    int eventBytes = Integer.parseInt(a.getOrDefault("event-bytes", "300"));
    Path dir = Files.createTempDirectory("sluice-wasm-bench");
    Path module = Files.write(dir.resolve("echo.wasm"), Wat2Wasm.parse(ECHO));
    System.out.println("machine: " + Machine.describe());
    System.out.printf(
        "WasmFunctionBenchmark: %d s after %d s warm-up, batches %s, callers %s, events of ~%d"
            + " bytes%n%n",
        measure.toSeconds(), warmup.toSeconds(), batches, concurrency, eventBytes);
    System.out.println(
        "| batch | callers = workers | path | invocations/s | events/s | p50 ms | p99 ms |"
            + " rate ÷ peer's |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (int batch : batches) {
      byte[] payload = FunctionBenchmark.payload(batch, eventBytes);
      ClosedLoop.Result peer;
      try (WasmLoop loop = new WasmLoop(module, dir.resolve("peer"))) {
        peer =
            ClosedLoop.run(
                "wasm-peer-b" + batch,
                1,
                warmup,
                measure,
                (thread, seq) -> {
                  if (loop.call(payload) != payload.length) {
                    throw new IllegalStateException("the echo did not echo");
                  }
                });
      }
      for (int c : concurrency) {
        try (FunctionHost host = FunctionBenchmark.host(dir, config(dir, module, c))) {
          ClosedLoop.Result r =
              ClosedLoop.run(
                  "wasm-b" + batch + "-c" + c,
                  c,
                  warmup,
                  measure,
                  (thread, seq) -> {
                    InvocationResult res =
                        host.invoke("echo", payload, "bench", Duration.ofSeconds(10));
                    if (!(res instanceof InvocationResult.Success)) {
                      throw new IllegalStateException("invocation failed: " + res);
                    }
                  });
          System.out.printf(
              "| %d | %d | sluice FunctionHost → wasm (Chicory) | %,.0f | %,.0f | %.4f | %.4f |"
                  + " %.2f× |%n",
              batch,
              c,
              r.opsPerSecond(),
              r.opsPerSecond() * batch,
              r.p50Ms(),
              r.p99Ms(),
              r.opsPerSecond() / peer.opsPerSecond());
        }
      }
      System.out.printf(
          "| %d | 1 | peer: the module's worker called in a loop (no host) | %,.0f | %,.0f | %.4f |"
              + " %.4f | 1.00× |%n",
          batch, peer.opsPerSecond(), peer.opsPerSecond() * batch, peer.p50Ms(), peer.p99Ms());
    }
    LakeBenchmark.deleteTree(dir);
  }

  static SluiceConfig config(Path dir, Path module, int concurrency) {
    return ConfigLoader.parse(
        "functions:\n  - {name: echo, runtime: wasm, code: "
            + module
            + ", timeout: 10s, memory: 64MB, concurrency: "
            + concurrency
            + "}\n",
        "bench.yaml",
        dir,
        SluiceKinds.forReading());
  }
}

package io.sluice.functions.wasm;

import io.sluice.core.config.FunctionConfig;
import io.sluice.core.functions.FunctionLog;
import io.sluice.core.functions.RuntimeContext;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * The peer of the wasm benchmark: one worker of the same module called in a loop on one thread,
 * with no host (no invocation records, no concurrency slots, no watchdog hand-off) — the limit of
 * what the runtime can do. In the benchmarks module, in this package only to reach the worker.
 */
public final class WasmLoop implements AutoCloseable {

  private final WasmRuntime runtime;
  private final WasmWorker worker;

  public WasmLoop(Path module, Path workDir) {
    FunctionConfig config =
        new FunctionConfig(
            "peer", "wasm", null, "", java.time.Duration.ofSeconds(10), 64L << 20, 1, Map.of());
    WasmFunction spec = new WasmFunction(module, "handle", WasmCode.Entry.REACTOR, Map.of());
    this.runtime =
        WasmRuntime.start(
            config, spec, new RuntimeContext(workDir, Clock.systemUTC(), FunctionLog.NONE));
    this.worker = new WasmWorker(runtime);
  }

  /** Runs the handler once on {@code event}; returns the bytes it wrote to stdout. */
  public int call(byte[] event) {
    WasmWorker.Outcome o = worker.run(event, System.nanoTime() + 10_000_000_000L);
    if (o.error() != null || o.status() != 0) {
      throw new IllegalStateException("the peer's call failed: " + o);
    }
    return worker.streams.stdout.size();
  }

  @Override
  public void close() {
    runtime.close();
  }
}

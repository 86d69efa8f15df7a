package io.sluice.functions.wasm;

import com.dylibso.chicory.log.Logger;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ExecutionCompletedException;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.util.List;
import java.util.Map;

/**
 * One worker of a wasm function: its standard streams and, for a reactor, the instance it keeps
 * across invocations (a command gets a new instance, and a new WASI, for each).
 *
 * <p>Used by one invocation at a time; the runtime hands it between threads through a concurrent
 * queue. {@link #check} and {@link #stop} are called by other threads (the watchdog, close): they
 * interrupt the thread running the invocation, which Chicory's interpreter and compiled code check
 * at calls and backward branches (and {@link WasmRuntime} at every interpreted instruction).
 */
final class WasmWorker {

  /** Chicory's WASI logs every call at trace level; nothing of it is wanted. */
  static final Logger QUIET =
      new Logger() {
        @Override
        public void log(Level level, String msg, Throwable throwable) {}

        @Override
        public boolean isLoggable(Level level) {
          return false;
        }
      };

  static final String TIMEOUT = "timeout";
  static final String CLOSED = "closed";

  /** How one invocation ended, before it is judged. */
  record Outcome(
      int status, boolean exited, Throwable error, String stopped, boolean initFailed, int pages) {}

  private final WasmRuntime runtime;
  final WasmStreams streams = new WasmStreams();
  private volatile Instance instance;
  private ExportFunction entry;
  private WasiPreview1 wasi;

  private volatile Thread runner;
  private volatile long deadlineNanos;
  private String stopReason; // guarded by this

  WasmWorker(WasmRuntime runtime) {
    this.runtime = runtime;
  }

  /**
   * Runs one invocation on the calling thread: instantiates first when there is no instance (a new
   * worker, or a command), then calls the entry. Never throws for what the module does.
   *
   * @param event stdin, or {@code null} to only instantiate (a reactor's warm-up at start)
   * @param deadlineNanos on {@link System#nanoTime}'s scale
   */
  Outcome run(byte[] event, long deadlineNanos) {
    streams.reset(event == null ? new byte[0] : event);
    this.deadlineNanos = deadlineNanos;
    runner = Thread.currentThread();
    int status = 0;
    boolean exited = false;
    boolean initFailed = false;
    Throwable error = null;
    try {
      if (instance == null) {
        initFailed = true;
        instantiate();
        initFailed = false;
      }
      if (event != null) {
        long[] r = entry.apply();
        status = r == null || r.length == 0 ? 0 : (int) r[0];
      }
    } catch (ExecutionCompletedException e) { // proc_exit(0)
      exited = true;
    } catch (WasiExitException e) {
      exited = true;
      status = e.exitCode();
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      error = e;
    }
    int pages = instance == null ? 0 : instance.memory().pages();
    if (runtime.code().entry() == WasmCode.Entry.COMMAND) {
      discard();
    }
    return new Outcome(status, exited, error, disarm(), initFailed, pages);
  }

  private void instantiate() {
    WasiOptions.Builder options =
        WasiOptions.builder()
            .withStdin(streams.stdin, false)
            .withStdout(streams.stdout, false)
            .withStderr(streams.stderr, false)
            .withClock(runtime.context().clock())
            .withArguments(List.of(runtime.config().name()))
            .withThrowOnExit0(false);
    for (Map.Entry<String, String> e : runtime.config().environment().entrySet()) {
      options.withEnvironment(e.getKey(), e.getValue());
    }
    runtime.spec().directories().forEach(options::withDirectory);
    wasi = WasiPreview1.builder().withLogger(QUIET).withOptions(options.build()).build();
    WasmCode code = runtime.code();
    Instance.Builder b =
        Instance.builder(code.module())
            .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build())
            .withMemoryFactory(ByteArrayMemory::new)
            .withMemoryLimits(
                new MemoryLimits(code.minPages(), Math.min(code.maxPages(), runtime.maxPages())))
            .withMachineFactory(runtime.machine())
            .withStart(false);
    if (runtime.interprets()) {
      b.withUnsafeExecutionListener(
          (instruction, stack) -> {
            if (Thread.currentThread().isInterrupted()) {
              throw new com.dylibso.chicory.runtime.ChicoryInterruptedException(
                  "Thread interrupted");
            }
          });
    }
    instance = b.build();
    if (code.entry() == WasmCode.Entry.REACTOR
        && WasmCode.exportedFunction(code.module(), WasmCode.INITIALIZE) != null) {
      instance.export(WasmCode.INITIALIZE).apply();
    }
    entry = instance.export(code.handler());
  }

  /** Whether an instance is kept (a reactor that has been warmed up and not discarded). */
  boolean isWarm() {
    return instance != null;
  }

  /** Drops the instance (after a failure, or a command's run); the next run builds a new one. */
  void discard() {
    instance = null;
    entry = null;
    if (wasi != null) {
      try {
        wasi.close();
      } catch (ChicoryException | IllegalStateException e) {
        // closing preopened directories; nothing to keep of it
      }
      wasi = null;
    }
  }

  /** The watchdog's tick: stops the invocation when it is past its deadline. */
  void check(long nowNanos) {
    Thread t = runner;
    if (t != null && nowNanos - deadlineNanos >= 0) {
      stop(t, TIMEOUT, nowNanos);
    }
  }

  /** Stops the running invocation, if any, for {@code reason} ({@value #CLOSED}). */
  void stop(String reason) {
    Thread t = runner;
    if (t != null) {
      stop(t, reason, Long.MIN_VALUE);
    }
  }

  private synchronized void stop(Thread t, String reason, long nowNanos) {
    // Under the lock, runner and deadline belong to one invocation: disarm takes the lock too.
    if (runner != t || stopReason != null) {
      return;
    }
    if (reason.equals(TIMEOUT) && nowNanos - deadlineNanos < 0) {
      return;
    }
    stopReason = reason;
    t.interrupt();
  }

  /** Ends the invocation: why it was stopped, or null; clears the interrupt this class caused. */
  private synchronized String disarm() {
    runner = null;
    String r = stopReason;
    stopReason = null;
    if (r != null) {
      Thread.interrupted();
    }
    return r;
  }
}

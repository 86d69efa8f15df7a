package io.sluice.functions.process;

import io.sluice.core.config.FunctionConfig;
import io.sluice.core.functions.FunctionErrors;
import io.sluice.core.functions.FunctionRuntime;
import io.sluice.core.functions.Invocation;
import io.sluice.core.functions.InvocationResult;
import io.sluice.core.functions.InvocationResult.Failure;
import io.sluice.core.functions.InvocationResult.Kind;
import io.sluice.core.functions.RuntimeContext;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A function run by runtime processes that speak the Lambda Runtime API: {@code concurrency} slots,
 * each with at most one {@link Worker}. The first worker starts with the function (so an init error
 * shows at start-up), the others on their slot's first invocation.
 *
 * <p>An invocation takes a free slot, starts its worker if it has none or a dead one, waits for the
 * runtime's first {@code next} (at most {@link #INIT_TIMEOUT}, Lambda's init limit, which is not
 * part of the function's timeout: on a cold start the deadline moves by the time the runtime took
 * to initialise), hands the event over and waits until the deadline. Then:
 *
 * <ul>
 *   <li>past the deadline the process tree is killed, a replacement started at once, and the answer
 *       is {@code Sandbox.Timedout};
 *   <li>a worker that ran out of memory (Python's {@code MemoryError}, V8's heap limit, the C
 *       library's allocation failure on stderr) is replaced at once: {@code Runtime.OutOfMemory};
 *   <li>a worker that exits by itself ends its invocation as {@code Runtime.ExitError} with its
 *       exit status and last stderr lines, and one that posts {@code /runtime/init/error} gives
 *       {@code INIT} failures. Such deaths in a row delay the next start by {@link
 *       ExponentialBackoff#RESTARTS}; an invocation that comes during the delay waits for it when
 *       its deadline allows, else fails at once ({@code INIT} again after an init error, never
 *       starting the runtime only to fail the same way). Any answer from a handler resets it.
 * </ul>
 *
 * <p>Thread-safe. The host asks at most {@code concurrency} invocations at once; a slot belongs to
 * one invocation at a time, so its worker is only replaced by the invocation holding it.
 */
final class ProcessFunction implements FunctionRuntime {

  /** Lambda's limit for a runtime's initialisation. */
  static final Duration INIT_TIMEOUT = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(ProcessFunction.class);

  /** Starts a worker for slot {@code index}. */
  @FunctionalInterface
  interface Launcher {
    Worker start(int index) throws IOException;
  }

  private final io.micrometer.core.instrument.Timer initDuration;
  private final FunctionConfig config;
  private final RuntimeContext context;
  private final Launcher launcher;
  private final ExponentialBackoff backoff;
  private final AtomicReferenceArray<Worker> workers;
  private final ArrayBlockingQueue<Integer> free;
  private final Object restarts = new Object();
  private int failures; // guarded by restarts
  private long nextStartNanos; // guarded by restarts
  private Failure lastFailure; // guarded by restarts
  private volatile boolean failing;
  private volatile boolean closed;

  ProcessFunction(
      FunctionConfig config,
      RuntimeContext context,
      Launcher launcher,
      ExponentialBackoff backoff) {
    this.config = config;
    this.context = context;
    this.launcher = launcher;
    this.backoff = backoff;
    this.initDuration =
        io.micrometer.core.instrument.Timer.builder("sluice.function.init.duration")
            .description(
                "Cold starts of a function's workers: from starting the runtime to its first"
                    + " request for an invocation (Lambda's Init Duration)")
            .tag("function", config.name())
            .register(context.meters());
    this.workers = new AtomicReferenceArray<>(config.concurrency());
    this.free = new ArrayBlockingQueue<>(config.concurrency());
    for (int i = 0; i < config.concurrency(); i++) {
      free.add(i);
    }
    launch(0);
  }

  @Override
  public InvocationResult invoke(Invocation inv) {
    long t0 = System.nanoTime();
    Duration budget = Duration.between(context.clock().instant(), inv.deadline());
    Integer slot;
    try {
      slot = free.poll(Math.max(0, budget.toNanos()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      slot = null;
    }
    if (slot == null) {
      return new Failure(
          FunctionErrors.THROTTLED,
          "every worker of function " + config.name() + " stayed busy until the deadline",
          List.of(),
          Kind.THROTTLED,
          since(t0));
    }
    try {
      return run(slot, inv, t0, budget);
    } finally {
      free.add(slot);
    }
  }

  private InvocationResult run(int slot, Invocation inv, long t0, Duration budget) {
    if (closed) {
      return stopped(t0);
    }
    Worker w = workers.get(slot);
    if (w == null || w.isRetired()) {
      if (w != null) {
        w.kill("it is replaced");
      }
      Failure held = awaitBackoff(t0, budget);
      if (held != null) {
        return held;
      }
      w = launch(slot);
      if (w == null) {
        synchronized (restarts) {
          return Worker.withDuration(lastFailure, since(t0));
        }
      }
    }
    if (!w.ready.isDone()) {
      try {
        CompletableFuture.anyOf(w.ready, w.death)
            .get(INIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        Failure f =
            new Failure(
                FunctionErrors.TIMEOUT,
                "the runtime did not ask for an invocation within "
                    + INIT_TIMEOUT.toSeconds()
                    + " s of starting (Lambda's init limit)",
                List.of(),
                Kind.TIMEOUT,
                since(t0));
        w.kill("it did not initialise within " + INIT_TIMEOUT.toSeconds() + " s");
        failed(f);
        return f;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return stopped(t0);
      } catch (ExecutionException e) {
        throw new IllegalStateException("a worker's futures never fail", e);
      }
      if (w.isDead()) {
        return Worker.withDuration(w.death.join(), since(t0));
      }
    }
    long handed = System.nanoTime();
    long budgetMs = Math.max(0, budget.toMillis());
    Call call =
        new Call(
            inv.requestId(),
            inv.payload(),
            context.clock().millis() + budgetMs,
            t0,
            new CompletableFuture<>());
    w.hand(call);
    InvocationResult r;
    try {
      r = call.result().get(Math.max(0, budget.toNanos()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      Failure timeout = FunctionErrors.timeout(config.timeout(), since(t0));
      if (call.result().complete(timeout)) {
        w.kill("its invocation " + inv.requestId() + " timed out");
        context
            .log()
            .line(
                config.name(),
                inv.requestId(),
                "sluice",
                timeout.errorMessage()
                    + String.format(
                        Locale.ROOT,
                        " (ran %d ms); its runtime was stopped",
                        (System.nanoTime() - handed) / 1_000_000));
        launch(slot);
      }
      r = call.result().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      w.kill("the invoking thread was interrupted");
      return stopped(t0);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a call's future never fails", e);
    }
    if (!(r instanceof Failure f) || f.kind() != Kind.CRASH && f.kind() != Kind.INIT) {
      succeeded(); // the runtime answered (or ran into its timeout): it is healthy
    }
    if (w.isRetired() && !closed && workers.get(slot) == w) {
      if (w.isDead()) {
        // a runtime that exited starts again at the next invocation, after its restart delay
        w.kill("it exited");
      } else {
        w.kill("it ran out of memory");
        launch(slot);
      }
    }
    return r;
  }

  /**
   * Waits for the restart delay when it ends before the deadline; else the failure to answer with.
   * {@code null} when the worker may start now.
   */
  private Failure awaitBackoff(long t0, Duration budget) {
    long wait;
    Failure last;
    int n;
    synchronized (restarts) {
      wait = nextStartNanos - System.nanoTime();
      last = lastFailure;
      n = failures;
    }
    if (wait <= 0 || last == null) {
      return null;
    }
    if (last.kind() == Kind.INIT) {
      return Worker.withDuration(last, since(t0));
    }
    if (wait >= budget.toNanos() - (System.nanoTime() - t0)) {
      return new Failure(
          last.errorType(),
          "the runtime failed "
              + n
              + (n == 1 ? " time" : " times")
              + " in a row and is started again after "
              + backoff.delay(n).toMillis()
              + " ms, past this invocation's deadline; last: "
              + last.errorMessage(),
          last.stackTrace(),
          last.kind(),
          since(t0));
    }
    try {
      Thread.sleep(Duration.ofNanos(wait));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return stopped(t0);
    }
    return null;
  }

  /** Starts slot {@code slot}'s worker; null (and a failure recorded) when it cannot start. */
  private Worker launch(int slot) {
    if (closed) {
      return null;
    }
    Worker w;
    try {
      w = launcher.start(slot);
    } catch (IOException | RuntimeException e) {
      // the machine could not start a process or bind a port now (too many files, no memory):
      // retried, as it may pass later; what cannot pass (no interpreter) is refused when read
      Failure f =
          new Failure(
              FunctionErrors.EXIT,
              "cannot start the runtime: " + e.getMessage(),
              List.of(),
              Kind.CRASH,
              Duration.ZERO);
      LOG.warn("function {}: {}", config.name(), f.errorMessage());
      context.log().line(config.name(), null, "sluice", f.errorMessage());
      failed(f);
      workers.set(slot, null);
      return null;
    }
    workers.set(slot, w);
    if (closed) {
      w.kill("the function is stopped");
      return w;
    }
    Worker started = w;
    w.ready.thenRun(
        () -> {
          // a cold start: from starting the process to its first "next" (Lambda's Init Duration)
          Duration init = started.age();
          initDuration.record(init);
          context
              .log()
              .line(
                  config.name(),
                  null,
                  "sluice",
                  "worker " + slot + " initialised in " + init.toMillis() + " ms (Init Duration)");
        });
    w.death.thenAccept(
        f -> {
          if (f.kind() == Kind.INIT
              || (f.kind() == Kind.CRASH && f.errorType().equals(FunctionErrors.EXIT))) {
            if (!closed && !f.errorMessage().startsWith("the runtime was stopped")) {
              failed(f);
            }
          }
        });
    return w;
  }

  private void failed(Failure f) {
    Duration delay;
    int n;
    synchronized (restarts) {
      n = ++failures;
      delay = backoff.delay(n);
      nextStartNanos = System.nanoTime() + delay.toNanos();
      lastFailure = f;
      failing = true;
    }
    if (f.kind() == Kind.INIT) {
      LOG.warn("function {} cannot initialise: {}", config.name(), f.describe());
    }
    context
        .log()
        .line(
            config.name(),
            null,
            "sluice",
            "runtime failed "
                + n
                + (n == 1 ? " time" : " times")
                + " in a row ("
                + f.describe()
                + "); next start in "
                + delay.toMillis()
                + " ms at the earliest");
  }

  private void succeeded() {
    if (failing) {
      synchronized (restarts) {
        failures = 0;
        nextStartNanos = 0;
        lastFailure = null;
        failing = false;
      }
    }
  }

  private Failure stopped(long t0) {
    return new Failure(
        FunctionErrors.EXIT,
        "the function " + config.name() + " is stopping",
        List.of(),
        Kind.CRASH,
        since(t0));
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  @Override
  public int warmWorkers() {
    int n = 0;
    for (int i = 0; i < workers.length(); i++) {
      Worker w = workers.get(i);
      if (w != null && w.ready.isDone() && !w.isDead()) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void close() {
    closed = true;
    for (int i = 0; i < workers.length(); i++) {
      Worker w = workers.get(i);
      if (w != null) {
        w.stop("the function is stopped", Duration.ofSeconds(5));
      }
    }
  }
}

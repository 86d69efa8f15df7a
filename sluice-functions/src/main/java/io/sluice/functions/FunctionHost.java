package io.sluice.functions;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.config.FunctionConfig;
import io.sluice.core.functions.FunctionErrors;
import io.sluice.core.functions.FunctionRuntime;
import io.sluice.core.functions.Functions;
import io.sluice.core.functions.Invocation;
import io.sluice.core.functions.InvocationResult;
import io.sluice.core.functions.InvocationResult.Failure;
import io.sluice.core.functions.RuntimeContext;
import io.sluice.core.functions.RuntimeKind;
import io.sluice.core.kinds.Kinds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The functions of a node: starts each declared function on its runtime kind, lets at most its
 * {@code concurrency} invocations run at once (a caller waits for a worker up to the time it gives,
 * then gets {@code TooManyRequestsException}), measures them with Lambda's metric names, and keeps
 * each function's last {@value #LOG_LINES} log lines (also logged on logger {@code
 * sluice.function.<name>}).
 *
 * <p>Layout: {@code <dataDir>/functions/<name>/} is each function's work directory.
 *
 * <p>Thread-safe.
 */
public final class FunctionHost implements Functions, AutoCloseable {

  static final int LOG_LINES = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(FunctionHost.class);

  private final Map<String, Running> functions = new LinkedHashMap<>();
  private final String bootId = UUID.randomUUID().toString();
  private final Clock clock;

  private FunctionHost(Clock clock) {
    this.clock = clock;
  }

  /**
   * Starts every function of {@code configs} with the runtime kinds of {@code kinds}.
   *
   * @throws IllegalStateException when a function names a runtime that is not registered (the
   *     config loader refuses that first)
   */
  public static FunctionHost start(
      List<FunctionConfig> configs, Kinds kinds, Path dir, Clock clock, MeterRegistry meters) {
    FunctionHost host = new FunctionHost(clock);
    try {
      for (FunctionConfig f : configs) {
        RuntimeKind<?> kind = kinds.runtime(f.runtime());
        if (kind == null) {
          throw new IllegalStateException(
              "function " + f.name() + ": no runtime kind " + f.runtime() + " is registered");
        }
        Path work = dir.resolve(f.name());
        Files.createDirectories(work);
        Running r = new Running(f, meters);
        host.functions.put(f.name(), r);
        r.runtime = startOn(kind, f, new RuntimeContext(work, clock, r::log, meters));
        r.async =
            new AsyncInvocations(
                f.name(),
                work,
                payload ->
                    r.invoke(
                        payload,
                        "async",
                        f.timeout().multipliedBy(10),
                        clock,
                        UUID.randomUUID().toString()));
      }
    } catch (IOException e) {
      host.close();
      throw new UncheckedIOException("cannot create the functions' directories in " + dir, e);
    } catch (RuntimeException e) {
      host.close();
      throw e;
    }
    return host;
  }

  /** A host with no functions (nodes whose config declares none, tests). */
  public static FunctionHost none(Clock clock) {
    return new FunctionHost(clock);
  }

  private static <S extends FunctionConfig.RuntimeSpec> FunctionRuntime startOn(
      RuntimeKind<S> kind, FunctionConfig f, RuntimeContext context) {
    return kind.start(f, kind.specType().cast(f.spec()), context);
  }

  @Override
  public InvocationResult invoke(
      String name, byte[] payload, String caller, Duration maxWait, String requestId) {
    return running(name).invoke(payload, caller, maxWait, clock, requestId);
  }

  @Override
  public String invokeAsync(String name, byte[] payload) {
    try {
      return running(name).async.submit(payload);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "function " + name + ": the asynchronous invocation could not be stored: " + e, e);
    }
  }

  private Running running(String name) {
    Running r = functions.get(name);
    if (r == null) {
      throw new InvalidInputException(
          InvalidInputException.NOT_FOUND,
          Problem.of(
              "/function",
              "no function named "
                  + Problem.render(name)
                  + (functions.isEmpty()
                      ? " (none is declared)"
                      : " (functions: " + String.join(", ", functions.keySet()) + ")"),
              Problem.render(name)));
    }
    return r;
  }

  @Override
  public String bootId() {
    return bootId;
  }

  @Override
  public boolean has(String name) {
    return functions.containsKey(name);
  }

  @Override
  public List<Info> list() {
    List<Info> out = new ArrayList<>();
    for (Running r : functions.values()) {
      out.add(r.info());
    }
    return out;
  }

  @Override
  public List<LogLine> logs(String name, long afterSequence, int limit) {
    return running(name).logs(afterSequence, limit);
  }

  @Override
  public void close() {
    for (Running r : functions.values()) {
      try {
        if (r.async != null) {
          r.async.close();
        }
        if (r.runtime != null) {
          r.runtime.close();
        }
      } catch (RuntimeException e) {
        LOG.warn("function {}: closing its runtime failed: {}", r.config.name(), e.toString());
      }
    }
  }

  /** One function: its runtime, its concurrency limit, its metrics and its recent log. */
  private static final class Running {
    final FunctionConfig config;
    final Semaphore slots;
    final Logger log;
    final Counter invocations;
    final Counter throttles;
    final Timer duration;
    final MeterRegistry meters;
    final AtomicInteger running = new AtomicInteger();
    final AtomicLong invocationCount = new AtomicLong();
    final AtomicLong errorCount = new AtomicLong();
    final Deque<LogLine> lines = new ArrayDeque<>();
    long sequence;
    volatile String lastError;
    volatile FunctionRuntime runtime;
    volatile AsyncInvocations async;

    Running(FunctionConfig config, MeterRegistry meters) {
      this.config = config;
      this.meters = meters;
      this.slots = new Semaphore(config.concurrency(), true);
      this.log = LoggerFactory.getLogger("sluice.function." + config.name());
      String n = config.name();
      this.invocations =
          Counter.builder("sluice.function.invocations")
              .description("Invocations of a function (Lambda's Invocations), throttled ones too")
              .tag("function", n)
              .register(meters);
      this.throttles =
          Counter.builder("sluice.function.throttles")
              .description("Invocations refused because every worker was busy (Throttles)")
              .tag("function", n)
              .register(meters);
      this.duration =
          Timer.builder("sluice.function.duration")
              .description("How long invocations ran (Duration)")
              .tag("function", n)
              .register(meters);
      Gauge.builder("sluice.function.concurrent.executions", running, AtomicInteger::get)
          .description("Invocations running now (ConcurrentExecutions)")
          .tag("function", n)
          .register(meters);
    }

    InvocationResult invoke(
        byte[] payload, String caller, Duration maxWait, Clock clock, String requestId) {
      invocations.increment();
      invocationCount.incrementAndGet();
      boolean got;
      try {
        got = slots.tryAcquire(Math.max(0, maxWait.toMillis()), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        got = false;
      }
      if (!got) {
        throttles.increment();
        return failed(
            new Failure(
                FunctionErrors.THROTTLED,
                "function "
                    + config.name()
                    + " is running its "
                    + config.concurrency()
                    + " invocations at once (concurrency "
                    + config.concurrency()
                    + ") and none ended within "
                    + maxWait.toMillis()
                    + " ms",
                List.of(),
                InvocationResult.Kind.THROTTLED,
                Duration.ZERO));
      }
      running.incrementAndGet();
      try {
        Invocation inv =
            new Invocation(requestId, payload, clock.instant().plus(config.timeout()), caller);
        long t0 = System.nanoTime();
        InvocationResult result = runtime.invoke(inv);
        duration.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        return result instanceof Failure f ? failed(f) : result;
      } finally {
        running.decrementAndGet();
        slots.release();
      }
    }

    private Failure failed(Failure f) {
      errorCount.incrementAndGet();
      lastError = f.describe();
      Counter.builder("sluice.function.errors")
          .description("Invocations that failed (Errors), by Lambda's error type")
          .tag("function", config.name())
          .tag("type", f.errorType())
          .register(meters)
          .increment();
      return f;
    }

    void log(String function, String requestId, String stream, String text) {
      synchronized (lines) {
        lines.addLast(
            new LogLine(++sequence, System.currentTimeMillis(), function, requestId, stream, text));
        while (lines.size() > LOG_LINES) {
          lines.removeFirst();
        }
      }
      log.info("{}{} {}", requestId == null ? "" : requestId + " ", stream, text);
    }

    List<LogLine> logs(long afterSequence, int limit) {
      List<LogLine> out = new ArrayList<>();
      synchronized (lines) {
        for (LogLine l : lines) {
          if (l.sequence() > afterSequence) {
            out.add(l);
          }
        }
      }
      return out.size() > limit ? out.subList(out.size() - limit, out.size()) : out;
    }

    Info info() {
      FunctionRuntime rt = runtime;
      return new Info(
          config.name(),
          config.runtime(),
          rt == null ? "stopped" : "active",
          config.concurrency(),
          rt == null ? 0 : rt.warmWorkers(),
          running.get(),
          invocationCount.get(),
          errorCount.get(),
          lastError);
    }
  }
}

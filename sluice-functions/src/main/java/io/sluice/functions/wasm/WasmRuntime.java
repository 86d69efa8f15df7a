package io.sluice.functions.wasm;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.internal.ClassLoadingCollector;
import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.compiler.internal.CompilerResult;
import com.dylibso.chicory.compiler.internal.MachineFactory;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.config.ByteSizes;
import io.sluice.core.config.FunctionConfig;
import io.sluice.core.functions.FunctionErrors;
import io.sluice.core.functions.FunctionRuntime;
import io.sluice.core.functions.Invocation;
import io.sluice.core.functions.InvocationResult;
import io.sluice.core.functions.InvocationResult.Failure;
import io.sluice.core.functions.InvocationResult.Kind;
import io.sluice.core.functions.RuntimeContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * A running {@code wasm} function: its module compiled once to JVM bytecode by Chicory's runtime
 * compiler (a function too large for a JVM method is interpreted, and the log says which), and up
 * to {@code concurrency} workers, each with its own instance and memory.
 *
 * <p>The ABI (WASI preview 1, stdin to stdout):
 *
 * <ul>
 *   <li>stdin is the event (UTF-8 JSON), then end of file; what the module writes to stdout is its
 *       result, which must be one JSON value (nothing at all is {@code null}), at most {@value
 *       WasmStreams#MAX_STDOUT_BYTES} bytes; each line written to stderr is a log line of the
 *       invocation.
 *   <li>A <em>reactor</em> exports the handler ({@code handle}, or {@code handler:}), {@code () ->
 *       ()} or {@code () -> i32}; each worker instantiates it once (running {@code _initialize}
 *       when exported) and calls the handler for every invocation, so globals and memory persist
 *       between invocations of one worker. A non-zero result is a handler error.
 *   <li>A <em>command</em> exports {@code _start} (a plain {@code main}); each invocation runs a
 *       new instance. A non-zero exit code is an error.
 *   <li>On an error, stdout may hold Lambda's error shape {@code {"errorType": "...",
 *       "errorMessage": "..."}}; a type ending in {@code PermanentError} is not retried.
 * </ul>
 *
 * <p>Sandbox: the module sees its {@code environment}, argument 0 its function name, the clock and
 * random numbers, and no file system unless {@code directories} grants one; WASI has no sockets.
 * Its memory may grow to {@code memory:} (in 64 KiB pages) and no further: {@code memory.grow}
 * fails there. An invocation past its deadline is interrupted (a watchdog thread interrupts the
 * caller's thread; Chicory checks it at calls and loops) and its instance discarded; a trap
 * discards it too. The next invocation gets a new instance.
 *
 * <p>Thread-safe; an invocation runs on the caller's thread, so the hot path is a queue poll, the
 * handler call, a JSON check of stdout and a queue offer.
 */
final class WasmRuntime implements FunctionRuntime {

  static final String TRAP = "Runtime.Trap";

  /** The JVM itself ran out of heap while the function ran. */
  static final String OUT_OF_MEMORY = "Runtime.OutOfMemory";

  private final FunctionConfig config;
  private final WasmFunction spec;
  private final RuntimeContext context;
  private final WasmCode code;
  private final int maxPages;
  private final Function<Instance, Machine> machine;
  private final boolean interprets;
  private final ConcurrentLinkedDeque<WasmWorker> idle = new ConcurrentLinkedDeque<>();
  private final Set<WasmWorker> workers = ConcurrentHashMap.newKeySet();
  private final Thread watchdog;
  private volatile boolean closed;
  private volatile String initError;

  private WasmRuntime(
      FunctionConfig config,
      WasmFunction spec,
      RuntimeContext context,
      WasmCode code,
      Function<Instance, Machine> machine,
      boolean interprets) {
    this.config = config;
    this.spec = spec;
    this.context = context;
    this.code = code;
    this.maxPages =
        (int) Math.min(MemoryLimits.MAX_PAGES, config.memoryBytes() / WasmCode.PAGE_BYTES);
    this.machine = machine;
    this.interprets = interprets;
    long tick = Math.clamp(config.timeout().toNanos() / 20, 2_000_000L, 100_000_000L);
    this.watchdog =
        Thread.ofPlatform()
            .daemon()
            .name("sluice-wasm-watchdog-" + config.name())
            .unstarted(() -> watch(tick));
  }

  /** Loads and compiles the module; an error here becomes every invocation's INIT failure. */
  static WasmRuntime start(FunctionConfig config, WasmFunction spec, RuntimeContext context) {
    WasmCode code;
    try {
      code = WasmCode.load(spec.code(), spec.handler());
    } catch (WasmCode.Invalid e) {
      return failed(config, spec, context, e.getMessage());
    }
    Function<Instance, Machine> machine;
    boolean interprets;
    try {
      CompilerResult r =
          Compiler.builder(code.module())
              .withInterpreterFallback(InterpreterFallback.SILENT)
              .withClassCollectorFactory(ClassLoadingCollector::new)
              .build()
              .compile();
      machine =
          new MachineFactory(
              code.module(), ((ClassLoadingCollector) r.collector()).machineFactory());
      interprets = !r.interpretedFunctions().isEmpty();
      note(context, config, compiledNote(code, r.interpretedFunctions()));
    } catch (RuntimeException | LinkageError e) {
      machine = InterpreterMachine::new;
      interprets = true;
      note(
          context,
          config,
          "the compiler could not compile " + spec.code() + " (" + e + "); interpreting it");
    }
    WasmRuntime rt = new WasmRuntime(config, spec, context, code, machine, interprets);
    rt.watchdog.start();
    if (code.entry() == WasmCode.Entry.REACTOR) {
      rt.warmUp();
    } else {
      note(context, config, "a command module (_start): each invocation runs a new instance");
    }
    return rt;
  }

  private static WasmRuntime failed(
      FunctionConfig config, WasmFunction spec, RuntimeContext context, String error) {
    WasmRuntime rt = new WasmRuntime(config, spec, context, null, InterpreterMachine::new, true);
    rt.initError = error;
    rt.closed = true;
    note(context, config, "cannot start: " + error);
    return rt;
  }

  private static String compiledNote(WasmCode code, Set<Integer> interpreted) {
    WasmModule m = code.module();
    int functions = m.functionSection().functionCount();
    String compiled =
        "compiled to JVM bytecode: "
            + (functions - interpreted.size())
            + " of "
            + functions
            + " functions";
    if (interpreted.isEmpty()) {
      return compiled;
    }
    List<String> names = new ArrayList<>();
    for (int id : new TreeSet<>(interpreted)) {
      String name = m.nameSection() == null ? null : m.nameSection().nameOfFunction(id);
      if (name == null) {
        name = exportName(m, id);
      }
      names.add(name == null ? "#" + id : "#" + id + " (" + name + ")");
    }
    return compiled
        + "; interpreting "
        + interpreted.size()
        + (interpreted.size() == 1 ? " function" : " functions")
        + " too large for a JVM method: "
        + String.join(", ", names);
  }

  private static String exportName(WasmModule m, int function) {
    for (int i = 0; i < m.exportSection().exportCount(); i++) {
      var e = m.exportSection().getExport(i);
      if (e.exportType() == com.dylibso.chicory.wasm.types.ExternalType.FUNCTION
          && e.index() == function) {
        return "export " + e.name();
      }
    }
    return null;
  }

  private static void note(RuntimeContext context, FunctionConfig config, String text) {
    context.log().line(config.name(), null, "sluice", text);
  }

  /** Instantiates the first worker now, so an init error shows at start, not at the first call. */
  private void warmUp() {
    WasmWorker w = new WasmWorker(this);
    workers.add(w);
    WasmWorker.Outcome o = w.run(null, System.nanoTime() + config.timeout().toNanos());
    if (o.error() == null && o.stopped() == null && !o.exited()) {
      idle.push(w);
      return;
    }
    w.discard();
    workers.remove(w);
    Failure f = judge(o, Duration.ZERO);
    initError = f.errorType().equals(FunctionErrors.INIT) ? f.errorMessage() : f.describe();
    note(context, config, "cannot start: " + initError);
  }

  FunctionConfig config() {
    return config;
  }

  WasmFunction spec() {
    return spec;
  }

  RuntimeContext context() {
    return context;
  }

  WasmCode code() {
    return code;
  }

  int maxPages() {
    return maxPages;
  }

  Function<Instance, Machine> machine() {
    return machine;
  }

  boolean interprets() {
    return interprets;
  }

  @Override
  public InvocationResult invoke(Invocation inv) {
    String error = initError;
    if (error != null) {
      return new Failure(FunctionErrors.INIT, error, List.of(), Kind.INIT, Duration.ZERO);
    }
    if (closed) {
      return stoppedFailure(Duration.ZERO);
    }
    long t0 = System.nanoTime();
    long deadline =
        t0 + Math.max(0, Duration.between(context.clock().instant(), inv.deadline()).toNanos());
    WasmWorker w = idle.pollFirst();
    if (w == null) {
      w = new WasmWorker(this);
      workers.add(w);
    }
    WasmWorker.Outcome o = w.run(inv.payload(), deadline);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    logStderr(inv.requestId(), w);
    InvocationResult result;
    if (o.error() != null
        || o.stopped() != null
        || (o.exited() && code.entry() == WasmCode.Entry.REACTOR)) {
      Failure f = judge(o, took);
      w.discard();
      if (code.entry() == WasmCode.Entry.REACTOR) {
        context
            .log()
            .line(
                config.name(),
                inv.requestId(),
                "sluice",
                f.describe() + "; its instance was discarded, the next invocation gets a new one");
      }
      result = f;
    } else if (o.status() != 0) {
      result = handlerError(o, w.streams.stdout, took);
    } else {
      result = success(w.streams.stdout, took);
    }
    idle.offerFirst(w);
    if (closed && idle.remove(w)) { // closed meanwhile: close() may have drained idle already
      w.discard();
      workers.remove(w);
    }
    return result;
  }

  private void logStderr(String requestId, WasmWorker w) {
    if (w.streams.stderr.size() == 0) {
      return;
    }
    for (String line : w.streams.stderrLines()) {
      context.log().line(config.name(), requestId, "stderr", line);
    }
  }

  /** The failure of an invocation that was stopped, trapped, or exited a reactor. */
  private Failure judge(WasmWorker.Outcome o, Duration took) {
    if (WasmWorker.TIMEOUT.equals(o.stopped())) {
      return FunctionErrors.timeout(config.timeout(), took);
    }
    if (WasmWorker.CLOSED.equals(o.stopped())) {
      return stoppedFailure(took);
    }
    Throwable e = o.error();
    if (e instanceof WasmStreams.ResponseTooLarge) {
      return new Failure(
          FunctionErrors.INVALID_RESPONSE, e.getMessage(), List.of(), Kind.INVALID_RESPONSE, took);
    }
    if (e instanceof OutOfMemoryError) {
      return new Failure(
          OUT_OF_MEMORY,
          "the JVM ran out of memory running the function (" + e.getMessage() + ")",
          List.of(),
          Kind.CRASH,
          took);
    }
    if (e instanceof ChicoryInterruptedException) { // interrupted by someone else: keep the flag
      Thread.currentThread().interrupt();
      return new Failure(
          FunctionErrors.EXIT,
          "the invocation was interrupted (its thread is stopping)",
          List.of(),
          Kind.CRASH,
          took);
    }
    if (o.exited()) {
      return new Failure(
          FunctionErrors.EXIT,
          "the module called proc_exit(" + o.status() + "); a reactor's handler must return",
          List.of(),
          Kind.CRASH,
          took);
    }
    String message = e instanceof StackOverflowError ? "call stack exhausted" : e.getMessage();
    if (message == null || message.isBlank()) {
      message = e.getClass().getSimpleName();
    }
    int cap = Math.min(code.maxPages(), maxPages);
    if (cap > code.minPages() && o.pages() * 8L >= cap * 7L) {
      // A module whose memory.grow failed usually traps next (Rust's allocator aborts), so say so;
      // Chicory does not tell whether a grow failed, hence a hint and not a kind of its own.
      message +=
          "; its memory is nearly full: "
              + o.pages()
              + " of "
              + cap
              + " pages (memory: "
              + ByteSizes.format(config.memoryBytes())
              + ")";
    }
    if (o.initFailed()) {
      return new Failure(
          FunctionErrors.INIT,
          "the module could not be instantiated: " + message,
          List.of(),
          Kind.INIT,
          took);
    }
    return FunctionErrors.handler(TRAP, message, List.of(), took);
  }

  private Failure stoppedFailure(Duration took) {
    return new Failure(
        FunctionErrors.EXIT,
        "function " + config.name() + " was stopped: its runtime is closing",
        List.of(),
        Kind.CRASH,
        took);
  }

  private InvocationResult success(WasmStreams.Buffer out, Duration took) {
    int end = out.size();
    byte[] b = out.array();
    while (end > 0 && isSpace(b[end - 1])) {
      end--;
    }
    if (end == 0) {
      return new InvocationResult.Success(
          "null".getBytes(StandardCharsets.US_ASCII), took); // nothing written: null
    }
    String problem = jsonProblem(b, end);
    if (problem != null) {
      return new Failure(
          FunctionErrors.INVALID_RESPONSE,
          "the handler's stdout is not JSON: " + problem + "; it wrote " + preview(b, end),
          List.of(),
          Kind.INVALID_RESPONSE,
          took);
    }
    return new InvocationResult.Success(Arrays.copyOf(b, end), took);
  }

  /** A non-zero result or exit code: Lambda's error shape from stdout when it is there. */
  private InvocationResult handlerError(
      WasmWorker.Outcome o, WasmStreams.Buffer out, Duration took) {
    String what =
        code.entry() == WasmCode.Entry.COMMAND
            ? "exited with code " + o.status()
            : code.handler() + " returned " + o.status();
    JsonNode error = null;
    if (out.size() > 0 && jsonProblem(out.array(), out.size()) == null) {
      try {
        error = Json.MAPPER.readTree(out.array(), 0, out.size());
      } catch (IOException e) {
        error = null;
      }
    }
    if (error != null
        && error.isObject()
        && (error.path("errorType").isTextual() || error.path("errorMessage").isTextual())) {
      List<String> stack = new ArrayList<>();
      error.path("stackTrace").forEach(n -> stack.add(n.asText()));
      return FunctionErrors.handler(
          error.path("errorType").asText(null),
          error.path("errorMessage").asText(what),
          stack,
          took);
    }
    String printed = out.size() == 0 ? "" : "; it wrote " + preview(out.array(), out.size());
    return FunctionErrors.handler("Error", "the handler " + what + printed, List.of(), took);
  }

  /** Why {@code b[0, end)} is not exactly one JSON value, or {@code null} when it is. */
  private static String jsonProblem(byte[] b, int end) {
    try (JsonParser p = Json.MAPPER.getFactory().createParser(b, 0, end)) {
      if (p.nextToken() == null) {
        return "it is empty";
      }
      p.skipChildren();
      JsonToken after = p.nextToken();
      return after == null ? null : "more than one JSON value";
    } catch (JsonProcessingException e) {
      return e.getOriginalMessage();
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static String preview(byte[] b, int end) {
    int n = Math.min(end, 200);
    String s = new String(b, 0, n, StandardCharsets.UTF_8);
    return io.sluice.core.Problem.render(s) + (end > n ? " (" + end + " bytes)" : "");
  }

  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
  }

  private void watch(long tickNanos) {
    while (!closed) {
      long now = System.nanoTime();
      for (WasmWorker w : workers) {
        w.check(now);
      }
      LockSupport.parkNanos(tickNanos);
    }
  }

  @Override
  public int warmWorkers() {
    int n = 0;
    for (WasmWorker w : workers) {
      if (w.isWarm()) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(watchdog);
    for (WasmWorker w : workers) {
      w.stop(WasmWorker.CLOSED);
    }
    WasmWorker w;
    while ((w = idle.pollFirst()) != null) {
      w.discard();
      workers.remove(w);
    }
    try {
      watchdog.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

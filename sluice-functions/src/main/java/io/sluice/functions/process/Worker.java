package io.sluice.functions.process;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.config.ByteSizes;
import io.sluice.core.config.FunctionConfig;
import io.sluice.core.functions.FunctionErrors;
import io.sluice.core.functions.FunctionLog;
import io.sluice.core.functions.InvocationResult;
import io.sluice.core.functions.InvocationResult.Failure;
import io.sluice.core.functions.InvocationResult.Kind;
import io.sluice.functions.process.RuntimeApiServer.Request;
import io.sluice.functions.process.RuntimeApiServer.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One runtime process and the Lambda Runtime API it polls, on its own loopback port. Lifecycle:
 * started → {@link #ready} (its first {@code GET next}: initialised) → one {@link Call} at a time
 * through a hand-off of one → {@link #death} completes with the failure that ended it (an init
 * error it posted, its exit, or {@link #kill}); a dead worker is never reused.
 *
 * <p>What the runtime prints goes to the function's log line by line (lines over 64 KiB are split),
 * with the request id of the invocation it is running or ran last (output is read asynchronously,
 * so a line printed just before an answer may be attributed to that invocation or the next: never
 * to a wrong function). The last {@value #TAIL} stderr lines are kept for crash messages.
 *
 * <p>Thread-safe: the invoking thread, the Runtime API's connection threads and the exit watcher
 * meet only in the hand-off queue, volatile fields and the call's future (first completion wins).
 */
final class Worker {

  static final String API = "/2018-06-01/runtime/";
  static final int TAIL = 20;
  private static final int MAX_LOG_LINE = 64 * 1024;
  private static final String OK = "{\"status\":\"OK\"}";

  private final FunctionConfig config;
  private final FunctionLog log;
  private final int index;
  private final ArrayBlockingQueue<Call> handoff = new ArrayBlockingQueue<>(1);
  private final Deque<String> stderrTail = new ArrayDeque<>();
  private final Deque<String> stdoutTail = new ArrayDeque<>();
  private final CountDownLatch outputDone = new CountDownLatch(2);

  /** Completes at the runtime's first {@code next}: it has initialised. */
  final CompletableFuture<Void> ready = new CompletableFuture<>();

  /** Completes with why the worker is unusable: an init error, its exit, a kill. */
  final CompletableFuture<Failure> death = new CompletableFuture<>();

  private final RuntimeApiServer server;
  private final Process process;
  private final long startNanos = System.nanoTime();
  private volatile Call current;
  private volatile String logRequestId;
  private volatile String killedFor;
  private volatile boolean retire;

  /**
   * Starts the process; its output readers and exit watcher run on virtual threads.
   *
   * @throws IOException when the process cannot be started or the port not bound
   */
  Worker(
      FunctionConfig config,
      FunctionLog log,
      int index,
      List<String> command,
      Map<String, String> environment,
      Path dir)
      throws IOException {
    this.config = config;
    this.log = log;
    this.index = index;
    this.server = new RuntimeApiServer(this::handle, "fn-" + config.name() + "-" + index);
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    Map<String, String> env = pb.environment();
    env.clear();
    env.putAll(environment);
    env.put("AWS_LAMBDA_RUNTIME_API", server.address());
    try {
      this.process = pb.start();
    } catch (IOException e) {
      server.close();
      throw e;
    }
    process.getOutputStream().close();
    Thread.ofVirtual().start(() -> pump(process.getInputStream(), "stdout"));
    Thread.ofVirtual().start(() -> pump(process.getErrorStream(), "stderr"));
    Thread.ofVirtual().start(this::watch);
  }

  long pid() {
    return process.pid();
  }

  String address() {
    return server.address();
  }

  boolean isDead() {
    return death.isDone();
  }

  /** Whether the worker must be replaced after its current call (it ran out of memory). */
  boolean isRetired() {
    return retire || death.isDone();
  }

  Duration age() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  /**
   * Hands {@code call} to the runtime's {@code next}. When the worker died meanwhile the call is
   * completed with why.
   */
  void hand(Call call) {
    if (!handoff.offer(call)) {
      throw new IllegalStateException("worker " + index + " was handed two calls at once");
    }
    if (death.isDone() && handoff.remove(call)) {
      call.result().complete(withDuration(death.join(), call.elapsed()));
    }
  }

  /**
   * Stops the process and its children (the whole tree, children first, so none is left behind
   * reparented) because of {@code reason}; the call it runs, if any, is left to the caller.
   */
  void kill(String reason) {
    if (killedFor == null) {
      killedFor = reason;
    }
    List<ProcessHandle> tree = new ArrayList<>();
    try {
      process.descendants().forEach(tree::add);
    } catch (RuntimeException e) {
      // the process is gone already
    }
    for (ProcessHandle h : tree) {
      h.destroyForcibly();
    }
    process.destroyForcibly();
  }

  /** Kills and waits up to {@code wait} for the process to be gone. */
  void stop(String reason, Duration wait) {
    kill(reason);
    try {
      process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // -- the Runtime API -------------------------------------------------------------------------

  private Response handle(Request r) throws InterruptedException {
    String path = r.path();
    if (!path.startsWith(API)) {
      return notFound(r);
    }
    String rest = path.substring(API.length());
    if (rest.equals("invocation/next") && r.method().equals("GET")) {
      return next();
    }
    if (rest.equals("init/error") && r.method().equals("POST")) {
      return initError(r);
    }
    if (rest.startsWith("invocation/") && r.method().equals("POST")) {
      int slash = rest.indexOf('/', "invocation/".length());
      if (slash > 0) {
        String id = rest.substring("invocation/".length(), slash);
        String what = rest.substring(slash + 1);
        if (what.equals("response")) {
          return response(id, r);
        }
        if (what.equals("error")) {
          return error(id, r);
        }
      }
    }
    return notFound(r);
  }

  private static Response notFound(Request r) {
    return Response.json(
        404,
        "{\"errorMessage\":"
            + quote("no Runtime API resource " + r.method() + " " + r.path())
            + ",\"errorType\":\"InvalidRequest\"}");
  }

  private Response next() throws InterruptedException {
    if (death.isDone()) {
      return Response.json(
          403,
          "{\"errorMessage\":\"the runtime is stopping\",\"errorType\":\"InvalidStateTransition\"}");
    }
    Call before = current;
    if (before != null
        && before
            .result()
            .complete(
                new Failure(
                    FunctionErrors.INVALID_RESPONSE,
                    "the runtime asked for the next invocation without answering request "
                        + before.requestId()
                        + " (tried again on a new worker)",
                    List.of(),
                    Kind.CRASH, // a runtime that lost its request (a reconnect): retried
                    before.elapsed()))) {
      retire = true;
    }
    current = null;
    ready.complete(null);
    Call c = handoff.take();
    current = c;
    logRequestId = c.requestId();
    return new Response(
        200,
        c.payload(),
        "Lambda-Runtime-Aws-Request-Id",
        c.requestId(),
        "Lambda-Runtime-Deadline-Ms",
        Long.toString(c.deadlineMs()),
        "Lambda-Runtime-Invoked-Function-Arn",
        ProcessEnvironment.arn(config.name()),
        "Lambda-Runtime-Trace-Id",
        ProcessEnvironment.traceId(c.requestId(), c.deadlineMs()));
  }

  private Call callFor(String id) {
    Call c = current;
    return c != null && c.requestId().equals(id) ? c : null;
  }

  private static Response invalidRequestId(String id) {
    return Response.json(
        400,
        "{\"errorMessage\":"
            + quote("no invocation " + id + " is running on this runtime")
            + ",\"errorType\":\"InvalidRequestID\"}");
  }

  private Response response(String id, Request r) {
    Call c = callFor(id);
    if (c == null) {
      return invalidRequestId(id);
    }
    current = null;
    if (r.tooLarge()) {
      c.result()
          .complete(
              new Failure(
                  FunctionErrors.INVALID_RESPONSE,
                  "the handler returned "
                      + r.declaredLength()
                      + " bytes, more than Lambda's limit of "
                      + RuntimeApiServer.MAX_BODY_BYTES
                      + " bytes (6 MB)",
                  List.of(),
                  Kind.INVALID_RESPONSE,
                  c.elapsed()));
      return Response.json(
          413,
          "{\"errorMessage\":"
              + quote(
                  "Response payload size ("
                      + r.declaredLength()
                      + " bytes) exceeded maximum allowed payload size ("
                      + RuntimeApiServer.MAX_BODY_BYTES
                      + " bytes).")
              + ",\"errorType\":\"Function.ResponseSizeTooLarge\"}");
    }
    byte[] body = r.body().length == 0 ? NULL : r.body();
    String notJson = notJson(body);
    c.result()
        .complete(
            notJson == null
                ? new InvocationResult.Success(body, c.elapsed())
                : invalidResponse(notJson, c.elapsed()));
    return Response.json(202, OK);
  }

  private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

  static Failure invalidResponse(String why, Duration duration) {
    return new Failure(
        FunctionErrors.INVALID_RESPONSE,
        "the handler returned something that is not JSON: " + why,
        List.of(),
        Kind.INVALID_RESPONSE,
        duration);
  }

  /**
   * Why {@code body} is not one JSON value, or {@code null} when it is; reads tokens without
   * building a tree.
   */
  static String notJson(byte[] body) {
    try (JsonParser p = Json.MAPPER.getFactory().createParser(body)) {
      if (p.nextToken() == null) {
        return "an empty body";
      }
      p.skipChildren();
      if (p.nextToken() != null) {
        return "more than one JSON value: " + snippet(body);
      }
      return null;
    } catch (IOException e) {
      return snippet(body);
    }
  }

  private static String snippet(byte[] body) {
    String s = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
    return quote(s) + (body.length > 200 ? "… (" + body.length + " bytes)" : "");
  }

  private Response error(String id, Request r) {
    Call c = callFor(id);
    if (c == null) {
      return invalidRequestId(id);
    }
    current = null;
    Failure f = parseError(r, c.elapsed());
    if (isOutOfMemory(f.errorType())) {
      retire = true;
      f = outOfMemory(f.stackTrace(), c.elapsed());
    } else if (isClassNotFound(f)) {
      f = new Failure(f.errorType(), f.errorMessage(), f.stackTrace(), Kind.INIT, c.elapsed());
    } else if (f.errorType().equals("Runtime.MarshalError")) {
      f = invalidResponse(f.errorMessage(), c.elapsed());
    } else {
      f = FunctionErrors.handler(f.errorType(), f.errorMessage(), f.stackTrace(), c.elapsed());
    }
    c.result().complete(f);
    return Response.json(202, OK);
  }

  private Response initError(Request r) {
    if (ready.isDone()) {
      return Response.json(
          403,
          "{\"errorMessage\":\"the runtime has initialised already\","
              + "\"errorType\":\"InvalidStateTransition\"}");
    }
    Failure posted = parseError(r, age());
    Failure f =
        new Failure(
            posted.errorType().equals("Error") ? FunctionErrors.INIT : posted.errorType(),
            posted.errorMessage(),
            posted.stackTrace(),
            Kind.INIT,
            age());
    if (death.complete(f)) {
      log.line(config.name(), null, "sluice", "init error: " + f.describe());
      for (String frame : f.stackTrace()) {
        log.line(config.name(), null, "sluice", "  " + frame);
      }
    }
    return Response.json(202, OK);
  }

  /**
   * Lambda's error body {@code {errorMessage, errorType, stackTrace}}; when it is missing or not
   * that, the {@code Lambda-Runtime-Function-Error-Type} header and the body's text.
   */
  private static Failure parseError(Request r, Duration duration) {
    String type = r.errorType();
    String message = "";
    List<String> trace = List.of();
    JsonNode n = null;
    if (!r.tooLarge() && r.body().length > 0) {
      try {
        n = Json.MAPPER.readTree(r.body());
      } catch (IOException e) {
        message = new String(r.body(), StandardCharsets.UTF_8);
      }
    }
    if (n != null && n.isObject()) {
      if (n.path("errorType").isTextual() && !n.path("errorType").asText().isBlank()) {
        type = n.path("errorType").asText();
      }
      message = n.path("errorMessage").isValueNode() ? n.path("errorMessage").asText() : "";
      JsonNode st = n.path("stackTrace");
      if (st.isArray()) {
        List<String> frames = new ArrayList<>(st.size());
        st.forEach(s -> frames.add(s.isTextual() ? s.asText() : s.toString()));
        trace = frames;
      } else if (st.isTextual()) {
        trace = List.of(st.asText().split("\n"));
      }
    } else if (n != null) {
      message = n.toString();
    }
    if (type == null || type.isBlank()) {
      type = "Error";
    }
    return new Failure(type, message, trace, Kind.HANDLER, duration);
  }

  // -- output and exit ---------------------------------------------------------------------------

  private void pump(InputStream in, String stream) {
    try (in) {
      byte[] buf = new byte[8192];
      ByteArrayOutputStream line = new ByteArrayOutputStream(256);
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        int start = 0;
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            line.write(buf, start, i - start);
            emit(stream, line);
            start = i + 1;
          } else if (line.size() + (i - start) >= MAX_LOG_LINE) {
            line.write(buf, start, i - start);
            emit(stream, line);
            start = i;
          }
        }
        line.write(buf, start, n - start);
      }
      if (line.size() > 0) {
        emit(stream, line);
      }
    } catch (IOException e) {
      // the process is gone
    } finally {
      outputDone.countDown();
    }
  }

  private void emit(String stream, ByteArrayOutputStream line) {
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    if (!text.isEmpty() && text.charAt(text.length() - 1) == '\r') {
      text = text.substring(0, text.length() - 1);
    }
    Deque<String> tail = stream.equals("stderr") ? stderrTail : stdoutTail;
    synchronized (tail) {
      tail.addLast(text);
      if (tail.size() > (tail == stderrTail ? TAIL : 3)) {
        tail.removeFirst();
      }
    }
    log.line(config.name(), logRequestId, stream, text);
  }

  private List<String> tail() {
    synchronized (stderrTail) {
      return List.copyOf(stderrTail);
    }
  }

  /**
   * The last lines on stdout: the JVM says "Terminating due to java.lang.OutOfMemoryError" there.
   */
  private List<String> lastStdout() {
    synchronized (stdoutTail) {
      return List.copyOf(stdoutTail);
    }
  }

  private void watch() {
    int code;
    try {
      code = process.waitFor();
      outputDone.await(2, TimeUnit.SECONDS); // a child holding the pipes open must not hold us
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    server.close();
    List<String> tail = tail();
    String killed = killedFor;
    Failure f;
    if (killed != null) {
      f =
          new Failure(
              FunctionErrors.EXIT,
              "the runtime was stopped: " + killed,
              List.of(),
              Kind.CRASH,
              age());
    } else if (tail.stream().anyMatch(Worker::saysOutOfMemory)
        || lastStdout().stream().anyMatch(Worker::saysOutOfMemory)) {
      f = outOfMemory(tail, age());
    } else {
      f = exitFailure(code, tail, age());
    }
    if (death.complete(f) && killed == null) {
      log.line(
          config.name(),
          logRequestId,
          "sluice",
          "runtime process " + process.pid() + " exited: " + f.describe());
    }
    Call c = current;
    if (c == null) {
      c = handoff.poll();
    }
    if (c != null) {
      c.result().complete(withDuration(death.join(), c.elapsed()));
    }
  }

  /**
   * Lambda's wording: {@code Runtime exited with error: exit status 3} or {@code signal: killed}.
   */
  static Failure exitFailure(int code, List<String> tail, Duration duration) {
    String status =
        switch (code) {
          case 134 -> "signal: aborted";
          case 137 -> "signal: killed";
          case 139 -> "signal: segmentation fault";
          case 143 -> "signal: terminated";
          default -> "exit status " + code;
        };
    String last = tail.isEmpty() ? "" : "; last stderr: " + tail.get(tail.size() - 1);
    return new Failure(
        FunctionErrors.EXIT,
        "Runtime exited with error: " + status + last,
        tail,
        Kind.CRASH,
        duration);
  }

  Failure outOfMemory(List<String> trace, Duration duration) {
    return new Failure(
        OUT_OF_MEMORY,
        "the function ran out of memory (memory: " + ByteSizes.format(config.memoryBytes()) + ")",
        trace,
        Kind.CRASH,
        duration);
  }

  /** Lambda's error type for a function stopped for its memory. */
  static final String OUT_OF_MEMORY = "Runtime.OutOfMemory";

  /**
   * AWS's Java client answers every invocation of a handler class it cannot load with this error
   * instead of posting an init error: it is one all the same.
   */
  private static boolean isClassNotFound(Failure f) {
    return f.errorType().equals("java.lang.ClassNotFoundException")
        && f.errorMessage().startsWith("Class not found: ");
  }

  private static boolean isOutOfMemory(String errorType) {
    return errorType.equals("MemoryError")
        || errorType.equals(OUT_OF_MEMORY)
        || errorType.equals("java.lang.OutOfMemoryError");
  }

  /** The last words of a runtime that ran out of memory: Python's, V8's, the C library's. */
  private static boolean saysOutOfMemory(String line) {
    String l = line.toLowerCase(Locale.ROOT);
    return l.contains("memoryerror")
        || l.contains("heap out of memory")
        || l.contains("cannot allocate memory")
        || l.contains("outofmemoryerror")
        || l.contains("std::bad_alloc");
  }

  static Failure withDuration(Failure f, Duration d) {
    return new Failure(f.errorType(), f.errorMessage(), f.stackTrace(), f.kind(), d);
  }

  static String quote(String s) {
    try {
      return Json.MAPPER.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a JSON string", e);
    }
  }

  @Override
  public String toString() {
    return "worker " + index + " of " + config.name() + " (pid " + process.pid() + ")";
  }
}

package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.functions.Functions;
import io.sluice.core.functions.InvocationResult;
import io.sluice.core.functions.InvocationResult.Failure;
import io.sluice.core.functions.InvocationResult.Success;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Functions over HTTP: Sluice's own listing and logs, and AWS Lambda's Invoke API, so {@code aws
 * lambda invoke --endpoint-url} and the AWS SDKs' Lambda clients call Sluice's functions.
 *
 * <ul>
 *   <li>{@code GET /functions} → {@code {"functions":[{"name","runtime","state","concurrency",
 *       "warmWorkers","running","invocations","errors","lastError"}]}} ({@code read}).
 *   <li>{@code GET /functions/{name}/logs?after=N&limit=M} → {@code {"lines":[{"sequence",
 *       "time","requestId","stream","text"}],"next":N,"boot":ID}} ({@code read}); pass {@code
 *       after=next} to follow, from 0 again when {@code boot} changed (the server restarted).
 *   <li>{@code POST /2015-03-31/functions/{name}/invocations} with {@code X-Amz-Invocation-Type}
 *       {@code RequestResponse} (the default: 200 and the result; a failed invocation is 200 with
 *       {@code X-Amz-Function-Error: Unhandled} and {@code {"errorMessage","errorType",
 *       "stackTrace"}}), {@code Event} (202 once the invocation is stored durably; it runs in
 *       order, is retried twice, and is set aside with its error when it never succeeds: see
 *       FunctionHost) or {@code DryRun} (204); {@code X-Amz-Log-Type: Tail} adds the last 4 KB of
 *       the invocation's log lines, base64, in {@code X-Amz-Log-Result}. Errors in Lambda's shape:
 *       {@code x-amzn-ErrorType} and {@code {"Type","message"}}: 404 {@code
 *       ResourceNotFoundException}, 400 {@code InvalidRequestContentException} (a payload that is
 *       not JSON), 413 {@code RequestTooLargeException} (over 6 MB), 429 {@code
 *       TooManyRequestsException} (every worker busy). Needs the {@code functions:invoke} scope.
 * </ul>
 */
final class FunctionsApi implements Api {

  /** Lambda's limit for a synchronous invocation's payload. */
  static final int MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;

  /** Lambda's limit for an asynchronous ({@code Event}) invocation's payload. */
  static final int MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;

  /** How long a synchronous invocation waits for a busy function's worker before 429. */
  static final Duration MAX_WAIT = Duration.ofSeconds(10);

  static final String ACCOUNT = "000000000000";
  static final String REGION = "local";

  private final Functions functions;
  private final ApiKeys keys;

  FunctionsApi(Functions functions, ApiKeys keys) {
    this.functions = functions;
    this.keys = keys;
  }

  @Override
  public void mount(RoutesConfig routes) {
    routes.get("/functions", this::list);
    routes.get("/functions/{name}/logs", this::logs);
    routes.post("/2015-03-31/functions/{name}/invocations", this::invoke);
  }

  void list(Context ctx) {
    keys.require(ctx, "read");
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode arr = out.putArray("functions");
    for (Functions.Info i : functions.list()) {
      ObjectNode f = arr.addObject();
      f.put("name", i.name());
      f.put("runtime", i.runtime());
      f.put("state", i.state());
      f.put("concurrency", i.concurrency());
      f.put("warmWorkers", i.warmWorkers());
      f.put("running", i.running());
      f.put("invocations", i.invocations());
      f.put("errors", i.errors());
      f.put("lastError", i.lastError());
    }
    AdminApi.json(ctx, 200, out);
  }

  void logs(Context ctx) {
    keys.require(ctx, "read");
    String name = ctx.pathParam("name");
    long after = QueryParams.longParam(ctx, "after", 0, 0, Long.MAX_VALUE);
    int limit = (int) QueryParams.longParam(ctx, "limit", 100, 1, 1000);
    List<Functions.LogLine> lines = functions.logs(name, after, limit);
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode arr = out.putArray("lines");
    long next = after;
    for (Functions.LogLine l : lines) {
      ObjectNode o = arr.addObject();
      o.put("sequence", l.sequence());
      o.put("time", java.time.Instant.ofEpochMilli(l.timeMs()).toString());
      o.put("requestId", l.requestId());
      o.put("stream", l.stream());
      o.put("text", l.text());
      next = Math.max(next, l.sequence());
    }
    out.put("next", next);
    out.put("boot", functions.bootId());
    AdminApi.json(ctx, 200, out);
  }

  void invoke(Context ctx) {
    String name = functionName(ctx.pathParam("name"));
    try {
      keys.require(ctx, "functions:invoke");
      if (!functions.has(name)) {
        throw new LambdaError(
            404,
            "ResourceNotFoundException",
            "Function not found: arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:" + name);
      }
      String type = header(ctx, "X-Amz-Invocation-Type", "RequestResponse");
      byte[] payload = ctx.bodyAsBytes();
      if (payload.length > MAX_SYNC_PAYLOAD_BYTES) {
        throw new LambdaError(
            413,
            "RequestTooLargeException",
            "Request must be smaller than "
                + MAX_SYNC_PAYLOAD_BYTES
                + " bytes for the InvokeFunction operation, got "
                + payload.length);
      }
      if (payload.length == 0) {
        payload = "{}".getBytes(StandardCharsets.UTF_8);
      }
      checkJson(payload);
      switch (type) {
        case "RequestResponse" -> requestResponse(ctx, name, payload);
        case "Event" -> {
          if (payload.length > MAX_ASYNC_PAYLOAD_BYTES) {
            throw new LambdaError(
                413,
                "RequestTooLargeException",
                "Request must be smaller than "
                    + MAX_ASYNC_PAYLOAD_BYTES
                    + " bytes for an Event invocation, got "
                    + payload.length);
          }
          String id = functions.invokeAsync(name, payload);
          ctx.header("X-Amzn-RequestId", id);
          ctx.status(202);
        }
        case "DryRun" -> ctx.status(204);
        default ->
            throw new LambdaError(
                400,
                "InvalidParameterValueException",
                "X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, got "
                    + Problem.render(type));
      }
    } catch (LambdaError e) {
      writeError(ctx, e.status, e.type, e.getMessage());
    } catch (InvalidInputException e) {
      String t =
          switch (e.code()) {
            case InvalidInputException.UNAUTHORIZED -> "UnrecognizedClientException";
            case InvalidInputException.FORBIDDEN -> "AccessDeniedException";
            default -> "InvalidParameterValueException";
          };
      writeError(ctx, HttpErrors.status(e.code()), t, e.getMessage());
    }
  }

  private void requestResponse(Context ctx, String name, byte[] payload) {
    boolean tail = "Tail".equalsIgnoreCase(ctx.header("X-Amz-Log-Type"));
    long before = tail ? lastSequence(name) : 0;
    String requestId = java.util.UUID.randomUUID().toString();
    InvocationResult r = functions.invoke(name, payload, "api", MAX_WAIT, requestId);
    ctx.header("X-Amz-Executed-Version", "$LATEST");
    ctx.header("X-Amzn-RequestId", requestId);
    if (tail) {
      settleLogs(name);
      ctx.header("X-Amz-Log-Result", logTail(name, before, requestId));
    }
    switch (r) {
      case Success s -> {
        ctx.status(200);
        ctx.contentType("application/json");
        ctx.result(s.payload());
      }
      case Failure f when f.kind() == InvocationResult.Kind.THROTTLED ->
          throw new LambdaError(429, "TooManyRequestsException", f.errorMessage());
      case Failure f -> {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("errorMessage", f.errorMessage());
        body.put("errorType", f.errorType());
        ArrayNode trace = body.putArray("stackTrace");
        f.stackTrace().forEach(trace::add);
        ctx.header("X-Amz-Function-Error", "Unhandled");
        AdminApi.json(ctx, 200, body);
      }
    }
  }

  /**
   * Waits until the function's log has had no new line for {@value #SETTLE_MS} ms (at most {@value
   * #SETTLE_MAX_MS} ms): a runtime's output is read on its own thread, so the last lines a handler
   * printed before answering may arrive just after the answer. Only for {@code Tail}.
   */
  private void settleLogs(String name) {
    long last = lastSequence(name);
    long quietSince = System.nanoTime();
    long until = quietSince + SETTLE_MAX_MS * 1_000_000L;
    while (System.nanoTime() < until && System.nanoTime() - quietSince < SETTLE_MS * 1_000_000L) {
      java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
      long now = lastSequence(name);
      if (now != last) {
        last = now;
        quietSince = System.nanoTime();
      }
    }
  }

  static final long SETTLE_MS = 30;
  static final long SETTLE_MAX_MS = 500;

  private long lastSequence(String name) {
    List<Functions.LogLine> l = functions.logs(name, 0, 1);
    return l.isEmpty() ? 0 : l.get(l.size() - 1).sequence();
  }

  /**
   * The invocation's own log lines since {@code after}, at most the last 4 KB, base64 (Lambda's
   * Tail): other invocations running at the same time write to the same log.
   */
  private String logTail(String name, long after, String requestId) {
    StringBuilder b = new StringBuilder();
    for (Functions.LogLine l : functions.logs(name, after, 1000)) {
      if (requestId.equals(l.requestId())) {
        b.append(l.text()).append('\n');
      }
    }
    byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
    int from = Math.max(0, bytes.length - 4096);
    return Base64.getEncoder()
        .encodeToString(java.util.Arrays.copyOfRange(bytes, from, bytes.length));
  }

  private static void checkJson(byte[] payload) {
    try {
      JsonNode n = Json.MAPPER.readTree(payload);
      if (n == null) {
        throw new IOException("no value");
      }
    } catch (IOException | RuntimeException e) {
      throw new LambdaError(
          400,
          "InvalidRequestContentException",
          "Could not parse request body into json: "
              + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  /**
   * The function a Lambda caller names: a name, {@code name:$LATEST}, or a full or partial ARN
   * ({@code arn:aws:lambda:region:account:function:name}, {@code account:function:name}), as Lambda
   * takes them. Sluice has one version of each function, {@code $LATEST}; another qualifier names
   * no function.
   */
  static String functionName(String given) {
    String n = given;
    int f = n.indexOf("function:");
    if (f >= 0) {
      n = n.substring(f + "function:".length());
    }
    if (n.endsWith(":$LATEST")) {
      n = n.substring(0, n.length() - ":$LATEST".length());
    }
    return n;
  }

  private static String header(Context ctx, String name, String def) {
    String v = ctx.header(name);
    return v == null || v.isBlank() ? def : v.trim();
  }

  /** An error in Lambda's REST shape. */
  static final class LambdaError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String type;

    LambdaError(int status, String type, String message) {
      super(message, null, false, false);
      this.status = status;
      this.type = type;
    }
  }

  static void writeError(Context ctx, int status, String type, String message) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("Type", "User");
    body.put("message", message);
    ctx.header("x-amzn-ErrorType", type);
    if (status == 429) {
      ctx.header("Retry-After", HttpErrors.RETRY_AFTER_SECONDS);
    }
    AdminApi.json(ctx, status, body);
  }
}

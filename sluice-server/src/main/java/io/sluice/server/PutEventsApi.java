package io.sluice.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.sluice.core.EventCodec;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.engine.Buses;
import io.sluice.engine.Ingest;
import io.sluice.engine.Ingest.Entry;
import io.sluice.engine.Ingest.Failed;
import io.sluice.engine.Ingest.Invalid;
import io.sluice.engine.Ingest.Outcome;
import io.sluice.engine.Ingest.Stored;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * EventBridge's {@code PutEvents} on the AWS JSON 1.1 protocol: {@code POST /} with {@code
 * X-Amz-Target: AWSEvents.PutEvents}, so the AWS SDKs and CLI work with {@code --endpoint-url}.
 *
 * <p>Request {@code {"Entries":[{"Source","DetailType","Detail":"<JSON text>","Resources",
 * "Time","EventBusName"}]}} (1 to 10 entries; total entry size, computed as EventBridge does, at
 * most 256 KB). Response {@code {"FailedEntryCount":n,"Entries":[{"EventId"} | {"ErrorCode",
 * "ErrorMessage"}]}} in request order. Request-level errors use the AWS shape: status 400, header
 * {@code x-amzn-ErrorType} and body {@code {"__type":"ValidationException","message":"…"}}. SigV4
 * signatures are not verified yet (API keys, when configured, still apply).
 */
final class PutEventsApi implements Api {

  static final int MAX_ENTRIES = 10;
  static final int MAX_TOTAL_ENTRY_BYTES = 256 * 1024;
  static final String AWS_JSON = "application/x-amz-json-1.1";

  private final Buses buses;
  private final Ingest ingest;
  private final ApiKeys keys;
  private final RequestBodies bodies;
  private final IngestMetrics metrics;

  PutEventsApi(
      Buses buses, Ingest ingest, ApiKeys keys, RequestBodies bodies, IngestMetrics metrics) {
    this.buses = buses;
    this.ingest = ingest;
    this.keys = keys;
    this.bodies = bodies;
    this.metrics = metrics;
  }

  @Override
  public void mount(RoutesConfig routes) {
    routes.post("/", this::handle);
  }

  /** An AWS-protocol error for the whole request. */
  static final class AwsError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String type;

    AwsError(int status, String type, String message) {
      super(message, null, false, false);
      this.status = status;
      this.type = type;
    }
  }

  void handle(Context ctx) {
    String target = ctx.header("X-Amz-Target");
    try {
      if ("AWSEvents.PutEvents".equals(target)) {
        putEvents(ctx);
      } else if ("AWSEvents.TestEventPattern".equals(target)) {
        testEventPattern(ctx);
      } else if (target == null) {
        throw new AwsError(
            400,
            "UnknownOperationException",
            "POST / needs an X-Amz-Target header such as AWSEvents.PutEvents");
      } else {
        throw new AwsError(
            400,
            "UnknownOperationException",
            "operation "
                + target
                + " is not supported; supported: AWSEvents.PutEvents, AWSEvents.TestEventPattern");
      }
    } catch (AwsError e) {
      writeError(ctx, e.status, e.type, e.getMessage());
    } catch (InvalidInputException e) {
      String type =
          switch (e.code()) {
            case InvalidInputException.UNAUTHORIZED -> "UnrecognizedClientException";
            case InvalidInputException.FORBIDDEN -> "AccessDeniedException";
            default -> "ValidationException";
          };
      writeError(ctx, HttpErrors.status(e.code()), type, e.getMessage());
    } catch (io.sluice.core.TransientException e) {
      ctx.header("Retry-After", HttpErrors.RETRY_AFTER_SECONDS);
      writeError(ctx, 503, "ServiceUnavailableException", e.getMessage());
    }
  }

  /**
   * {@code TestEventPattern}: {@code {"EventPattern":"<json>","Event":"<json>"}} → {@code
   * {"Result":true|false}}; an invalid pattern is 400 {@code InvalidEventPatternException} naming
   * the problem and its path.
   */
  private void testEventPattern(Context ctx) {
    keys.authenticate(ctx);
    JsonNode root;
    try (RequestBodies.Body body = bodies.read(ctx)) {
      try {
        root = Json.MAPPER.readTree(body.bytes, 0, body.length);
      } catch (IOException | NumberFormatException e) {
        throw new AwsError(
            400,
            "SerializationException",
            "the request body is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    String patternText = root == null ? null : text(root, "EventPattern");
    String eventText = root == null ? null : text(root, "Event");
    if (patternText == null) {
      throw new AwsError(
          400, "ValidationException", "EventPattern is required: the pattern as a JSON string");
    }
    if (eventText == null) {
      throw new AwsError(
          400, "ValidationException", "Event is required: the event as a JSON string");
    }
    JsonNode pattern;
    JsonNode event;
    try {
      pattern = Json.MAPPER.readTree(patternText);
    } catch (IOException | NumberFormatException e) {
      throw new AwsError(
          400,
          "InvalidEventPatternException",
          "Event pattern is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    try {
      event = Json.MAPPER.readTree(eventText);
    } catch (IOException | NumberFormatException e) {
      throw new AwsError(
          400,
          "ValidationException",
          "Parameter Event is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (event == null || !event.isObject()) {
      throw new AwsError(
          400, "ValidationException", "Parameter Event is not valid: expected a JSON object");
    }
    List<Problem> problems = io.sluice.core.rules.PatternValidator.check(pattern, "");
    if (!problems.isEmpty()) {
      throw new AwsError(
          400, "InvalidEventPatternException", "Event pattern is not valid: " + problems.get(0));
    }
    boolean result =
        !io.sluice.core.rules.RuleSet.compile(Map.of("p", pattern)).matches(event).isEmpty();
    ctx.status(200).contentType(AWS_JSON).result("{\"Result\":" + result + "}");
  }

  static void writeError(Context ctx, int status, String type, String message) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("__type", type);
    n.put("message", message);
    ctx.status(status).header("x-amzn-ErrorType", type).contentType(AWS_JSON).result(n.toString());
  }

  private void putEvents(Context ctx) {
    long t0 = System.nanoTime();
    int status = 500;
    try {
      ApiKeys.Principal principal = keys.authenticate(ctx);
      JsonNode root;
      try (RequestBodies.Body body = bodies.read(ctx)) {
        if (body.length == 0) {
          throw new AwsError(
              400,
              "SerializationException",
              "the request body is empty; expected {\"Entries\":[…]}");
        }
        int bad = io.sluice.core.Utf8.firstInvalid(body.bytes, 0, body.length);
        if (bad >= 0) {
          throw new AwsError(
              400,
              "SerializationException",
              "the request body is not UTF-8 text ("
                  + io.sluice.core.Utf8.describe(body.bytes, bad, body.length)
                  + " at byte "
                  + bad
                  + ")");
        }
        try {
          root = Json.MAPPER.readTree(body.bytes, 0, body.length);
        } catch (IOException | NumberFormatException e) {
          throw new AwsError(
              400,
              "SerializationException",
              "the request body is not valid JSON: "
                  + e.getMessage().lines().findFirst().orElse(""));
        }
      }
      JsonNode entries = root == null ? null : root.get("Entries");
      if (entries == null || !entries.isArray()) {
        throw new AwsError(
            400,
            "ValidationException",
            "Entries: expected an array of 1 to 10 entries, got " + Json.describe(entries));
      }
      if (entries.isEmpty() || entries.size() > MAX_ENTRIES) {
        throw new AwsError(
            400,
            "ValidationException",
            "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length"
                + " between 1 and 10, got "
                + entries.size()
                + " entries");
      }
      long total = 0;
      for (JsonNode e : entries) {
        total += entrySize(e);
      }
      if (total > MAX_TOTAL_ENTRY_BYTES) {
        throw new AwsError(
            400,
            "ValidationException",
            "Total size of the entries in the request is "
                + total
                + " bytes, over the limit of "
                + MAX_TOTAL_ENTRY_BYTES
                + " bytes");
      }
      List<Entry> prepared = new ArrayList<>(entries.size());
      List<String> busOf = new ArrayList<>(entries.size());
      for (int i = 0; i < entries.size(); i++) {
        JsonNode e = entries.get(i);
        String bus = busName(e.get("EventBusName"));
        busOf.add(bus);
        if (bus == null) {
          prepared.add(
              new Invalid(
                  "InvalidArgument",
                  List.of(
                      Problem.of(
                          "/Entries/" + i + "/EventBusName",
                          "Parameter EventBusName is not valid. Reason: expected a bus name or event-bus ARN."))));
        } else if (!buses.exists(bus)) {
          prepared.add(
              new Invalid(
                  "ResourceNotFoundException",
                  List.of(
                      Problem.of(
                          "/Entries/" + i + "/EventBusName",
                          "Event bus " + bus + " does not exist."))));
        } else if (!principal.allows("ingest:" + bus)) {
          prepared.add(
              new Invalid(
                  "AccessDeniedException",
                  List.of(
                      Problem.of(
                          "/Entries/" + i,
                          "API key "
                              + Problem.render(principal.name())
                              + " lacks the scope ingest:"
                              + bus))));
        } else {
          prepared.add(entry(e, "/Entries/" + i));
        }
      }
      Outcome[] outcomes = new Outcome[prepared.size()];
      Map<String, List<Integer>> byBus = new LinkedHashMap<>();
      for (int i = 0; i < prepared.size(); i++) {
        if (prepared.get(i) instanceof Invalid inv) {
          outcomes[i] =
              new Failed(inv.code(), inv.problems().get(0).message(), inv.problems(), false);
          metrics.rejected("putevents", busOf.get(i) == null ? "?" : busOf.get(i), inv.code(), 1);
        } else {
          byBus.computeIfAbsent(busOf.get(i), b -> new ArrayList<>()).add(i);
        }
      }
      List<CompletableFuture<Void>> stores = new ArrayList<>();
      for (Map.Entry<String, List<Integer>> g : byBus.entrySet()) {
        List<Entry> group = g.getValue().stream().map(prepared::get).toList();
        stores.add(
            ingest
                .store(g.getKey(), group)
                .thenAccept(
                    res -> {
                      metrics.outcomes("putevents", g.getKey(), res);
                      for (int k = 0; k < res.size(); k++) {
                        outcomes[g.getValue().get(k)] = res.get(k);
                      }
                    }));
      }
      CompletableFuture.allOf(stores.toArray(CompletableFuture[]::new)).join();
      ctx.status(200).contentType(AWS_JSON).result(response(outcomes));
      status = 200;
    } catch (AwsError e) {
      status = e.status;
      metrics.rejected("putevents", "?", e.type, 1);
      throw e;
    } finally {
      metrics.request("putevents", status, System.nanoTime() - t0);
    }
  }

  /**
   * EventBridge's entry size: Time 14 bytes, then UTF-8 bytes of Source, DetailType, Detail,
   * Resources.
   */
  static long entrySize(JsonNode e) {
    long size = 0;
    if (e.hasNonNull("Time")) {
      size += 14;
    }
    for (String f : List.of("Source", "DetailType", "Detail")) {
      JsonNode v = e.get(f);
      if (v != null && v.isTextual()) {
        size += v.asText().getBytes(StandardCharsets.UTF_8).length;
      }
    }
    JsonNode res = e.get("Resources");
    if (res != null && res.isArray()) {
      for (JsonNode r : res) {
        size += r.asText().getBytes(StandardCharsets.UTF_8).length;
      }
    }
    return size;
  }

  /** A bus name from a name or an ARN ({@code arn:aws:events:region:account:event-bus/name}). */
  static String busName(JsonNode n) {
    if (n == null || n.isNull()) {
      return "default";
    }
    if (!n.isTextual() || n.asText().isEmpty()) {
      return null;
    }
    String s = n.asText();
    int slash = s.lastIndexOf("event-bus/");
    return s.startsWith("arn:")
        ? (slash < 0 ? null : s.substring(slash + "event-bus/".length()))
        : s;
  }

  /** The entry parser alone, for the fuzz test. */
  Entry entryForFuzzing(JsonNode e) {
    return entry(e, "/Entries/0");
  }

  private Entry entry(JsonNode e, String path) {
    ObjectNode env = JsonNodeFactory.instance.objectNode();
    String source = text(e, "Source");
    if (source == null || source.isEmpty()) {
      return invalid(
          path + "/Source",
          "Parameter Source is not valid. Reason: Source is a required argument.");
    }
    String detailType = text(e, "DetailType");
    if (detailType == null || detailType.isEmpty()) {
      return invalid(
          path + "/DetailType",
          "Parameter DetailType is not valid. Reason: DetailType is a required argument.");
    }
    String detailText = text(e, "Detail");
    if (detailText == null) {
      return invalid(
          path + "/Detail",
          "Parameter Detail is not valid. Reason: Detail is a required argument.");
    }
    JsonNode detail;
    try {
      detail = ingest.codec().readDetail(detailText.getBytes(StandardCharsets.UTF_8));
    } catch (InvalidInputException ex) {
      String code =
          ex.code().equals(InvalidInputException.LIMIT_EXCEEDED)
              ? "InvalidArgument"
              : "MalformedDetail";
      return new Invalid(
          code,
          List.of(Problem.of(path + "/Detail", "Detail is malformed: " + ex.problems().get(0))));
    }
    if (!detail.isObject()) {
      return new Invalid(
          "MalformedDetail",
          List.of(
              Problem.of(
                  path + "/Detail",
                  "Detail is malformed: expected a JSON object, got " + Json.describe(detail))));
    }
    env.put("source", source);
    env.put("detail-type", detailType);
    JsonNode res = e.get("Resources");
    if (res != null && !res.isNull()) {
      if (!res.isArray()) {
        return invalid(
            path + "/Resources",
            "Parameter Resources is not valid. Reason: expected an array of strings.");
      }
      var arr = env.putArray("resources");
      for (JsonNode r : res) {
        if (!r.isTextual()) {
          return invalid(
              path + "/Resources",
              "Parameter Resources is not valid. Reason: expected an array of strings.");
        }
        arr.add(r.asText());
      }
    }
    JsonNode time = e.get("Time");
    if (time != null && !time.isNull()) {
      Instant t = null;
      if (time.isNumber()) {
        double seconds = time.asDouble();
        t = Instant.ofEpochMilli(Math.round(seconds * 1000));
      } else if (time.isTextual()) {
        t = EventCodec.parseTime(time.asText());
      }
      if (t == null) {
        return invalid(
            path + "/Time",
            "Parameter Time is not valid. Reason: expected epoch seconds or an ISO-8601 timestamp, got "
                + Json.describe(time)
                + ".");
      }
      env.put("time", EventCodec.formatTime(t));
    }
    env.set("detail", detail);
    Entry prepared = ingest.prepare(env, path);
    if (prepared instanceof Invalid inv) {
      return new Invalid("InvalidArgument", inv.problems());
    }
    return prepared;
  }

  private static String text(JsonNode e, String field) {
    JsonNode v = e.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  private static Invalid invalid(String path, String message) {
    return new Invalid("InvalidArgument", List.of(Problem.of(path, message)));
  }

  static byte[] response(Outcome[] outcomes) {
    ByteArrayBuilder out = new ByteArrayBuilder(64 + 60 * outcomes.length);
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      int failed = 0;
      for (Outcome o : outcomes) {
        if (o instanceof Failed) {
          failed++;
        }
      }
      g.writeStartObject();
      g.writeNumberField("FailedEntryCount", failed);
      g.writeArrayFieldStart("Entries");
      for (Outcome o : outcomes) {
        g.writeStartObject();
        switch (o) {
          case Stored s -> g.writeStringField("EventId", s.id());
          case Failed f -> {
            g.writeStringField("ErrorCode", f.retryable() ? "InternalFailure" : f.code());
            g.writeStringField("ErrorMessage", f.message());
          }
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}

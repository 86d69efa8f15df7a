package io.sluice.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.sluice.core.CloudEventMapping;
import io.sluice.core.Event;
import io.sluice.core.EventCodec;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.config.LimitsConfig;
import io.sluice.engine.Buses;
import io.sluice.engine.Ingest;
import io.sluice.engine.Ingest.Entry;
import io.sluice.engine.Ingest.Failed;
import io.sluice.engine.Ingest.Invalid;
import io.sluice.engine.Ingest.Outcome;
import io.sluice.engine.Ingest.Stored;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code POST /buses/{bus}/events}: the native protocol and the CloudEvents 1.0 HTTP binding on one
 * path, chosen by Content-Type.
 *
 * <ul>
 *   <li>{@code application/json}: one event object, or an array of them;
 *   <li>{@code application/x-ndjson}: one event per line (blank lines skipped);
 *   <li>{@code application/cloudevents+json}: one structured-mode CloudEvent;
 *   <li>{@code application/cloudevents-batch+json}: an array of CloudEvents;
 *   <li>any request with a {@code ce-specversion} header: binary mode, the body is the data.
 * </ul>
 *
 * <p>Response 200 {@code {"entries":[…]}} in request order, each {@code
 * {"id","partition","offset"}} or {@code {"error":{"code","message","problems"}}}; a request
 * holding one event that is invalid gets the error itself with its status (400, 413). Every stored
 * event is on disk before the response is written.
 */
final class IngestApi implements Api {

  static final String ACCEPTED_TYPES =
      "application/json, application/x-ndjson, application/cloudevents+json,"
          + " application/cloudevents-batch+json, or CloudEvents binary mode (ce-* headers)";

  private final Buses buses;
  private final Ingest ingest;
  private final ApiKeys keys;
  private final RequestBodies bodies;
  private final IngestMetrics metrics;
  private final LimitsConfig limits;

  IngestApi(
      Buses buses,
      Ingest ingest,
      ApiKeys keys,
      RequestBodies bodies,
      IngestMetrics metrics,
      LimitsConfig limits) {
    this.buses = buses;
    this.ingest = ingest;
    this.keys = keys;
    this.bodies = bodies;
    this.metrics = metrics;
    this.limits = limits;
  }

  @Override
  public void mount(RoutesConfig routes) {
    routes.post("/buses/{bus}/events", this::post);
  }

  /** What a request carried: its entries, whether it was a single event, and the protocol. */
  private record Parsed(List<Entry> entries, boolean single, String protocol) {}

  void post(Context ctx) {
    long t0 = System.nanoTime();
    String bus = ctx.pathParam("bus");
    String protocol = "native";
    int status = 500;
    try {
      keys.require(ctx, "ingest:" + bus);
      if (!buses.exists(bus)) {
        throw Buses.notFound(bus);
      }
      try (RequestBodies.Body body = bodies.read(ctx)) {
        Parsed parsed = parse(ctx, body);
        protocol = parsed.protocol();
        if (parsed.entries().size() > limits.maxBatchEntries()) {
          throw new InvalidInputException(
              InvalidInputException.TOO_LARGE,
              Problem.of(
                  "",
                  parsed.entries().size()
                      + " events in one request, over the limit of "
                      + limits.maxBatchEntries()
                      + " (server.limits.maxBatchEntries)"));
        }
        List<Outcome> outcomes = ingest.store(bus, parsed.entries()).join();
        metrics.outcomes(protocol, bus, outcomes);
        status = respond(ctx, parsed.single(), outcomes);
      }
    } catch (InvalidInputException e) {
      metrics.rejected(protocol, bus, e.code(), 1);
      status = HttpErrors.status(e.code());
      throw e;
    } catch (RuntimeException e) {
      status = e instanceof io.sluice.core.TransientException ? 503 : 500;
      throw e;
    } finally {
      metrics.request(protocol, status, System.nanoTime() - t0);
    }
  }

  private Parsed parse(Context ctx, RequestBodies.Body body) {
    if (ctx.header("ce-specversion") != null) {
      return new Parsed(List.of(binaryCloudEvent(ctx, body)), true, "cloudevents");
    }
    String type = mediaType(ctx.header("Content-Type"));
    EventCodec codec = ingest.codec();
    switch (type) {
      case "application/json", "text/json" -> {
        int first = firstNonWhitespace(body.bytes, body.length);
        if (first >= 0 && body.bytes[first] == '[') {
          JsonNode arr = codec.readTree(body.bytes, 0, body.length, 1);
          List<Entry> out = new ArrayList<>(arr.size());
          for (int i = 0; i < arr.size(); i++) {
            out.add(ingest.prepare(arr.get(i), "/" + i));
          }
          return new Parsed(out, false, "native");
        }
        JsonNode node = codec.readTree(body.bytes, 0, body.length, 0);
        return new Parsed(List.of(ingest.prepare(node, "")), true, "native");
      }
      case "application/x-ndjson", "application/jsonl", "application/json-seq" -> {
        return new Parsed(ndjson(body), false, "native");
      }
      case "application/cloudevents+json" -> {
        JsonNode node = codec.readTree(body.bytes, 0, body.length, 0);
        return new Parsed(List.of(cloudEvent(node, "")), true, "cloudevents");
      }
      case "application/cloudevents-batch+json" -> {
        JsonNode arr = codec.readTree(body.bytes, 0, body.length, 1);
        if (!arr.isArray()) {
          throw new InvalidInputException(
              InvalidInputException.INVALID_EVENT,
              Problem.of(
                  "",
                  "expected a JSON array of CloudEvents (batch mode), got " + Json.describe(arr)));
        }
        List<Entry> out = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
          out.add(cloudEvent(arr.get(i), "/" + i));
        }
        return new Parsed(out, false, "cloudevents");
      }
      case "" ->
          throw new InvalidInputException(
              InvalidInputException.UNSUPPORTED_MEDIA_TYPE,
              Problem.of("/headers/Content-Type", "is required: " + ACCEPTED_TYPES));
      default ->
          throw new InvalidInputException(
              InvalidInputException.UNSUPPORTED_MEDIA_TYPE,
              Problem.of(
                  "/headers/Content-Type",
                  "expected " + ACCEPTED_TYPES + ", got " + Problem.render(type),
                  Problem.render(type)));
    }
  }

  private List<Entry> ndjson(RequestBodies.Body body) {
    List<Entry> out = new ArrayList<>();
    byte[] b = body.bytes;
    int start = 0;
    while (start < body.length) {
      int end = start;
      while (end < body.length && b[end] != '\n') {
        end++;
      }
      int stop = end;
      if (stop > start && b[stop - 1] == '\r') {
        stop--;
      }
      if (firstNonWhitespace(b, start, stop) >= 0) {
        String path = "/" + out.size();
        try {
          JsonNode node = ingest.codec().readTree(b, start, stop - start, 0);
          out.add(ingest.prepare(node, path));
        } catch (InvalidInputException e) {
          out.add(new Invalid(e.code(), Problem.under(path, e.problems())));
        }
        if (out.size() > limits.maxBatchEntries()) {
          break; // enough to refuse the request; do not parse the rest
        }
      }
      start = end + 1;
    }
    return out;
  }

  private Entry cloudEvent(JsonNode node, String path) {
    List<Problem> problems = new ArrayList<>();
    Event e = CloudEventMapping.toEvent(node, path, ingest.codec(), problems);
    if (e == null) {
      return new Invalid(EventCodec.codeFor(problems), problems);
    }
    return ingest.prepare(e, path);
  }

  private Entry binaryCloudEvent(Context ctx, RequestBodies.Body body) {
    Map<String, String> headers = new LinkedHashMap<>();
    Enumeration<String> names = ctx.req().getHeaderNames();
    while (names.hasMoreElements()) {
      String n = names.nextElement();
      if (n.toLowerCase(Locale.ROOT).startsWith("ce-")) {
        headers.put(n, ctx.req().getHeader(n));
      }
    }
    String contentType = ctx.header("Content-Type");
    JsonNode data = null;
    if (firstNonWhitespace(body.bytes, body.length) >= 0) {
      String mt = mediaType(contentType);
      if (!mt.equals("application/json") && !mt.endsWith("+json") && !mt.equals("text/json")) {
        throw new InvalidInputException(
            InvalidInputException.UNSUPPORTED_MEDIA_TYPE,
            Problem.of(
                "/headers/Content-Type",
                "binary-mode CloudEvent data must be JSON (application/json or */*+json) to become the"
                    + " event's detail, got "
                    + Problem.render(mt.isEmpty() ? "nothing" : mt),
                Problem.render(mt)));
      }
      data = ingest.codec().readTree(body.bytes, 0, body.length, 1);
    }
    return cloudEvent(CloudEventMapping.fromBinary(headers, contentType, data), "");
  }

  /** Writes the response; returns the status. */
  private static int respond(Context ctx, boolean single, List<Outcome> outcomes) {
    if (single && outcomes.get(0) instanceof Failed f) {
      if (f.retryable()) {
        ctx.header("Retry-After", HttpErrors.RETRY_AFTER_SECONDS);
        HttpErrors.write(ctx, 503, f.code(), f.message(), f.problems());
        return 503;
      }
      int status = HttpErrors.status(f.code());
      HttpErrors.write(ctx, status, f.code(), f.message(), f.problems());
      return status;
    }
    int retryable = 0;
    for (Outcome o : outcomes) {
      if (o instanceof Failed f && f.retryable()) {
        retryable++;
      }
    }
    if (retryable > 0) {
      ctx.header("Retry-After", HttpErrors.RETRY_AFTER_SECONDS);
    }
    // an empty batch is stored trivially: 200 with no entries (never "busy")
    int status = !outcomes.isEmpty() && retryable == outcomes.size() ? 503 : 200;
    HttpErrors.writeJson(ctx, status, entries(outcomes));
    return status;
  }

  static byte[] entries(List<Outcome> outcomes) {
    ByteArrayBuilder out = new ByteArrayBuilder(64 + 80 * outcomes.size());
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeArrayFieldStart("entries");
      for (Outcome o : outcomes) {
        g.writeStartObject();
        switch (o) {
          case Stored s -> {
            g.writeStringField("id", s.id());
            g.writeNumberField("partition", s.partition());
            g.writeNumberField("offset", s.offset());
          }
          case Failed f -> {
            g.writeObjectFieldStart("error");
            g.writeStringField("code", f.code());
            g.writeStringField("message", f.message());
            HttpErrors.writeProblems(g, f.problems());
            g.writeEndObject();
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

  /** The media type of a Content-Type header, lower case, without parameters; "" when absent. */
  static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semi = contentType.indexOf(';');
    String mt =
        (semi >= 0 ? contentType.substring(0, semi) : contentType).trim().toLowerCase(Locale.ROOT);
    if (semi >= 0) {
      String params = contentType.substring(semi + 1).toLowerCase(Locale.ROOT);
      int cs = params.indexOf("charset=");
      if (cs >= 0) {
        String rest = params.substring(cs + 8);
        int end = 0;
        while (end < rest.length() && ";, \t".indexOf(rest.charAt(end)) < 0) {
          end++;
        }
        String charset = rest.substring(0, end).replace("\"", "");
        if (!charset.equals("utf-8") && !charset.equals("utf8")) {
          throw new InvalidInputException(
              InvalidInputException.UNSUPPORTED_MEDIA_TYPE,
              Problem.of(
                  "/headers/Content-Type",
                  "expected charset utf-8, got " + Problem.render(charset),
                  Problem.render(charset)));
        }
      }
    }
    return mt;
  }

  static int firstNonWhitespace(byte[] b, int length) {
    return firstNonWhitespace(b, 0, length);
  }

  static int firstNonWhitespace(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        return i;
      }
    }
    return -1;
  }
}

package io.sluice.functions.target;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.functions.Functions;
import io.sluice.core.functions.InvocationResult;
import io.sluice.core.functions.InvocationResult.Failure;
import io.sluice.core.functions.InvocationResult.Success;
import io.sluice.core.kinds.EventSink;
import io.sluice.core.kinds.TargetContext;
import io.sluice.core.targets.DeliveryException;
import io.sluice.core.targets.Outbound;
import io.sluice.core.targets.Sender;
import io.sluice.core.transform.TransformOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Calls the function with a delivery (one event's body, or a JSON array of a batch's bodies) and
 * uses its result: with {@code onSuccess}, the result becomes events on that bus (an object with
 * {@code detail} is an event, any other object its detail, an array several events, {@code null}
 * none; envelope fields not given are the first matched event's); a retryable failure is thrown as
 * retryable (retried, then dead-lettered); a permanent one goes to {@code onFailure} as a {@code
 * Function Failed} event when set, else is thrown as permanent.
 *
 * <p>Thread-safe: holds nothing per call.
 */
final class FunctionSender implements Sender {

  static final String FAILED = "Function Failed";

  private static final List<String> INHERITED =
      List.of("source", "detail-type", "resources", "partitionkey", "account", "region");

  private final FunctionTarget spec;
  private final Functions functions;
  private final TargetContext context;
  private final String caller;

  FunctionSender(FunctionTarget spec, Functions functions, TargetContext context) {
    this.spec = spec;
    this.functions = functions;
    this.context = context;
    this.caller = "target " + context.rule() + "/" + context.target().id();
  }

  @Override
  public void send(List<Outbound> items) throws DeliveryException {
    byte[] payload = payload(items, context.target().batch() != null);
    InvocationResult r = functions.invoke(spec.name(), payload, caller, context.target().timeout());
    JsonNode matched = items.isEmpty() ? null : items.get(0).event();
    if (r instanceof Success s) {
      if (spec.onSuccess() != null) {
        put(spec.onSuccess(), events(s, matched));
      }
      return;
    }
    Failure f = (Failure) r;
    String why = "function " + spec.name() + " failed: " + f.describe();
    if (f.isRetryable()) {
      throw DeliveryException.retryable(why);
    }
    if (spec.onFailure() == null) {
      throw DeliveryException.permanent(why);
    }
    put(spec.onFailure(), List.of(failed(f, payload, matched)));
  }

  /**
   * One body, or with {@code batch} always a JSON array (of one, too): the handler sees one shape.
   */
  private static byte[] payload(List<Outbound> items, boolean batched) throws DeliveryException {
    if (!batched) {
      if (items.size() != 1) {
        throw new IllegalStateException("an unbatched function target got " + items.size());
      }
      return json(items.get(0).body());
    }
    StringBuilder b = new StringBuilder(items.size() * 256).append('[');
    for (int i = 0; i < items.size(); i++) {
      b.append(i == 0 ? "" : ",")
          .append(new String(json(items.get(i).body()), StandardCharsets.UTF_8));
    }
    return b.append(']').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A body as JSON: a transform's text output becomes a JSON string. */
  private static byte[] json(TransformOutput body) throws DeliveryException {
    if (body instanceof TransformOutput.Json j) {
      return j.json();
    }
    try {
      return Json.MAPPER.writeValueAsBytes(((TransformOutput.Text) body).text());
    } catch (IOException | ClassCastException e) {
      throw DeliveryException.permanent("a function is called with JSON, got " + body);
    }
  }

  private List<JsonNode> events(Success s, JsonNode matched) throws DeliveryException {
    JsonNode out;
    try {
      out = Json.MAPPER.readTree(s.payload());
    } catch (IOException e) {
      throw DeliveryException.permanent(
          "function " + spec.name() + " returned something that is not JSON: " + e.getMessage());
    }
    List<JsonNode> events = new ArrayList<>();
    if (out == null || out.isNull() || out.isMissingNode()) {
      return events;
    }
    for (JsonNode one : out.isArray() ? out : List.of(out)) {
      if (!one.isObject()) {
        throw DeliveryException.permanent(
            "function "
                + spec.name()
                + " returned "
                + Json.describe(one)
                + ": onSuccess takes an object (an event with detail, or its detail), an array of"
                + " them, or null");
      }
      ObjectNode event;
      if (one.has("detail")) {
        event = ((ObjectNode) one).deepCopy();
      } else {
        event = Json.MAPPER.createObjectNode();
        event.set("detail", one);
      }
      inherit(event, matched, spec.onSuccess().equals(context.bus()));
      events.add(event);
    }
    return events;
  }

  /**
   * Fills what the result does not give from the matched event. A result put back on the rule's own
   * bus does not inherit {@code source} and {@code detail-type} (they are {@code sluice.functions}
   * and {@code Function Result} unless the function gives them): inherited, they would match the
   * same rule again, and the function would call itself without end.
   */
  private static void inherit(ObjectNode event, JsonNode matched, boolean sameBus) {
    if (sameBus) {
      if (!event.has("source")) {
        event.put("source", "sluice.functions");
      }
      if (!event.has("detail-type")) {
        event.put("detail-type", RESULT);
      }
    }
    if (matched == null) {
      return;
    }
    for (String f : INHERITED) {
      if (!event.has(f) && matched.has(f)) {
        event.set(f, matched.get(f));
      }
    }
  }

  static final String RESULT = "Function Result";

  private JsonNode failed(Failure f, byte[] payload, JsonNode matched) {
    ObjectNode event = Json.MAPPER.createObjectNode();
    event.put("source", "sluice.functions");
    event.put("detail-type", FAILED);
    ObjectNode d = event.putObject("detail");
    d.put("function", spec.name());
    d.put("rule", context.rule());
    d.put("target", context.target().id());
    d.put("errorType", f.errorType());
    d.put("errorMessage", f.errorMessage());
    ArrayNode trace = d.putArray("stackTrace");
    f.stackTrace().forEach(trace::add);
    try {
      d.set("payload", Json.MAPPER.readTree(payload));
    } catch (IOException e) {
      d.put("payload", new String(payload, StandardCharsets.UTF_8));
    }
    if (matched != null && matched.has("id")) {
      d.set("eventId", matched.get("id"));
    }
    return event;
  }

  private void put(String bus, List<JsonNode> events) throws DeliveryException {
    if (events.isEmpty()) {
      return;
    }
    for (EventSink.Result r : context.events().put(bus, events).join()) {
      if (r.stored()) {
        continue;
      }
      String why = "bus " + bus + " refused a result of function " + spec.name() + ": " + r.error();
      throw r.retryable() ? DeliveryException.retryable(why) : DeliveryException.permanent(why);
    }
  }
}

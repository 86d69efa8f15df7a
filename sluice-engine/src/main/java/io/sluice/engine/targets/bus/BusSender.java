package io.sluice.engine.targets.bus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.kinds.EventSink;
import io.sluice.core.targets.DeliveryException;
import io.sluice.core.targets.Outbound;
import io.sluice.core.targets.Sender;
import io.sluice.core.transform.TransformOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * Forwards to another bus. What is forwarded is the matched event, or a transform's output: an
 * object with {@code detail} is the event itself, any other object becomes the {@code detail}. The
 * envelope fields the output does not give ({@code id}, {@code source}, {@code detail-type}, {@code
 * time}, {@code resources}, {@code partitionkey}, {@code account}, {@code region}) are the matched
 * event's, so a forwarded event keeps its id and a redelivery is recognisable. An output that is
 * not an object, or an event the bus refuses, is a dead letter whose error says what a bus target
 * needs. A full bus is retried.
 */
final class BusSender implements Sender {

  private final String bus;
  private final EventSink events;

  BusSender(String bus, EventSink events) {
    this.bus = bus;
    this.events = events;
  }

  @Override
  public void send(List<Outbound> items) throws DeliveryException {
    List<JsonNode> trees = new ArrayList<>(items.size());
    for (Outbound o : items) {
      trees.add(forwarded(o));
    }
    for (EventSink.Result r : events.put(bus, trees).join()) {
      if (r.stored()) {
        continue;
      }
      if (r.retryable()) {
        throw DeliveryException.retryable("bus " + bus + " could not take the event: " + r.error());
      }
      throw DeliveryException.permanent(
          "bus " + bus + " refused the event: " + r.error() + " (" + NEEDS + ")");
    }
  }

  /** What a bus target forwards, said in its dead letters. */
  static final String NEEDS =
      "a bus target forwards the matched event, or a transform's output: an object with detail is"
          + " the event, any other object becomes its detail, and source, detail-type, id and time"
          + " not given are the matched event's";

  private static final List<String> INHERITED =
      List.of(
          "id", "source", "detail-type", "time", "resources", "partitionkey", "account", "region");

  private JsonNode forwarded(Outbound o) throws DeliveryException {
    if (!(o.body() instanceof TransformOutput.Json json) || !json.tree().isObject()) {
      String what = o.body() instanceof TransformOutput.Json j ? Json.describe(j.tree()) : "text";
      throw DeliveryException.permanent("bus " + bus + " cannot take " + what + " (" + NEEDS + ")");
    }
    JsonNode out = json.tree();
    ObjectNode event;
    if (out.has("detail")) {
      event = ((ObjectNode) out).deepCopy();
    } else {
      event = Json.MAPPER.createObjectNode();
      event.set("detail", out);
    }
    if (o.event() != null) {
      for (String f : INHERITED) {
        if (!event.has(f) && o.event().has(f)) {
          event.set(f, o.event().get(f));
        }
      }
    }
    return event;
  }
}

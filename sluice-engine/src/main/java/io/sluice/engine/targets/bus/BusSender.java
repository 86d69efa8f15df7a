package io.sluice.engine.targets.bus;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.kinds.EventSink;
import io.sluice.core.targets.DeliveryException;
import io.sluice.core.targets.Outbound;
import io.sluice.core.targets.Sender;
import io.sluice.core.transform.TransformOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * Forwards to another bus. The (transformed) result must be an event envelope; one that is not is
 * refused permanently with the reason. A full bus is retried.
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
      if (!(o.body() instanceof TransformOutput.Json json)) {
        throw DeliveryException.permanent(
            "bus target " + bus + " needs an event (JSON object), got text");
      }
      trees.add(json.tree());
    }
    for (EventSink.Result r : events.put(bus, trees).join()) {
      if (r.stored()) {
        continue;
      }
      if (r.retryable()) {
        throw DeliveryException.retryable("bus " + bus + " could not take the event: " + r.error());
      }
      throw DeliveryException.permanent("bus " + bus + " refused the event: " + r.error());
    }
  }
}

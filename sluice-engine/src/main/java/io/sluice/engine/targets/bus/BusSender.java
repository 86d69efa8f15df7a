package io.sluice.engine.targets.bus;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.kinds.EventSink;
import io.sluice.core.targets.DeliveryException;
import io.sluice.core.targets.Outbound;
import io.sluice.core.targets.Sender;
import java.util.ArrayList;
import java.util.List;

/**
 * Forwards to another bus what {@link BusTarget#forwarded} makes of a delivery. A full bus is
 * retried.
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
      trees.add(BusTarget.forwarded(bus, o.body(), o.event()));
    }
    for (EventSink.Result r : events.put(bus, trees).join()) {
      if (r.stored()) {
        continue;
      }
      if (r.retryable()) {
        throw DeliveryException.retryable("bus " + bus + " could not take the event: " + r.error());
      }
      throw DeliveryException.permanent(
          "bus " + bus + " refused the event: " + r.error() + " (" + BusTarget.NEEDS + ")");
    }
  }
}

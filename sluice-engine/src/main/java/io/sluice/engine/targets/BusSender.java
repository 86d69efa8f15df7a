package io.sluice.engine.targets;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.transform.TransformOutput;
import io.sluice.engine.Ingest;
import java.util.ArrayList;
import java.util.List;

/**
 * Forwards to another bus. The (transformed) result must be an event envelope; one that is not is
 * refused permanently with the reason. A full bus is retried.
 */
public final class BusSender implements Sender {

  private final String bus;
  private final Ingest ingest;

  public BusSender(String bus, Ingest ingest) {
    this.bus = bus;
    this.ingest = ingest;
  }

  @Override
  public void send(List<Outbound> items) throws DeliveryException {
    List<Ingest.Entry> entries = new ArrayList<>(items.size());
    for (Outbound o : items) {
      if (!(o.body() instanceof TransformOutput.Json json)) {
        throw DeliveryException.permanent(
            "bus target " + bus + " needs an event (JSON object), got text");
      }
      JsonNode tree = json.tree();
      entries.add(ingest.prepare(tree, ""));
    }
    List<Ingest.Outcome> outcomes = ingest.store(bus, entries).join();
    for (Ingest.Outcome oc : outcomes) {
      if (oc instanceof Ingest.Failed f) {
        if (f.retryable()) {
          throw DeliveryException.retryable(
              "bus " + bus + " could not take the event: " + f.message());
        }
        throw DeliveryException.permanent("bus " + bus + " refused the event: " + f.message());
      }
    }
  }
}

package io.sluice.engine.targets.bus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.config.TargetConfig.TargetSpec;
import io.sluice.core.targets.DeliveryException;
import io.sluice.core.transform.TransformOutput;
import java.util.List;

/** Forward to another bus: the matched event, or what a transform made of it. */
public record BusTarget(String bus) implements TargetSpec {
  @Override
  public String kind() {
    return BusTargetKind.NAME;
  }

  /** What a bus target forwards, said in its dead letters. */
  public static final String NEEDS =
      "a bus target forwards the matched event, or a transform's output: an object with detail is"
          + " the event, any other object becomes its detail, and source, detail-type, id and time"
          + " not given are the matched event's";

  private static final List<String> INHERITED =
      List.of(
          "id", "source", "detail-type", "time", "resources", "partitionkey", "account", "region");

  /**
   * The event a bus target forwards: the matched event, or a transform's output. An output object
   * with {@code detail} is the event itself, any other object becomes the {@code detail}; the
   * envelope fields the output does not give ({@code id}, {@code source}, {@code detail-type},
   * {@code time}, {@code resources}, {@code partitionkey}, {@code account}, {@code region}) are the
   * matched event's, so a forwarded event keeps its id and a redelivery is recognisable.
   *
   * @param matched the matched event (null when unknown: nothing is inherited)
   * @throws DeliveryException permanent, saying what a bus target needs, for text or a non-object
   */
  public static JsonNode forwarded(String bus, TransformOutput body, JsonNode matched)
      throws DeliveryException {
    if (!(body instanceof TransformOutput.Json json) || !json.tree().isObject()) {
      String what = body instanceof TransformOutput.Json j ? Json.describe(j.tree()) : "text";
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
    if (matched != null) {
      for (String f : INHERITED) {
        if (!event.has(f) && matched.has(f)) {
          event.set(f, matched.get(f));
        }
      }
    }
    return event;
  }
}

package io.sluice.engine.targets.bus;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.kinds.ReadContext;
import io.sluice.core.kinds.Schemas;
import io.sluice.core.kinds.TargetContext;
import io.sluice.core.kinds.TargetKind;
import io.sluice.core.targets.Sender;

/** {@code bus: orders} or {@code bus: {name: orders}}: forward to another bus of the node. */
public final class BusTargetKind implements TargetKind<BusTarget> {

  static final String NAME = "bus";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Class<BusTarget> specType() {
    return BusTarget.class;
  }

  @Override
  public BusTarget read(ConfigNode n, ReadContext context) {
    String b = n.raw().isTextual() ? n.string(null) : null;
    if (b == null && n.raw().isObject()) {
      n.allowOnly("name");
      b = n.field("name").requiredString("a bus name");
    } else if (b == null) {
      n.problem("expected a bus name, got " + Json.describe(n.raw()));
      return null;
    }
    context.checkBus(n, b);
    return new BusTarget(b);
  }

  @Override
  public ObjectNode schema() {
    return Schemas.resource(BusTargetKind.class, "bus.schema.json");
  }

  @Override
  public Sender sender(BusTarget spec, TargetContext context) {
    return new BusSender(spec.bus(), context.events());
  }
}

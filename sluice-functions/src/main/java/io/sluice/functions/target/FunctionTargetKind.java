package io.sluice.functions.target;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.functions.Functions;
import io.sluice.core.kinds.ReadContext;
import io.sluice.core.kinds.Schemas;
import io.sluice.core.kinds.TargetContext;
import io.sluice.core.kinds.TargetKind;
import io.sluice.core.targets.Sender;

/**
 * {@code function: enrich} or {@code function: {name: enrich, onSuccess: {bus: b}, onFailure: {bus:
 * f}}}: call a function of the node's {@code functions} section with each matched event (or, with
 * {@code batch}, a JSON array of them).
 */
public final class FunctionTargetKind implements TargetKind<FunctionTarget> {

  static final String NAME = "function";

  private final Functions functions;

  /** With {@code functions} null, a kind that only reads config. */
  public FunctionTargetKind(Functions functions) {
    this.functions = functions;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Class<FunctionTarget> specType() {
    return FunctionTarget.class;
  }

  @Override
  public boolean batches() {
    return true;
  }

  @Override
  public FunctionTarget read(ConfigNode n, ReadContext context) {
    if (n.raw().isTextual()) {
      String name = n.string(null);
      context.checkFunction(n, name);
      return new FunctionTarget(name, null, null);
    }
    if (!n.raw().isObject()) {
      n.problem(
          "expected a function name or {name, onSuccess, onFailure}, got "
              + Json.describe(n.raw()));
      return null;
    }
    n.allowOnly("name", "onSuccess", "onFailure");
    String name = n.field("name").requiredString("a function of the functions section");
    context.checkFunction(n.field("name"), name);
    return new FunctionTarget(
        name, bus(n.field("onSuccess"), context), bus(n.field("onFailure"), context));
  }

  private static String bus(ConfigNode n, ReadContext context) {
    if (!n.isObject(false, "a mapping {bus: name}")) {
      return null;
    }
    n.allowOnly("bus");
    String bus = n.field("bus").requiredString("a bus name");
    context.checkBus(n.field("bus"), bus);
    return bus;
  }

  @Override
  public ObjectNode schema() {
    return Schemas.resource(FunctionTargetKind.class, "function.schema.json");
  }

  @Override
  public Sender sender(FunctionTarget spec, TargetContext context) {
    return new FunctionSender(spec, context.require(functions, "the functions"), context);
  }
}

package io.sluice.engine.targets.log;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.kinds.ReadContext;
import io.sluice.core.kinds.Schemas;
import io.sluice.core.kinds.TargetContext;
import io.sluice.core.kinds.TargetKind;
import io.sluice.core.targets.Sender;

/** {@code log: {}}: write matched events to the server log. */
public final class LogTargetKind implements TargetKind<LogTarget> {

  static final String NAME = "log";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Class<LogTarget> specType() {
    return LogTarget.class;
  }

  @Override
  public LogTarget read(ConfigNode n, ReadContext context) {
    if (n.isObject(false, "an empty mapping {}")) {
      n.allowOnly();
    }
    return new LogTarget();
  }

  @Override
  public ObjectNode schema() {
    return Schemas.resource(LogTargetKind.class, "log.schema.json");
  }

  @Override
  public Sender sender(LogTarget spec, TargetContext context) {
    return new LogSender(context.rule(), context.target().id());
  }
}

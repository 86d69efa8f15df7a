package io.sluice.engine.targets.bus;

import io.sluice.core.config.TargetConfig.TargetSpec;

/** Forward to another bus (the transformed result must be an event). */
public record BusTarget(String bus) implements TargetSpec {
  @Override
  public String kind() {
    return BusTargetKind.NAME;
  }
}

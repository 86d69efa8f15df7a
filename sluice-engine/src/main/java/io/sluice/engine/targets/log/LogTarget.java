package io.sluice.engine.targets.log;

import io.sluice.core.config.TargetConfig.TargetSpec;

/** Log each event at INFO (logger {@code sluice.target.<rule>.<id>}). */
public record LogTarget() implements TargetSpec {
  @Override
  public String kind() {
    return LogTargetKind.NAME;
  }
}

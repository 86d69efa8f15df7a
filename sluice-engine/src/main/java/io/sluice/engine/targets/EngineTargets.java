package io.sluice.engine.targets;

import io.sluice.core.kinds.TargetKind;
import io.sluice.engine.targets.bus.BusTargetKind;
import io.sluice.engine.targets.file.FileTargetKind;
import io.sluice.engine.targets.http.HttpTargetKind;
import io.sluice.engine.targets.log.LogTargetKind;
import java.util.List;

/** The target kinds the engine implements itself. */
public final class EngineTargets {

  private EngineTargets() {}

  /** bus, http, file and log, in that order. */
  public static List<TargetKind<?>> kinds() {
    return List.of(
        new BusTargetKind(), new HttpTargetKind(), new FileTargetKind(), new LogTargetKind());
  }
}

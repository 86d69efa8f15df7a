package io.sluice.server;

import io.sluice.core.kinds.Kinds;
import io.sluice.engine.targets.EngineTargets;
import io.sluice.lake.Lake;
import io.sluice.lake.LakeTargets;

/**
 * Every kind a Sluice node knows, from every module, in the order the docs list them: the engine's
 * targets (bus, http, file, log), then the lake's (lake, validate). A new module's kinds are
 * registered here.
 */
public final class SluiceKinds {

  private SluiceKinds() {}

  /**
   * The kinds of a node whose lake is {@code lake}; with {@code null}, kinds that only read config
   * ({@code sluice validate}, the JSON Schema).
   */
  public static Kinds of(Lake lake) {
    return Kinds.of(EngineTargets.kinds(), LakeTargets.kinds(lake));
  }

  /** The kinds for reading config without running a node. */
  public static Kinds forReading() {
    return of(null);
  }
}

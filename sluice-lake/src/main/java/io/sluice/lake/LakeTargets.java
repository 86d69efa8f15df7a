package io.sluice.lake;

import io.sluice.core.kinds.TargetKind;
import java.util.List;

/** The target kinds the lake implements: {@code lake} tables. */
public final class LakeTargets {

  private LakeTargets() {}

  /**
   * The lake's kinds, delivering to {@code lake}; with {@code null} they only read config (for
   * {@code sluice validate} and the schema), and starting such a target fails with why.
   */
  public static List<TargetKind<?>> kinds(Lake lake) {
    return List.of(new LakeTargetKind(lake));
  }
}

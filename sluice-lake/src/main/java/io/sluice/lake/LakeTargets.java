package io.sluice.lake;

import io.sluice.core.kinds.TargetContext;
import io.sluice.core.kinds.TargetKind;
import java.util.List;

/** The target kinds the lake implements: {@code lake} tables and {@code validate} for uploads. */
public final class LakeTargets {

  private LakeTargets() {}

  /**
   * The lake's kinds, delivering to {@code lake}; with {@code null} they only read config (for
   * {@code sluice validate} and the schema), and starting such a target fails with why.
   */
  public static List<TargetKind<?>> kinds(Lake lake) {
    return List.of(new LakeTargetKind(lake), new ValidateTargetKind(lake));
  }

  static Lake require(Lake lake, TargetContext context) {
    if (lake == null) {
      throw new IllegalStateException(
          "rule "
              + context.rule()
              + " target "
              + context.target().id()
              + ": "
              + context.target().spec().kind()
              + " targets need the lake, which is not started");
    }
    return lake;
  }
}

package io.sluice.functions;

import io.sluice.core.functions.Functions;
import io.sluice.core.kinds.TargetKind;
import io.sluice.functions.target.FunctionTargetKind;
import java.util.List;

/** The target kinds this module implements: {@code function}. */
public final class FunctionTargets {

  private FunctionTargets() {}

  /** With {@code functions} null, kinds that only read config. */
  public static List<TargetKind<?>> kinds(Functions functions) {
    return List.of(new FunctionTargetKind(functions));
  }
}

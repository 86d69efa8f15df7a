package io.sluice.objects;

import io.sluice.core.kinds.TargetKind;
import io.sluice.lake.Lake;
import io.sluice.objects.validate.FileValidator;
import io.sluice.objects.validate.ValidateTargetKind;
import java.util.List;

/** The target kinds the objects module implements: {@code validate} for uploaded files. */
public final class ObjectTargets {

  private ObjectTargets() {}

  /**
   * The module's kinds, validating with {@code validator} and writing tables of {@code lake}; with
   * {@code null}s they only read config (for {@code sluice validate} and the schema).
   */
  public static List<TargetKind<?>> kinds(FileValidator validator, Lake lake) {
    return List.of(new ValidateTargetKind(validator, lake));
  }
}

package io.sluice.notify.reports;

import io.sluice.core.kinds.TargetKind;
import java.util.List;

/** The target kinds of reports: {@code report}. */
public final class ReportTargets {

  private ReportTargets() {}

  /** With {@code reports} null, kinds that only read config. */
  public static List<TargetKind<?>> kinds(Reports reports) {
    return List.of(new ReportTargetKind(reports));
  }
}

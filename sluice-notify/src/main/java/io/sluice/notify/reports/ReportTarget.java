package io.sluice.notify.reports;

import io.sluice.core.config.TargetConfig.TargetSpec;

/** Run a declared report with each matched event: {@code report: {name: daily-health}}. */
public record ReportTarget(String name) implements TargetSpec {
  @Override
  public String kind() {
    return ReportTargetKind.NAME;
  }
}

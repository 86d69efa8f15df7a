package io.sluice.notify.reports;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.kinds.ReadContext;
import io.sluice.core.kinds.Schemas;
import io.sluice.core.kinds.TargetContext;
import io.sluice.core.kinds.TargetKind;
import io.sluice.core.targets.DeliveryException;
import io.sluice.core.targets.Outbound;
import io.sluice.core.targets.Sender;
import java.util.List;

/**
 * {@code report: {name: daily-health}} (or {@code report: daily-health}): run a report of the
 * {@code reports} section with each matched event, whose fields fill the report's templates. A run
 * that could not store the report is retried; a partial one (a failed section or mail) is
 * delivered: the report exists, and its event says what failed.
 */
public final class ReportTargetKind implements TargetKind<ReportTarget> {

  static final String NAME = "report";

  private final Reports reports;

  /** With {@code reports} null, a kind that only reads config. */
  public ReportTargetKind(Reports reports) {
    this.reports = reports;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Class<ReportTarget> specType() {
    return ReportTarget.class;
  }

  @Override
  public ReportTarget read(ConfigNode n, ReadContext context) {
    if (n.raw().isTextual()) {
      String name = n.requiredString("a report of the reports section");
      context.checkReport(n, name);
      return name == null ? null : new ReportTarget(name);
    }
    if (!n.raw().isObject()) {
      n.problem("expected a report name or {name: REPORT}, got " + Json.describe(n.raw()));
      return null;
    }
    n.allowOnly("name");
    String name = n.field("name").requiredString("a report of the reports section");
    context.checkReport(n.field("name"), name);
    return name == null ? null : new ReportTarget(name);
  }

  @Override
  public ObjectNode schema() {
    return Schemas.resource(ReportTargetKind.class, "report.schema.json");
  }

  @Override
  public Sender sender(ReportTarget spec, TargetContext context) {
    Reports r = context.require(reports, "the reports");
    return new Sender() {
      @Override
      public void send(List<Outbound> items) throws DeliveryException {
        for (Outbound o : items) {
          ReportRun run;
          try {
            run = r.run(spec.name(), o.event());
          } catch (RuntimeException e) {
            throw DeliveryException.retryable("report " + spec.name() + ": " + e.getMessage());
          }
          if (run.status().equals(ReportRun.FAILED)) {
            throw DeliveryException.retryable(
                "report " + spec.name() + " failed: " + String.join("; ", run.errors()));
          }
        }
      }

      @Override
      public void close() {}
    };
  }
}

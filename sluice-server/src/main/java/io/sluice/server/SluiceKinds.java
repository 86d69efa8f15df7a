package io.sluice.server;

import io.sluice.core.functions.Functions;
import io.sluice.core.kinds.Kinds;
import io.sluice.engine.targets.EngineTargets;
import io.sluice.functions.FunctionRuntimes;
import io.sluice.functions.FunctionTargets;
import io.sluice.lake.Lake;
import io.sluice.lake.LakeTargets;
import io.sluice.notify.Mailer;
import io.sluice.notify.NotifyTargets;
import io.sluice.notify.Templates;
import io.sluice.notify.reports.ReportTargets;
import io.sluice.notify.reports.Reports;
import io.sluice.objects.ObjectTargets;
import io.sluice.objects.validate.FileValidator;

/**
 * Every kind a Sluice node knows, from every module, in the order the docs list them: the engine's
 * targets (bus, http, file, log), the lake's (lake), the objects module's (validate), the functions
 * module's (function) and its runtimes, the notify module's (email, webhook, report) and its
 * template engine (config readers check templates with it). A new module's kinds are registered
 * here.
 */
public final class SluiceKinds {

  private SluiceKinds() {}

  /**
   * The kinds of a node whose lake is {@code lake} and whose uploads {@code validator} checks; with
   * {@code null}s, kinds that only read config ({@code sluice validate}, the JSON Schema).
   */
  public static Kinds of(Lake lake, FileValidator validator, Functions functions) {
    return of(lake, validator, functions, null, null);
  }

  /**
   * As above, with the node's reports (null: the report kind only reads config) and its {@code
   * mailer} (null when {@code smtp:} is not configured).
   */
  public static Kinds of(
      Lake lake, FileValidator validator, Functions functions, Reports reports, Mailer mailer) {
    return Kinds.of(
            EngineTargets.kinds(),
            LakeTargets.kinds(lake),
            ObjectTargets.kinds(validator, lake),
            FunctionTargets.kinds(functions),
            NotifyTargets.kinds(mailer),
            ReportTargets.kinds(reports))
        .withRuntimes(FunctionRuntimes.kinds())
        .withTemplates(Templates::problem);
  }

  /** The kinds for reading config without running a node. */
  public static Kinds forReading() {
    return of(null, null, null, null, null);
  }
}

package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code sluice stats}: delivery statistics per rule and target. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description =
        "Show matched, delivered, errors (kept in a lake table's _errors), failed, retried,"
            + " dead-lettered and lag per target, by bus, rule and target.")
final class StatsCommand implements Callable<Integer> {

  @Mixin ApiClient api;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    ApiClient.Response r = api.send("GET", "/stats/targets", null, null);
    if (r.status() != 200) {
      spec.commandLine().getErr().println("sluice: " + r.error());
      return SluiceCommand.EXIT_FAILED;
    }
    var out = spec.commandLine().getOut();
    out.printf(
        "%-12s %-20s %-12s %9s %9s %7s %7s %7s %6s %8s %8s%n",
        "bus",
        "rule",
        "target",
        "matched",
        "delivered",
        "errors",
        "failed",
        "retried",
        "dead",
        "lag",
        "lag s");
    for (JsonNode t : r.json().get("targets")) {
      out.printf(
          "%-12s %-20s %-12s %9d %9d %7d %7d %7d %6d %8d %8.1f%n",
          t.get("bus").asText(),
          t.get("rule").asText(),
          t.get("target").asText(),
          t.get("matched").asLong(),
          t.get("delivered").asLong(),
          t.path("errors").asLong(),
          t.get("failed").asLong(),
          t.get("retried").asLong(),
          t.get("deadLettered").asLong(),
          t.get("lagEvents").asLong(),
          t.get("lagSeconds").asDouble());
    }
    return 0;
  }
}

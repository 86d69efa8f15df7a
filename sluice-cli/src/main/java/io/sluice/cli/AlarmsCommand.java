package io.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice alarms list}: the alarms of a running server and their states. */
@Command(
    name = "alarms",
    mixinStandardHelpOptions = true,
    description = "Show the declared alarms on Sluice's metrics and their states.",
    subcommands = {AlarmsCommand.ListAlarms.class})
final class AlarmsCommand implements Runnable {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "Each alarm with its state (OK, ALARM, INSUFFICIENT_DATA), since when, the latest",
        "observed value and its condition.",
        "Exit code 0 even when alarms are in ALARM: the state is data, not a failure."
      })
  static final class ListAlarms implements Callable<Integer> {
    @Mixin ApiClient api;

    @Option(
        names = "--format",
        defaultValue = "table",
        description = "table or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      return Listing.print(
          spec,
          api,
          format,
          "/alarms",
          "alarms",
          "no alarms (declare them in the config's alarms section)",
          new String[] {"name", "state", "since", "observed", "condition", "bus"},
          (a, row) -> {
            row.add(a.get("name"));
            row.add(a.get("state"));
            row.add(a.get("since"));
            row.add(a.get("observed"));
            var t = a.get("threshold").properties().iterator().next();
            StringBuilder labels = new StringBuilder();
            a.get("labels")
                .properties()
                .forEach(
                    e ->
                        labels
                            .append(labels.isEmpty() ? "{" : ",")
                            .append(e.getKey())
                            .append('=')
                            .append(e.getValue().asText()));
            if (!labels.isEmpty()) {
              labels.append('}');
            }
            row.add(
                a.get("statistic").asText()
                    + "("
                    + a.get("metric").asText()
                    + labels
                    + ", "
                    + a.get("period").asText()
                    + ") "
                    + t.getKey()
                    + " "
                    + t.getValue().asText());
            row.add(a.get("bus"));
          });
    }
  }
}

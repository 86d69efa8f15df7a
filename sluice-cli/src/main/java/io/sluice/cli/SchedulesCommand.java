package io.sluice.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice schedules list|fire}: the schedules of a running server. */
@Command(
    name = "schedules",
    mixinStandardHelpOptions = true,
    description = "List the schedules with their next and last fire, or fire one now.",
    subcommands = {SchedulesCommand.ListSchedules.class, SchedulesCommand.Fire.class})
final class SchedulesCommand implements Runnable {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Each schedule with its expression, state, next fire, last slot fired, fired and missed.")
  static final class ListSchedules implements Callable<Integer> {
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
          "/schedules",
          "schedules",
          "no schedules (declare them in the config's schedules section)",
          new String[] {
            "name",
            "expression",
            "timezone",
            "bus",
            "state",
            "next fire",
            "last slot",
            "fired",
            "missed"
          },
          (s, row) -> {
            row.add(s.get("name"));
            row.add(s.get("expression"));
            row.add(s.get("timezone"));
            row.add(s.get("bus"));
            row.add(s.get("state"));
            row.add(s.get("nextFire"));
            row.add(s.get("lastSlot"));
            row.add(s.get("fired"));
            row.add(s.get("missed"));
          });
    }
  }

  @Command(
      name = "fire",
      mixinStandardHelpOptions = true,
      description = {
        "Put a schedule's event on its bus now, for a test: the event has its own id and",
        "scheduledTime now, and consumes no slot. Prints the event's id.",
        "  sluice schedules fire daily-health"
      })
  static final class Fire implements Callable<Integer> {
    @Mixin ApiClient api;

    @Parameters(index = "0", paramLabel = "NAME", description = "The schedule.")
    String name;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      ApiClient.Response r =
          api.send(
              "POST",
              "/schedules/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/fire",
              null,
              null);
      if (r.status() != 200) {
        spec.commandLine().getErr().println("sluice: " + r.error());
        return SluiceCommand.EXIT_FAILED;
      }
      spec.commandLine()
          .getOut()
          .println(
              "fired "
                  + name
                  + ": event "
                  + r.json().path("id").asText()
                  + " at "
                  + r.json().path("time").asText());
      return 0;
    }
  }
}

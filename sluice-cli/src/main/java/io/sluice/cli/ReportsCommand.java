package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice reports list|run}: the reports of a running server. */
@Command(
    name = "reports",
    mixinStandardHelpOptions = true,
    description = "List and run the declared reports.",
    subcommands = {ReportsCommand.ListReports.class, ReportsCommand.Run.class})
final class ReportsCommand implements Runnable {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Each report with its schedule, formats and bucket (JSON).")
  static final class ListReports implements Callable<Integer> {
    @Mixin ApiClient api;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      ApiClient.Response r = api.send("GET", "/reports", null, null);
      if (r.status() != 200) {
        spec.commandLine().getErr().println("sluice: " + r.error());
        return SluiceCommand.EXIT_FAILED;
      }
      spec.commandLine().getOut().println(r.json().toString());
      return 0;
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Run a report now: its sections, its objects, its mail and its event.",
        "  sluice reports run daily-health",
        "  sluice reports run daily-health '{\"detail\":{\"ward\":\"A\"}}'",
        "Prints the run (status, object keys, errors) as JSON. Exit code 1 when the report is",
        "partial (a section or the mail failed: the errors are on standard error) or failed."
      })
  static final class Run implements Callable<Integer> {
    @Mixin ApiClient api;

    @Parameters(index = "0", paramLabel = "NAME", description = "The report.")
    String name;

    @Parameters(
        index = "1",
        arity = "0..1",
        paramLabel = "EVENT",
        description = "An event whose fields fill the templates, JSON (default: {}).")
    String event;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      String body = event == null ? "{}" : event;
      try {
        Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new InvalidInputException(
            InvalidInputException.MALFORMED_JSON,
            Problem.of("/event", "expected a JSON object, got " + Problem.render(body)));
      }
      ApiClient.Response r =
          api.send(
              "POST",
              "/reports/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/run",
              "application/json",
              body.getBytes(StandardCharsets.UTF_8));
      var err = spec.commandLine().getErr();
      if (r.status() != 200 && r.status() != 500) {
        err.println("sluice: " + r.error());
        return SluiceCommand.EXIT_FAILED;
      }
      JsonNode run = r.json();
      spec.commandLine().getOut().println(run.toString());
      if (!run.path("status").asText().equals("ok")) {
        err.println("sluice: report " + name + " is " + run.path("status").asText() + ":");
        for (JsonNode e : run.path("errors")) {
          err.println("  " + e.asText());
        }
        return SluiceCommand.EXIT_FAILED;
      }
      return 0;
    }
  }
}

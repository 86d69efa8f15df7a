package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.rules.PatternExplainer;
import io.sluice.core.rules.PatternValidator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice rules …}: test patterns offline, and manage rules on a running server. */
@Command(
    name = "rules",
    mixinStandardHelpOptions = true,
    description = "Test event patterns, and list, show, create, delete, enable and disable rules.",
    subcommands = {
      RulesCommand.Test.class,
      RulesCommand.ListRules.class,
      RulesCommand.Get.class,
      RulesCommand.Put.class,
      RulesCommand.Delete.class,
      RulesCommand.Enable.class,
      RulesCommand.Disable.class
    })
final class RulesCommand implements Runnable {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Reads inline JSON, or {@code @file}. */
  static JsonNode json(String arg, String what) {
    String text = arg;
    if (arg.startsWith("@")) {
      try {
        text = Files.readString(Path.of(arg.substring(1)), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new InvalidInputException(
            InvalidInputException.INVALID_ARGUMENT,
            Problem.of("/" + what, "cannot read " + arg.substring(1) + ": " + e.getMessage()));
      }
    }
    try {
      return Json.MAPPER.readTree(text);
    } catch (IOException | NumberFormatException e) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of(
              "/" + what,
              "expected JSON (inline or @file), got "
                  + Problem.render(text)
                  + ": "
                  + e.getMessage().lines().findFirst().orElse("")));
    }
  }

  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      description = {
        "Test an event pattern against an event, offline, and explain each condition.",
        "  sluice rules test --pattern '{\"source\":[\"shop\"]}' --event @event.json",
        "Exit code: 0 match, 3 no match, 1 invalid input."
      })
  static final class Test implements Callable<Integer> {
    @Option(names = "--pattern", required = true, description = "Event pattern (JSON, or @file).")
    String pattern;

    @Option(names = "--event", required = true, description = "Event (JSON, or @file).")
    String event;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      JsonNode p = json(pattern, "pattern");
      JsonNode e = json(event, "event");
      // a partial event is fine (fields not given are absent), but not one no bus could hold
      List<Problem> shape = new java.util.ArrayList<>();
      if (!e.isObject()) {
        shape.add(
            Problem.of("/event", "expected a JSON object (an event), got " + Json.describe(e)));
      } else {
        for (String f : List.of("source", "detail-type", "id", "time", "account", "region")) {
          if (e.has(f) && !e.get(f).isTextual()) {
            shape.add(
                Problem.of("/event/" + f, "expected a string, got " + Json.describe(e.get(f))));
          }
        }
        if (e.has("detail") && !e.get("detail").isObject()) {
          shape.add(
              Problem.of(
                  "/event/detail",
                  "expected a JSON object, got " + Json.describe(e.get("detail"))));
        }
      }
      if (!shape.isEmpty()) {
        throw InvalidInputException.of(InvalidInputException.INVALID_ARGUMENT, shape);
      }
      List<Problem> problems = PatternValidator.check(p, "/pattern");
      if (!problems.isEmpty()) {
        throw InvalidInputException.of(InvalidInputException.INVALID_ARGUMENT, problems);
      }
      PatternExplainer.Explanation x = PatternExplainer.explain(p, e);
      var out = spec.commandLine().getOut();
      out.println(x.matches() ? "MATCH" : "NO MATCH");
      x.lines().forEach(l -> out.println("  " + l));
      return x.matches() ? 0 : 3;
    }
  }

  abstract static class BusRule {
    @Mixin ApiClient api;

    @Option(
        names = "--bus",
        defaultValue = "default",
        description = "Bus (default: ${DEFAULT-VALUE}).")
    String bus;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    int print(ApiClient.Response r, int okStatus) {
      if (r.status() != okStatus && !(okStatus == 200 && r.status() == 201)) {
        spec.commandLine().getErr().println("sluice: " + r.error());
        return SluiceCommand.EXIT_FAILED;
      }
      if (!r.body().isEmpty()) {
        try {
          spec.commandLine()
              .getOut()
              .println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(r.json()));
        } catch (IOException e) {
          spec.commandLine().getOut().println(r.body());
        }
      }
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the rules of a bus.")
  static final class ListRules extends BusRule implements Callable<Integer> {
    @Override
    public Integer call() {
      ApiClient.Response r = api.send("GET", "/buses/" + bus + "/rules", null, null);
      if (r.status() != 200) {
        return print(r, 200);
      }
      for (JsonNode rule : r.json().get("rules")) {
        spec.commandLine()
            .getOut()
            .printf(
                "%-24s %-8s %-7s %d target(s)  %s%n",
                rule.get("name").asText(),
                rule.get("enabled").asBoolean() ? "enabled" : "disabled",
                rule.get("origin").asText(),
                rule.get("targets").size(),
                rule.get("pattern").toString());
      }
      return 0;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one rule.")
  static final class Get extends BusRule implements Callable<Integer> {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      return print(api.send("GET", "/buses/" + bus + "/rules/" + name, null, null), 200);
    }
  }

  @Command(
      name = "put",
      mixinStandardHelpOptions = true,
      description =
          "Create or replace a rule from JSON: {\"pattern\":{…},\"targets\":[…]} (inline or @file).")
  static final class Put extends BusRule implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "RULE")
    String rule;

    @Override
    public Integer call() {
      JsonNode body = json(rule, "rule");
      return print(
          api.send(
              "PUT",
              "/buses/" + bus + "/rules/" + name,
              "application/json",
              body.toString().getBytes(StandardCharsets.UTF_8)),
          200);
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Delete a rule created through the API.")
  static final class Delete extends BusRule implements Callable<Integer> {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      return print(api.send("DELETE", "/buses/" + bus + "/rules/" + name, null, null), 204);
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a rule.")
  static final class Enable extends BusRule implements Callable<Integer> {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      return print(
          api.send("POST", "/buses/" + bus + "/rules/" + name + "/enable", null, new byte[0]), 200);
    }
  }

  @Command(
      name = "disable",
      mixinStandardHelpOptions = true,
      description = "Disable a rule (events meanwhile are not delivered to it).")
  static final class Disable extends BusRule implements Callable<Integer> {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      return print(
          api.send("POST", "/buses/" + bus + "/rules/" + name + "/disable", null, new byte[0]),
          200);
    }
  }
}

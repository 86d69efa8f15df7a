package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice dlq list|redrive|purge}: dead letters on a running server. */
@Command(
    name = "dlq",
    mixinStandardHelpOptions = true,
    description = "List, redrive and purge dead letters.",
    subcommands = {DlqCommand.ListDl.class, DlqCommand.Redrive.class, DlqCommand.Purge.class})
final class DlqCommand implements Runnable {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  abstract static class Filtered {
    @Mixin ApiClient api;

    @Option(names = "--bus", description = "Only this bus.")
    String bus;

    @Option(names = "--rule", description = "Only this rule.")
    String rule;

    @Option(names = "--target", description = "Only this target.")
    String target;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    String query() {
      StringBuilder q = new StringBuilder();
      add(q, "bus", bus);
      add(q, "rule", rule);
      add(q, "target", target);
      return q.toString();
    }

    private static void add(StringBuilder q, String k, String v) {
      if (v != null) {
        q.append(q.isEmpty() ? "?" : "&")
            .append(k)
            .append('=')
            .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
      }
    }

    int fail(ApiClient.Response r) {
      spec.commandLine().getErr().println("sluice: " + r.error());
      return SluiceCommand.EXIT_FAILED;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Print dead letters, one JSON per line.")
  static final class ListDl extends Filtered implements Callable<Integer> {
    @Override
    public Integer call() {
      String cursor = null;
      do {
        String q = query();
        String path =
            "/dead-letters"
                + q
                + (q.isEmpty() ? "?" : "&")
                + "limit=500"
                + (cursor == null ? "" : "&cursor=" + cursor);
        ApiClient.Response r = api.send("GET", path, null, null);
        if (r.status() != 200) {
          return fail(r);
        }
        JsonNode page = r.json();
        page.get("deadLetters").forEach(d -> spec.commandLine().getOut().println(d.toString()));
        cursor = page.get("next").isNull() ? null : page.get("next").asText();
      } while (cursor != null);
      return 0;
    }
  }

  @Command(
      name = "redrive",
      mixinStandardHelpOptions = true,
      description = "Queue matching dead letters for their targets again.")
  static final class Redrive extends Filtered implements Callable<Integer> {
    @Override
    public Integer call() {
      ObjectNode body = Json.MAPPER.createObjectNode();
      body.put("bus", bus);
      body.put("rule", rule);
      body.put("target", target);
      ApiClient.Response r =
          api.send(
              "POST",
              "/dead-letters/redrive",
              "application/json",
              body.toString().getBytes(StandardCharsets.UTF_8));
      if (r.status() != 200) {
        return fail(r);
      }
      spec.commandLine().getOut().println("redriven: " + r.json().get("redriven").asInt());
      return 0;
    }
  }

  @Command(
      name = "purge",
      mixinStandardHelpOptions = true,
      description = {
        "Forget matching dead letters.",
        "Without --bus, --rule or --target it deletes every dead letter: it asks first at a"
            + " terminal, and needs --all (or --yes) otherwise."
      })
  static final class Purge extends Filtered implements Callable<Integer> {
    @Option(names = "--all", description = "Yes, every dead letter (when no filter is given).")
    boolean all;

    @Option(names = "--yes", description = "Do not ask.")
    boolean yes;

    @Override
    public Integer call() throws java.io.IOException {
      if (query().isEmpty() && !all && !yes) {
        if (!Terminal.STDIN.isTerminal() || !Terminal.STDERR.isTerminal()) {
          throw new picocli.CommandLine.ParameterException(
              spec.commandLine(),
              "sluice dlq purge without --bus, --rule or --target deletes every dead letter: pass"
                  + " --all to confirm (or --yes), or a filter");
        }
        var err = spec.commandLine().getErr();
        err.print("Delete every dead letter of every bus, rule and target? Type yes to go on: ");
        err.flush();
        String answer =
            new java.io.BufferedReader(
                    new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8))
                .readLine();
        if (answer == null || !answer.trim().equalsIgnoreCase("yes")) {
          err.println("sluice: nothing purged");
          return SluiceCommand.EXIT_FAILED;
        }
      }
      ApiClient.Response r = api.send("DELETE", "/dead-letters" + query(), null, null);
      if (r.status() != 200) {
        return fail(r);
      }
      spec.commandLine().getOut().println("purged: " + r.json().get("purged").asInt());
      return 0;
    }
  }
}

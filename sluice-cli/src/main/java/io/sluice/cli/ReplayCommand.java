package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice replay}: re-deliver a time range of a bus. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Re-deliver the events a bus ingested in [--from, --to) to a rule's targets (or all rules').",
      "Replayed events carry \"replay-name\"; HTTP targets get a Sluice-Replay-Name header."
    })
final class ReplayCommand implements Callable<Integer> {

  @Mixin ApiClient api;

  @Option(
      names = "--bus",
      defaultValue = "default",
      description = "Bus (default: ${DEFAULT-VALUE}).")
  String bus;

  @Option(names = "--from", required = true, description = "Start, an ISO-8601 time (inclusive).")
  String from;

  @Option(names = "--to", required = true, description = "End, an ISO-8601 time (exclusive).")
  String to;

  @Option(names = "--rule", description = "Only this rule (default: every rule of the bus).")
  String rule;

  @Option(names = "--target", description = "Only this target of --rule.")
  String target;

  @Option(names = "--name", description = "Replay name (default: generated).")
  String name;

  @Option(names = "--wait", description = "Wait until the replay completes.")
  boolean waitForIt;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    for (String[] t : new String[][] {{"--from", from}, {"--to", to}}) {
      if (io.sluice.core.EventCodec.parseTime(t[1]) == null) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            t[0]
                + ": expected an ISO-8601 time like 2026-11-24T08:00:00Z, got "
                + io.sluice.core.Problem.render(t[1]));
      }
    }
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("name", name);
    body.put("bus", bus);
    body.put("from", from);
    body.put("to", to);
    body.put("rule", rule);
    body.put("target", target);
    ApiClient.Response r =
        api.send(
            "POST",
            "/replays",
            "application/json",
            body.toString().getBytes(StandardCharsets.UTF_8));
    if (r.status() != 202) {
      spec.commandLine().getErr().println("sluice: " + r.error());
      return SluiceCommand.EXIT_FAILED;
    }
    JsonNode replay = r.json();
    String n = replay.get("name").asText();
    spec.commandLine().getOut().println("replay " + n + " started");
    while (waitForIt && replay.get("state").asText().equals("running")) {
      Thread.sleep(200);
      replay = api.send("GET", "/replays/" + n, null, null).json();
    }
    if (waitForIt) {
      spec.commandLine()
          .getOut()
          .printf(
              "replay %s %s: %d matched, %d settled (delivered, skipped or dead-lettered)%n",
              n,
              replay.get("state").asText(),
              replay.get("matched").asLong(),
              replay.get("settled").asLong());
      return replay.get("state").asText().equals("completed") ? 0 : SluiceCommand.EXIT_FAILED;
    }
    return 0;
  }
}

package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice tail}: prints a bus's events, one JSON per line; {@code --follow} keeps reading.
 */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = "Print the events of a bus, one JSON object per line, across all partitions.")
final class TailCommand implements Callable<Integer> {

  @Mixin ApiClient api;

  @Option(
      names = "--bus",
      defaultValue = "default",
      description = "Bus (default: ${DEFAULT-VALUE}).")
  String bus;

  @Option(
      names = "--from",
      defaultValue = "earliest",
      description = "earliest, latest, an offset, or an ISO-8601 time (default: ${DEFAULT-VALUE}).")
  String from;

  @Option(names = "--follow", description = "Keep waiting for new events (Ctrl-C stops).")
  boolean follow;

  @Option(names = "--with-position", description = "Prefix each line with partition and offset.")
  boolean withPosition;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    if (!from.equals("earliest")
        && !from.equals("latest")
        && !from.matches("\\d{1,18}")
        && io.sluice.core.EventCodec.parseTime(from) == null) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--from: expected earliest, latest, an offset or an ISO-8601 time like"
              + " 2026-11-23T10:00:00Z, got "
              + io.sluice.core.Problem.render(from));
    }
    String cursor = null;
    while (true) {
      String q =
          cursor == null
              ? "?limit=500&from=" + URLEncoder.encode(from, StandardCharsets.UTF_8)
              : "?limit=500&cursor=" + cursor;
      ApiClient.Response r = api.send("GET", "/buses/" + bus + "/events" + q, null, null);
      if (r.status() != 200) {
        spec.commandLine().getErr().println("sluice: " + r.error());
        return SluiceCommand.EXIT_FAILED;
      }
      JsonNode page = r.json();
      for (JsonNode e : page.get("events")) {
        if (withPosition) {
          spec.commandLine()
              .getOut()
              .print(e.get("partition").asInt() + "\t" + e.get("offset").asLong() + "\t");
        }
        spec.commandLine().getOut().println(e.get("event").toString());
      }
      spec.commandLine().getOut().flush();
      cursor = page.get("next").asText();
      if (page.get("events").isEmpty()) {
        if (!follow) {
          return 0;
        }
        Thread.sleep(500);
      }
    }
  }
}

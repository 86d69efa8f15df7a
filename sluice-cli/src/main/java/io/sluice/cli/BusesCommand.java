package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice buses [BUS]}: the buses, one line per partition ({@code GET /buses}). */
@Command(
    name = "buses",
    mixinStandardHelpOptions = true,
    description = {
      "List the buses, a line per partition: offsets, events, bytes, retention, fsync",
      "and, when a bus has one, its deduplicate window.",
      "start is the oldest offset retention kept, end the offset the next event gets;",
      "retention, fsync and deduplicate are shown as written in the config.",
      "  sluice buses",
      "  sluice buses orders --format json"
    })
final class BusesCommand implements Callable<Integer> {

  @Parameters(arity = "0..1", paramLabel = "BUS", description = "Only this bus.")
  String bus;

  @Option(names = "--format", defaultValue = "table", description = "table (default) or json.")
  String format;

  @Mixin ApiClient api;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (!format.equals("table") && !format.equals("json")) {
      spec.commandLine()
          .getErr()
          .println("sluice: --format: expected table or json, got \"" + format + "\"");
      return SluiceCommand.EXIT_USAGE;
    }
    ApiClient.Response r =
        api.send("GET", bus == null ? "/buses" : "/buses/" + ApiClient.segment(bus), null, null);
    if (r.status() != 200) {
      spec.commandLine().getErr().println("sluice: " + r.error());
      return SluiceCommand.EXIT_FAILED;
    }
    var out = spec.commandLine().getOut();
    if (format.equals("json")) {
      out.println(r.body());
      out.flush();
      return 0;
    }
    JsonNode j = r.json();
    List<JsonNode> buses = bus == null ? List.copyOf(toList(j.get("buses"))) : List.of(j);
    // a column for deduplicate only when a bus has it (older servers do not send the field)
    boolean dedup = buses.stream().anyMatch(b -> b.path("deduplicate").isTextual());
    ObjectNode table = Json.MAPPER.createObjectNode();
    ArrayNode cols = table.putArray("columns");
    for (String c :
        List.of("bus", "partition", "start", "end", "events", "bytes", "retention", "fsync")) {
      cols.add(c);
    }
    if (dedup) {
      cols.add("deduplicate");
    }
    ArrayNode rows = table.putArray("rows");
    for (JsonNode b : buses) {
      String retention =
          b.get("retention").asText()
              + (b.get("retentionBytes").isNull() ? "" : ", " + b.get("retentionBytes").asText());
      String fsync =
          b.get("fsync").asText()
              + (b.get("fsyncInterval").isNull() ? "" : " " + b.get("fsyncInterval").asText());
      for (JsonNode p : b.get("partitions")) {
        long start = p.get("startOffset").asLong();
        long end = p.get("endOffset").asLong();
        ArrayNode row =
            rows.addArray()
                .add(b.get("name").asText())
                .add(p.get("partition").asInt())
                .add(start)
                .add(end)
                .add(end - start)
                .add(p.get("sizeBytes").asLong())
                .add(retention)
                .add(fsync);
        if (dedup) {
          row.add(b.path("deduplicate").isTextual() ? b.get("deduplicate").asText() : "off");
        }
      }
    }
    TablePrinter.print(table, out, "partition", "partitions");
    out.flush();
    return 0;
  }

  private static List<JsonNode> toList(JsonNode arr) {
    java.util.ArrayList<JsonNode> out = new java.util.ArrayList<>();
    arr.forEach(out::add);
    return out;
  }
}

package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice tables [TABLE]}: the lake catalog. */
@Command(
    name = "tables",
    mixinStandardHelpOptions = true,
    description = {
      "List the lake tables, or show one: columns and types, partitions, files, schema history."
    })
final class TablesCommand implements Callable<Integer> {

  @Parameters(arity = "0..1", paramLabel = "TABLE", description = "A table to describe.")
  String table;

  @Mixin ApiClient api;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    ApiClient.Response r =
        api.send("GET", table == null ? "/lake/tables" : "/lake/tables/" + table, null, null);
    if (r.status() != 200) {
      spec.commandLine().getErr().println("sluice: " + r.error());
      return SluiceCommand.EXIT_FAILED;
    }
    var out = spec.commandLine().getOut();
    JsonNode j = r.json();
    if (table == null) {
      out.printf(
          "%-24s %12s %7s %12s %8s  %s%n",
          "table", "rows", "files", "bytes", "schema", "partitioned by");
      for (JsonNode t : j.get("tables")) {
        out.printf(
            "%-24s %12d %7d %12d %8s  %s%n",
            t.get("name").asText(),
            t.get("rows").asLong(),
            t.get("files").asInt(),
            t.get("bytes").asLong(),
            "v" + t.get("schemaVersion").asInt(),
            String.join(", ", names(t.get("partitionKeys"))));
      }
      return 0;
    }
    out.printf(
        "table %s: %d rows in %d files (%d bytes), schema v%d, %d rows sent to the error location%n",
        j.get("name").asText(),
        j.get("rows").asLong(),
        j.get("fileCount").asInt(),
        j.get("bytes").asLong(),
        j.get("schemaVersion").asInt(),
        j.get("errorRows").asLong());
    out.println("columns:");
    for (JsonNode c : j.get("columns")) {
      out.printf("  %-28s %s%n", c.get("name").asText(), c.get("type").asText());
    }
    if (!j.get("partitionKeys").isEmpty()) {
      out.println("partitions (" + String.join(", ", names(j.get("partitionKeys"))) + "):");
      for (JsonNode p : j.get("partitions")) {
        out.printf(
            "  %-40s %6d files %10d rows %12d bytes%n",
            p.get("values").toString(),
            p.get("files").asInt(),
            p.get("rows").asLong(),
            p.get("bytes").asLong());
      }
    }
    out.println("schema history:");
    for (JsonNode s : j.get("schemas")) {
      out.printf(
          "  v%d at %s: %d columns%n",
          s.get("version").asInt(),
          java.time.Instant.ofEpochMilli(s.get("createdAtMs").asLong()),
          s.get("columns").size());
    }
    return 0;
  }

  private static java.util.List<String> names(JsonNode arr) {
    java.util.List<String> out = new java.util.ArrayList<>();
    arr.forEach(n -> out.add(n.asText()));
    return out;
  }
}

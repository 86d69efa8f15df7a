package io.sluice.cli;

import io.sluice.core.Json;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice query "SELECT …"}: SQL over the lake, printed as a table (or CSV/JSON). */
@Command(
    name = "query",
    mixinStandardHelpOptions = true,
    description = {
      "Run a read-only SQL query (DuckDB dialect) over the lake tables.",
      "  sluice query \"SELECT sport, count(*) FROM cat1 GROUP BY sport\"",
      "Every lake table is a view; see them with `sluice tables`."
    })
final class QueryCommand implements Callable<Integer> {

  @Parameters(paramLabel = "SQL", description = "One SELECT statement.")
  String sql;

  @Option(
      names = "--format",
      defaultValue = "table",
      description = "table (default), csv, json or ndjson.")
  String format;

  @Option(names = "--max-rows", description = "Return at most this many rows.")
  Long maxRows;

  @Mixin ApiClient api;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    var body = Json.MAPPER.createObjectNode().put("sql", sql);
    if (maxRows != null) {
      body.put("maxRows", maxRows);
    }
    String accept =
        switch (format) {
          case "csv" -> "text/csv";
          case "ndjson" -> "application/x-ndjson";
          case "table", "json" -> "application/json";
          default -> null;
        };
    if (accept == null) {
      spec.commandLine()
          .getErr()
          .println("sluice: --format: expected table, csv, json or ndjson, got \"" + format + "\"");
      return SluiceCommand.EXIT_USAGE;
    }
    ApiClient.Response r =
        api.send(
            "POST",
            "/query",
            "application/json",
            body.toString().getBytes(StandardCharsets.UTF_8),
            accept);
    if (r.status() != 200) {
      String pos = "";
      try {
        var err = r.json();
        if (err.has("position")) {
          int p = err.get("position").asInt();
          pos = "\n  " + sql.replace('\n', ' ') + "\n  " + " ".repeat(Math.max(0, p)) + "^";
        }
      } catch (RuntimeException notJson) {
        // plain error
      }
      spec.commandLine().getErr().println("sluice: " + r.error() + pos);
      return SluiceCommand.EXIT_FAILED;
    }
    var out = spec.commandLine().getOut();
    if (format.equals("table")) {
      TablePrinter.print(r.json(), out);
    } else {
      out.print(r.body());
      if (!r.body().endsWith("\n")) {
        out.println();
      }
    }
    out.flush();
    return 0;
  }
}

package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import java.util.function.BiConsumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * What every {@code list} subcommand over one of the server's listings does: checks {@code
 * --format}, GETs the listing, and prints its JSON ({@code --format json}) or a table with one row
 * per item, or a line saying there are none.
 */
final class Listing {

  private Listing() {}

  /**
   * @param field the listing's array ({@code functions}, {@code schedules}, …)
   * @param none the line printed when it is empty
   * @param columns the table's header
   * @param row adds one item's cells, in the order of {@code columns}
   * @return the exit code
   */
  static int print(
      CommandSpec spec,
      ApiClient api,
      String format,
      String path,
      String field,
      String none,
      String[] columns,
      BiConsumer<JsonNode, ArrayNode> row) {
    if (!format.equals("table") && !format.equals("json")) {
      throw new ParameterException(
          spec.commandLine(), "--format: expected table or json, got " + Problem.render(format));
    }
    ApiClient.Response r = api.send("GET", path, null, null);
    if (r.status() != 200) {
      spec.commandLine().getErr().println("sluice: " + r.error());
      return SluiceCommand.EXIT_FAILED;
    }
    var out = spec.commandLine().getOut();
    if (format.equals("json")) {
      out.println(r.json().toString());
      return 0;
    }
    JsonNode items = r.json().get(field);
    if (items.isEmpty()) {
      out.println(none);
      return 0;
    }
    ObjectNode table = Json.MAPPER.createObjectNode();
    ArrayNode cols = table.putArray("columns");
    for (String c : columns) {
      cols.add(c);
    }
    ArrayNode rows = table.putArray("rows");
    for (JsonNode item : items) {
      row.accept(item, rows.addArray());
    }
    TablePrinter.print(table, out);
    return 0;
  }
}

package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints a result ({"columns","rows"}: a query's, or a listing built like one) as an aligned text
 * table, numbers right-aligned, with a count of its rows.
 */
final class TablePrinter {

  private static final int MAX_CELL = 60;

  private TablePrinter() {}

  static void print(JsonNode result, PrintWriter out) {
    print(result, out, "row", "rows");
  }

  /** The same, counting the rows as {@code one} / {@code many} ("1 object", "3 objects"). */
  static void print(JsonNode result, PrintWriter out, String one, String many) {
    List<String> cols = new ArrayList<>();
    result.get("columns").forEach(c -> cols.add(c.asText()));
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode r : result.get("rows")) {
      List<String> cells = new ArrayList<>();
      for (JsonNode v : r) {
        cells.add(cell(v));
      }
      rows.add(cells);
    }
    int[] w = new int[cols.size()];
    boolean[] numeric = new boolean[cols.size()];
    for (int i = 0; i < cols.size(); i++) {
      w[i] = cols.get(i).length();
      numeric[i] = true;
    }
    for (List<String> r : rows) {
      for (int i = 0; i < r.size(); i++) {
        w[i] = Math.max(w[i], r.get(i).length());
      }
    }
    for (JsonNode r : result.get("rows")) {
      for (int i = 0; i < r.size(); i++) {
        if (!r.get(i).isNumber() && !r.get(i).isNull()) {
          numeric[i] = false;
        }
      }
    }
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cols.size(); i++) {
      line.append(i == 0 ? "" : " | ").append(pad(cols.get(i), w[i], false));
    }
    out.println(line.toString().stripTrailing());
    line.setLength(0);
    for (int i = 0; i < cols.size(); i++) {
      line.append(i == 0 ? "" : "-+-").append("-".repeat(w[i]));
    }
    out.println(line);
    for (List<String> r : rows) {
      line.setLength(0);
      for (int i = 0; i < r.size(); i++) {
        line.append(i == 0 ? "" : " | ").append(pad(r.get(i), w[i], numeric[i]));
      }
      out.println(line.toString().stripTrailing());
    }
    long n = result.path("rowCount").asLong(rows.size());
    out.println(
        "("
            + n
            + " "
            + (n == 1 ? one : many)
            + (result.path("truncated").asBoolean() ? ", truncated at the row limit" : "")
            + ")");
  }

  private static String cell(JsonNode v) {
    String s = v.isNull() ? "NULL" : v.isValueNode() ? v.asText() : v.toString();
    s = s.replace('\n', ' ');
    return s.length() > MAX_CELL ? s.substring(0, MAX_CELL - 1) + "…" : s;
  }

  private static String pad(String s, int w, boolean right) {
    String fill = " ".repeat(Math.max(0, w - s.length()));
    return right ? fill + s : s + fill;
  }
}

package io.sluice.notify.reports;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.lake.CsvWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A report run as HTML (one self-contained file: styles inline, charts as inline SVG or, for mail,
 * {@code cid:} images), CSV (one RFC 4180 file per table section) and JSON (the whole report).
 */
final class ReportRenderer {

  private ReportRenderer() {}

  /** A table cell as text: null is empty, everything else as the lake returned it. */
  static String cell(Object v) {
    return v == null ? "" : String.valueOf(v);
  }

  /**
   * The HTML page. {@code chart} gives what stands for a table section's chart: an inline SVG
   * element, or an {@code <img src="cid:…">} for mail.
   */
  static String html(ReportRun run, Function<Integer, String> chart) {
    StringBuilder b = new StringBuilder(8192);
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>")
        .append(escape(run.title()))
        .append("</title><style>")
        .append(
            "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
                + "table{border-collapse:collapse;margin:.5em 0}"
                + "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}"
                + "th{background:#f3f3f3}.meta,.total{color:#666;font-size:.9em}"
                + ".error{border-left:4px solid #c00;background:#fee;padding:.5em 1em}"
                + ".text{white-space:pre-wrap}")
        .append("</style></head><body>\n<h1>")
        .append(escape(run.title()))
        .append("</h1>\n<p class=\"meta\">")
        .append(escape(run.report()))
        .append(" · ")
        .append(run.time())
        .append(" · status ")
        .append(run.status())
        .append("</p>\n");
    for (int i = 0; i < run.sections().size(); i++) {
      SectionResult s = run.sections().get(i);
      b.append("<section><h2>").append(escape(s.title())).append("</h2>\n");
      if (s.error() != null) {
        b.append("<div class=\"error\"><strong>Error:</strong> ")
            .append(escape(s.error()))
            .append("</div>\n");
      } else if (s.text() != null) {
        b.append("<div class=\"text\">").append(escape(s.text())).append("</div>\n");
      } else {
        if (s.hasChart()) {
          b.append("<figure>").append(chart.apply(i)).append("</figure>\n");
        }
        table(b, s);
      }
      b.append("</section>\n");
    }
    return b.append("</body></html>\n").toString();
  }

  private static void table(StringBuilder b, SectionResult s) {
    b.append("<table><thead><tr>");
    for (String c : s.columns()) {
      b.append("<th>").append(escape(c)).append("</th>");
    }
    b.append("</tr></thead><tbody>\n");
    int shown = Math.min(s.rows().size(), s.section().limit());
    for (int r = 0; r < shown; r++) {
      b.append("<tr>");
      for (Object v : s.rows().get(r)) {
        b.append("<td>").append(escape(cell(v))).append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</tbody></table>\n<p class=\"total\">");
    b.append(
        shown < s.rows().size()
            ? "showing " + shown + " of " + s.rows().size() + " rows"
            : s.rows().size() + (s.rows().size() == 1 ? " row" : " rows"));
    if (s.truncated()) {
      b.append(" (the result was cut at the lake's row limit)");
    }
    b.append("</p>\n");
  }

  /** A table section as CSV: a header row, then every row read. */
  static String csv(SectionResult s) {
    StringWriter w = new StringWriter();
    try {
      CsvWriter.writeRow(w, s.columns());
      for (List<Object> row : s.rows()) {
        List<String> cells = new ArrayList<>(row.size());
        row.forEach(v -> cells.add(v == null ? null : cell(v)));
        CsvWriter.writeRow(w, cells);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /**
   * The file name of a table section's CSV: its position and its title, {@code 02-heart-rate.csv}.
   */
  static String csvName(int index, SectionResult s) {
    String slug =
        s.title().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    if (slug.length() > 40) {
      slug = slug.substring(0, 40).replaceAll("-$", "");
    }
    return String.format(Locale.ROOT, "%02d", index + 1)
        + (slug.isEmpty() ? "" : "-" + slug)
        + ".csv";
  }

  /** The whole report: title, time, status, errors, keys and each section. */
  static ObjectNode json(ReportRun run) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("report", run.report());
    o.put("title", run.title());
    o.put("time", run.time().toString());
    o.put("status", run.status());
    ArrayNode errors = o.putArray("errors");
    run.errors().forEach(errors::add);
    ArrayNode sections = o.putArray("sections");
    for (SectionResult s : run.sections()) {
      ObjectNode j = sections.addObject();
      j.put("title", s.title());
      if (s.error() != null) {
        j.put("error", s.error());
      } else if (s.text() != null) {
        j.put("text", s.text());
      } else {
        ArrayNode cols = j.putArray("columns");
        s.columns().forEach(cols::add);
        ArrayNode rows = j.putArray("rows");
        for (List<Object> row : s.rows()) {
          rows.add(Json.MAPPER.valueToTree(row));
        }
        j.put("total", s.rows().size());
        j.put("truncated", s.truncated());
        if (s.section().chart() != null) {
          j.set("chart", Json.MAPPER.valueToTree(s.section().chart()));
        }
      }
    }
    return o;
  }

  /** The text/plain summary a mail carries: each section's title and what it holds. */
  static String text(ReportRun run) {
    StringBuilder b = new StringBuilder();
    b.append(run.title()).append('\n').append(run.report()).append(" · ").append(run.time());
    b.append(" · status ").append(run.status()).append("\n\n");
    for (SectionResult s : run.sections()) {
      b.append(s.title()).append('\n');
      if (s.error() != null) {
        b.append("  error: ").append(s.error()).append('\n');
      } else if (s.text() != null) {
        b.append(s.text().indent(2));
      } else {
        b.append("  ").append(String.join(" | ", s.columns())).append('\n');
        int shown = Math.min(s.rows().size(), Math.min(10, s.section().limit()));
        for (int r = 0; r < shown; r++) {
          List<String> cells = new ArrayList<>();
          s.rows().get(r).forEach(v -> cells.add(cell(v)));
          b.append("  ").append(String.join(" | ", cells)).append('\n');
        }
        b.append("  (").append(s.rows().size()).append(" rows");
        if (shown < s.rows().size()) {
          b.append(", the first ").append(shown).append(" shown");
        }
        b.append(")\n");
      }
      b.append('\n');
    }
    return b.toString();
  }

  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}

package io.sluice.core.config;

import java.util.List;

/**
 * A declared report (config section {@code reports}): SQL sections over the lake (tables, charts)
 * and function sections (text), rendered as HTML, CSV and JSON objects in the object store, and
 * optionally mailed.
 *
 * <pre>{@code
 * reports:
 *   - name: daily-health
 *     on: {schedule: daily-health}          # or a rule target report: {name: daily-health}
 *     title: "Health report {{date}}"
 *     sections:
 *       - {title: Summary, sql: "SELECT count(*) AS readings FROM vitals"}
 *       - {title: Heart rate by ward, sql: "SELECT ward, avg(heart_rate) AS hr FROM vitals GROUP BY ward",
 *          chart: {type: bar, x: ward, y: hr}}
 *       - {title: Insights, function: health-insights, input: {sql: "SELECT …"}}
 *     formats: [html, csv, json]
 *     bucket: reports
 *     email: {to: ["oncall@example.com"], attach: [csv]}
 * }</pre>
 *
 * @param schedule the schedule whose events run the report ({@code on: {schedule}}), or null
 * @param title a template ({@code {{date}}}, {@code {{detail.x}}})
 * @param formats of {@link #FORMATS}, in the order given
 * @param bucket the object store bucket the report is stored in
 * @param bus where its {@code Report Generated}/{@code Report Failed} events go
 * @param email null when the report is not mailed
 */
public record ReportConfig(
    String name,
    String schedule,
    String title,
    List<Section> sections,
    List<String> formats,
    String bucket,
    String bus,
    Email email) {

  public static final List<String> FORMATS = List.of("html", "csv", "json");
  public static final List<String> CHART_TYPES = List.of("bar", "line", "area", "scatter", "pie");
  public static final String DEFAULT_BUCKET = "reports";
  public static final int DEFAULT_ROW_LIMIT = 100;

  public ReportConfig {
    sections = List.copyOf(sections);
    formats = List.copyOf(formats);
  }

  /**
   * One section: a table of {@code sql}'s result (with a chart of it when {@code chart} is set), or
   * the text {@code function} returns for {@code sql}'s rows ({@code input: {sql}}, optional).
   *
   * @param limit the rows an HTML table shows (the total is always shown)
   */
  public record Section(String title, String sql, Chart chart, String function, int limit) {
    public boolean isFunction() {
      return function != null;
    }
  }

  /** A chart of a table section: {@code x} a column, {@code y} one or more columns. */
  public record Chart(String type, String x, List<String> y) {
    public Chart {
      y = List.copyOf(y);
    }
  }

  /** Who gets the report by mail, and which formats are attached. */
  public record Email(List<String> to, List<String> cc, List<String> attach) {
    public Email {
      to = List.copyOf(to);
      cc = List.copyOf(cc);
      attach = List.copyOf(attach);
    }
  }
}

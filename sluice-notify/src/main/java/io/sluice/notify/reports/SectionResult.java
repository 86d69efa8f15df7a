package io.sluice.notify.reports;

import io.sluice.core.config.ReportConfig.Section;
import java.util.List;

/**
 * One rendered section: a table (columns, rows, with a chart when the section has one), the text a
 * function returned, or the error that took its place.
 *
 * @param rows the rows read (at most the lake's maxRows)
 * @param truncated the lake's row limit cut the result
 * @param error why the section has no content, or null
 */
public record SectionResult(
    Section section,
    List<String> columns,
    List<List<Object>> rows,
    boolean truncated,
    String text,
    String error) {

  public SectionResult {
    columns = columns == null ? List.of() : List.copyOf(columns);
    rows = rows == null ? List.of() : List.copyOf(rows);
  }

  static SectionResult table(
      Section s, List<String> columns, List<List<Object>> rows, boolean cut) {
    return new SectionResult(s, columns, rows, cut, null, null);
  }

  static SectionResult text(Section s, String text) {
    return new SectionResult(s, null, null, false, text, null);
  }

  static SectionResult failed(Section s, String error) {
    return new SectionResult(s, null, null, false, null, error);
  }

  public String title() {
    return section.title();
  }

  public boolean isTable() {
    return error == null && text == null;
  }

  public boolean hasChart() {
    return isTable() && section.chart() != null;
  }
}

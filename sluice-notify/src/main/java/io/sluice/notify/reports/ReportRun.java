package io.sluice.notify.reports;

import java.time.Instant;
import java.util.List;

/**
 * What one run of a report produced.
 *
 * @param status {@code ok}; {@code partial} when a section or the mail failed (the report is
 *     stored); {@code failed} when it could not be stored
 * @param keys the object keys stored, in the report's bucket
 * @param errors what went wrong, each naming its section or {@code email}/{@code store}
 */
public record ReportRun(
    String report,
    String title,
    Instant time,
    String status,
    String bucket,
    List<String> keys,
    List<SectionResult> sections,
    List<String> errors) {

  public static final String OK = "ok";
  public static final String PARTIAL = "partial";
  public static final String FAILED = "failed";

  public ReportRun {
    keys = List.copyOf(keys);
    sections = List.copyOf(sections);
    errors = List.copyOf(errors);
  }
}

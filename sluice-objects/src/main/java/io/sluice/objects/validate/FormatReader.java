package io.sluice.objects.validate;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * Reads one file format as a stream, row by row, and judges each row against the target's rules
 * ({@link RowChecks}): valid rows are written to the processed output and handed on, rejected rows
 * to the rejected output with their reasons, both in the input's format. One implementation per
 * {@link FileFormat}; stateless and thread-safe.
 */
interface FormatReader {

  /** Where judged rows go besides the outputs. */
  interface Rows {
    /**
     * A valid row: its values by column (text, as read), the record itself when the format is JSON
     * (else null), and its number in the file (from 1).
     */
    void valid(Map<String, String> values, JsonNode record, long rowNumber) throws IOException;

    /** A rejected row. */
    void rejected();
  }

  /**
   * Judges every row of {@code in}.
   *
   * @return why the whole file fails (nothing of it is kept: not UTF-8, no header, not a JSON
   *     array…), or {@code null} when every row was judged
   */
  Problem judge(
      ValidateTarget spec,
      RowChecks checks,
      InputStream in,
      OutputStream processed,
      OutputStream rejected,
      Rows rows)
      throws IOException;
}

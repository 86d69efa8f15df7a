package io.sluice.lake;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * Writes RFC 4180 rows: a field with a comma, quote or line break is quoted, quotes doubled; rows
 * end with CRLF; null is an empty field. The counterpart of {@link CsvReader}.
 */
public final class CsvWriter {

  private CsvWriter() {}

  public static void writeRow(Writer w, List<String> cells) throws IOException {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        w.write(',');
      }
      String s = cells.get(i);
      if (s == null) {
        continue;
      }
      if (s.indexOf(',') >= 0
          || s.indexOf('"') >= 0
          || s.indexOf('\n') >= 0
          || s.indexOf('\r') >= 0) {
        w.write('"');
        w.write(s.replace("\"", "\"\""));
        w.write('"');
      } else {
        w.write(s);
      }
    }
    w.write("\r\n");
  }
}

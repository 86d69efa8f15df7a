package io.sluice.objects.validate;

import io.sluice.core.Problem;
import io.sluice.lake.CsvWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CSV with a header row: the header must name every required column; each row must have as many
 * fields as the header and pass the column rules. Outputs are CSV with the header (rejected rows
 * with a {@code reason} column), each cell neutralised against spreadsheet formulas.
 */
final class CsvFormat implements FormatReader {

  @Override
  public Problem judge(
      ValidateTarget spec,
      RowChecks checks,
      InputStream in,
      OutputStream processed,
      OutputStream rejected,
      Rows rows)
      throws IOException {
    Writer pw =
        new BufferedWriter(new OutputStreamWriter(processed, StandardCharsets.UTF_8), 1 << 16);
    Writer rw =
        new BufferedWriter(new OutputStreamWriter(rejected, StandardCharsets.UTF_8), 1 << 16);
    try (CsvReader r = new CsvReader(in, spec.maxLineBytes())) {
      CsvReader.Record header = r.next();
      if (header == null) {
        return Reasons.ofFile("the file is empty: expected a header row naming the columns");
      }
      if (header.error() != null) {
        return Reasons.ofFile("the header row is malformed: " + header.error());
      }
      List<String> names = new ArrayList<>();
      for (String h : header.fields()) {
        names.add(h.strip());
      }
      List<String> missing = new ArrayList<>();
      for (FileSchema.Column c : spec.schema().columns()) {
        if (!names.contains(c.name()) && c.required()) {
          missing.add(c.name());
        }
      }
      if (!missing.isEmpty()) {
        return Reasons.ofFile(
            "the header lacks required columns "
                + String.join(", ", missing)
                + " (header: "
                + String.join(", ", names)
                + ")");
      }
      writeRow(pw, names);
      List<String> rejectedHeader = new ArrayList<>(names);
      rejectedHeader.add("reason");
      writeRow(rw, rejectedHeader);
      long rowNumber = 0;
      CsvReader.Record rec;
      while ((rec = r.next()) != null) {
        if (rec.fields().size() == 1 && rec.fields().get(0).isEmpty() && rec.error() == null) {
          continue; // a blank line
        }
        rowNumber++;
        String where = "line " + rec.line();
        List<Problem> reasons = List.of();
        if (rec.error() != null) {
          reasons = List.of(Problem.of(where, rec.error()));
        } else if (rec.fields().size() != names.size()) {
          reasons =
              List.of(
                  Problem.of(
                      where,
                      "expected "
                          + names.size()
                          + " fields as in the header, got "
                          + rec.fields().size()));
        }
        Map<String, String> values = new LinkedHashMap<>();
        if (reasons.isEmpty()) {
          for (int i = 0; i < names.size(); i++) {
            values.put(names.get(i), rec.fields().get(i));
          }
          reasons = RowChecks.columns(spec.schema(), values);
        }
        if (reasons.isEmpty()) {
          writeRow(pw, rec.fields());
          rows.valid(values, null, rowNumber);
        } else {
          rows.rejected();
          List<String> out = new ArrayList<>(rec.fields());
          while (out.size() < names.size()) {
            out.add("");
          }
          out.add(Reasons.text(reasons));
          writeRow(rw, out);
        }
      }
    } catch (CsvReader.InvalidEncodingException e) {
      return Reasons.ofFile(e.getMessage());
    } finally {
      pw.flush();
      rw.flush();
    }
    return null;
  }

  /** Neutralises spreadsheet formulas: a cell starting with = + - @ tab or CR gets a leading '. */
  static String safeCell(String v) {
    if (v.isEmpty()) {
      return v;
    }
    char c = v.charAt(0);
    if (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r') {
      if ((c == '-' || c == '+') && isNumber(v)) {
        return v;
      }
      return "'" + v;
    }
    return v;
  }

  private static boolean isNumber(String v) {
    try {
      new BigDecimal(v.strip());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** A CSV row of an output file: each cell neutralised against formulas. */
  static void writeRow(Writer w, List<String> cells) throws IOException {
    List<String> safe = new ArrayList<>(cells.size());
    for (String c : cells) {
      safe.add(safeCell(c == null ? "" : c));
    }
    CsvWriter.writeRow(w, safe);
  }
}

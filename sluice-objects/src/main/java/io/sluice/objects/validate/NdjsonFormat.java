package io.sluice.objects.validate;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One JSON object per line, each line at most {@code maxLineBytes} characters (longer ones are
 * skipped, never held, and rejected). Valid lines are copied as they are; rejected ones become
 * {@code {"line", "reason"}} lines. Blank lines are ignored.
 */
final class NdjsonFormat implements FormatReader {

  /** Stands for a line over the limit (its characters were skipped, never held). */
  private static final String TOO_LONG = new String("<too long>");

  @Override
  public Problem judge(
      ValidateTarget spec,
      RowChecks checks,
      InputStream in,
      OutputStream processed,
      OutputStream rejected,
      Rows rows)
      throws IOException {
    BufferedReader br =
        new BufferedReader(new InputStreamReader(in, JsonFormat.strictUtf8()), 1 << 16);
    long line = 0;
    long rowNumber = 0;
    String text;
    try {
      while ((text = boundedLine(br, spec.maxLineBytes())) != null) {
        line++;
        if (text.isBlank()) {
          continue;
        }
        rowNumber++;
        String where = "line " + line;
        List<Problem> reasons = List.of();
        JsonNode node = null;
        if (text == TOO_LONG) {
          reasons =
              List.of(
                  Problem.limit(
                      where,
                      "longer than the limit of " + spec.maxLineBytes() + " characters",
                      null));
        } else {
          try {
            node = Json.MAPPER.readTree(text);
          } catch (IOException | NumberFormatException e) {
            reasons =
                List.of(
                    Problem.of(
                        where, "malformed JSON: " + e.getMessage().lines().findFirst().orElse("")));
          }
          if (reasons.isEmpty() && (node == null || !node.isObject())) {
            reasons =
                List.of(Problem.of(where, "expected a JSON object, got " + Json.describe(node)));
          }
        }
        Map<String, String> values = Map.of();
        if (reasons.isEmpty()) {
          values = RowChecks.values(node);
          Problem textProblem = RowChecks.textProblem(where, node);
          reasons = textProblem != null ? List.of(textProblem) : checks.check(spec, values, node);
        }
        if (reasons.isEmpty()) {
          processed.write(text.getBytes(StandardCharsets.UTF_8));
          processed.write('\n');
          rows.valid(values, node, rowNumber);
        } else {
          rows.rejected();
          ObjectNode out = Json.MAPPER.createObjectNode();
          out.put("line", text.length() > 10_000 ? text.substring(0, 10_000) + "…" : text);
          out.put("reason", Reasons.text(reasons));
          JsonGenerator g = Json.MAPPER.getFactory().createGenerator(rejected);
          g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
          Json.write(g, out);
          g.flush();
          rejected.write('\n');
        }
      }
    } catch (MalformedInputException e) {
      return Reasons.ofFile(
          "the file is not valid UTF-8 (a malformed byte sequence near line " + (line + 1) + ")");
    }
    return null;
  }

  /** The next line without its end, or {@link #TOO_LONG}, or null at the end of the input. */
  private static String boundedLine(BufferedReader r, long max) throws IOException {
    StringBuilder b = new StringBuilder();
    boolean over = false;
    int c;
    boolean any = false;
    while ((c = r.read()) >= 0) {
      any = true;
      if (c == '\n') {
        break;
      }
      if (c == '\r') {
        r.mark(1);
        if (r.read() != '\n') {
          r.reset();
        }
        break;
      }
      if (b.length() >= max) {
        over = true;
        b.setLength(0);
      } else if (!over) {
        b.append((char) c);
      }
    }
    if (!any) {
      return null;
    }
    return over ? TOO_LONG : b.toString();
  }
}

package io.sluice.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reading the JSON files Sluice keeps its state in (a lake table's manifest, a replay, the saved
 * rules, a log's spec), each with a {@code "format"} number. A file without one is format 1 (it was
 * written before formats were recorded); a newer format than this Sluice knows, or a file that is
 * not JSON, fails with a message that names the file, the problem and what to do.
 */
public final class StateFile {

  private StateFile() {}

  /**
   * The file's JSON, after its format was checked.
   *
   * @param what what the file is, for messages ("the manifest of lake table orders")
   * @param newest the newest format this code reads
   * @param remedy what an operator can do when the file is damaged
   * @throws CorruptDataException a damaged file, or one of an unknown format
   */
  public static JsonNode read(Path file, String what, int newest, String remedy)
      throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(bytes);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new CorruptDataException(
          file.toString(),
          e.getLocation() == null ? 0 : e.getLocation().getByteOffset(),
          what + " is damaged (not JSON: " + e.getOriginalMessage() + "); " + remedy);
    }
    if (n == null || !n.isObject()) {
      throw new CorruptDataException(
          file.toString(), 0, what + " is damaged (not a JSON object); " + remedy);
    }
    int format = format(n);
    if (format < 1 || format > newest) {
      throw new CorruptDataException(
          file.toString(),
          0,
          what
              + " has format "
              + n.get("format")
              + ", and this Sluice reads formats 1 to "
              + newest
              + ": it was written by a newer Sluice (run that one, or restore a backup)");
    }
    return n;
  }

  /**
   * The file's format: its {@code "format"} field, 1 when it has none, -1 when it is not a number.
   */
  public static int format(JsonNode n) {
    JsonNode f = n.get("format");
    if (f == null || f.isNull()) {
      return 1;
    }
    return f.canConvertToInt() && f.isIntegralNumber() ? f.intValue() : -1;
  }
}

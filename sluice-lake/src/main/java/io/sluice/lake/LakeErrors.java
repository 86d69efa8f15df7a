package io.sluice.lake;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.log.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The lake's error location: rows that cannot be written to their table, kept with why, one NDJSON
 * file per batch under {@code <lake>/_errors/<table>/}. Each line is {@code {"error","target",
 * "partition","offset","event","output"}}. A file is written whole (temp, fsync, rename, fsync
 * directory) and may be written again under the same name when its batch's commit is retried, so a
 * retry does not repeat its rows.
 */
final class LakeErrors {

  /** One row that went to the error location; {@code output} is what a transform made, or null. */
  record Entry(
      String error, String writer, int partition, long offset, JsonNode event, Object output) {}

  private LakeErrors() {}

  /**
   * Writes {@code entries} as {@code <dir>/<file>.ndjson}, durably (temp, fsync, rename, fsync
   * directory); the paths it creates are added to {@code written}, for a failed commit to delete.
   */
  static Path write(Path dir, String file, List<Entry> entries, List<Path> written)
      throws IOException {
    Files.createDirectories(dir);
    Path target = dir.resolve(file + ".ndjson");
    Path tmp = dir.resolve("." + file + ".ndjson.tmp");
    written.add(tmp);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp));
        JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.setRootValueSeparator(null);
      for (Entry e : entries) {
        g.writeStartObject();
        g.writeStringField("error", e.error());
        g.writeStringField("target", e.writer());
        g.writeNumberField("partition", e.partition());
        g.writeNumberField("offset", e.offset());
        g.writeFieldName("event");
        if (e.event() == null) {
          g.writeNull();
        } else {
          Json.write(g, e.event());
        }
        if (e.output() instanceof JsonNode j) {
          g.writeFieldName("output");
          Json.write(g, j);
        } else if (e.output() instanceof String t) {
          g.writeStringField("output", t);
        }
        g.writeEndObject();
        g.writeRaw('\n');
      }
    }
    AtomicFiles.fsyncFile(tmp);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    written.add(target);
    AtomicFiles.fsyncDirectory(dir);
    return target;
  }
}

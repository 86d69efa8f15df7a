package io.sluice.log;

import static io.sluice.log.LogFiles.bytes;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * Writes the golden files of format version 1 into a directory. Run once by hand when a format
 * version is introduced ({@code java … io.sluice.log.GoldenFiles DIR}); the files it wrote for v1
 * are checked in under {@code src/test/resources/golden/} (renamed {@code golden-*-v1}) and must
 * never be regenerated: later versions must still read them.
 */
final class GoldenFiles {

  static final Instant TIME = Instant.parse("2026-11-23T10:00:00Z");

  private GoldenFiles() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    try (EmbeddedEventLog log = EmbeddedEventLog.open(dir, Clock.fixed(TIME, ZoneOffset.UTC))) {
      log.create("golden", LogSpec.defaults(1));
      log.append(
              "golden",
              List.of(
                  new LogRecord(0, bytes("k1"), bytes("{\"n\":1}")),
                  new LogRecord(0, null, bytes("{\"n\":2}"))))
          .join();
      log.append("golden", List.of(new LogRecord(0, bytes(""), bytes("")))).join();
      log.commitCursor("golden", "router", Map.of(0, 2L));
    }
  }
}

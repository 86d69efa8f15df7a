package io.sluice.objects;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One clock: the main code of the engine, the lake and the objects module takes the node's {@code
 * Clock} for wall time, so tests can move time with a {@code MutableClock} and due times, ids and
 * timestamps agree. System.nanoTime() stays allowed: it measures intervals, not time. It lives in
 * sluice-objects, the module that depends on the other two.
 */
class OneClockTest {

  static final Pattern SYSTEM_CLOCK =
      Pattern.compile(
          "System\\.currentTimeMillis\\(|Instant\\.now\\(|Clock\\.system(UTC|DefaultZone)?\\("
              + "|(LocalDate|LocalDateTime|LocalTime|ZonedDateTime|OffsetDateTime)\\.now\\(|new"
              + " java\\.util\\.Date\\(\\)|new Date\\(\\)");

  @Test
  void noMainCodeOfEngineLakeOrObjectsReadsTheSystemClock() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    List<String> found = new ArrayList<>();
    for (String module :
        List.of("sluice-engine", "sluice-lake", "sluice-objects", "sluice-analyses")) {
      Path src = root.resolve(module).resolve("src/main/java");
      assertThat(src).isDirectory();
      try (Stream<Path> files = Files.walk(src)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          List<String> lines = Files.readAllLines(f);
          for (int i = 0; i < lines.size(); i++) {
            if (SYSTEM_CLOCK.matcher(lines.get(i)).find()) {
              found.add(root.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
            }
          }
        }
      }
    }
    assertThat(found).as("direct reads of the system clock").isEmpty();
  }

  @Test
  void thePatternFindsWhatItMustFind() {
    for (String s :
        List.of(
            "long t = System.currentTimeMillis();",
            "Instant.now()",
            "Clock.systemUTC()",
            "LocalDateTime.now()",
            "new Date()")) {
      assertThat(SYSTEM_CLOCK.matcher(s).find()).as(s).isTrue();
    }
    assertThat(SYSTEM_CLOCK.matcher("long t0 = System.nanoTime();").find()).isFalse();
    assertThat(SYSTEM_CLOCK.matcher("clock.instant()").find()).isFalse();
  }
}

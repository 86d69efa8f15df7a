package io.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibraryFilesTest {

  @TempDir Path dir;

  @Test
  void duckDbsLibraryCopyIsGoneFromDiskOnceLoadedSoAKillLeavesNothing() throws Exception {
    Path maps = Path.of("/proc/self/maps");
    assumeTrue(Files.isReadable(maps), "needs Linux /proc");
    try (Lake lake =
        Lake.open(
            dir.resolve("lake"),
            Clock.systemUTC(),
            new SimpleMeterRegistry(),
            LakeTableTest.noCompaction())) {
      List<String> mapped;
      try (Stream<String> lines = Files.lines(maps)) {
        mapped = lines.filter(l -> l.contains("libduckdb_java")).toList();
      }
      assertThat(mapped).as("the library is loaded").isNotEmpty();
      assertThat(mapped)
          .as("from a file that no longer exists")
          .allMatch(l -> l.endsWith("(deleted)"));
      assertThat(lake.dir()).exists();
    }
  }
}

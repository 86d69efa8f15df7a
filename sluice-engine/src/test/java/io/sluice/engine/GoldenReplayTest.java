package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replay's file of format 1 resumes where it says; a damaged one names itself and the fix. */
class GoldenReplayTest {

  @TempDir Path dir;

  static final String YAML =
      "buses: [{name: orders, partitions: 2}]\nrules:\n"
          + "  - {name: to-lake, bus: orders, pattern: {source: [shop]}, targets: [{id: lake, log:"
          + " {}}]}\n";

  @Test
  void aFormatOneReplayResumesFromItsPositionsWithItsCounts() throws Exception {
    try (EngineFixture f = new EngineFixture(dir, YAML)) {
      for (int i = 0; i < 5; i++) {
        f.send("orders", "{\"source\":\"shop\",\"detail-type\":\"T\",\"detail\":{}}");
      }
      f.engine.close();
      Path replays = dir.resolve("data/replays");
      Files.createDirectories(replays);
      try (var in = getClass().getResourceAsStream("/golden/golden-replay-v1.json")) {
        Files.copy(in, replays.resolve("again.json"));
      }
      f.start();
      Await.until(
          Duration.ofSeconds(20),
          () -> f.engine.routing().replays().get("again").state().equals("completed"),
          () -> f.engine.routing().replays().get("again").toString());
      Replays.Status s = f.engine.routing().replays().get("again");
      // 2 done before the checkpoint, then offsets 1-2 of partition 0 and 1 of partition 1
      assertThat(s.matched()).isEqualTo(5);
      assertThat(s.settled()).isEqualTo(5);
    }
  }

  @Test
  void aDamagedReplayFileStopsTheStartNamingItAndTheFix() throws Exception {
    try (EngineFixture f = new EngineFixture(dir, YAML)) {
      f.engine.close();
      Path file = dir.resolve("data/replays/broken.json");
      Files.createDirectories(file.getParent());
      Files.writeString(file, "{\"name\": \"broken\", ");
      assertThatThrownBy(f::start)
          .hasMessageStartingWith(file + " at byte ")
          .hasMessageContaining("the state of replay broken.json is damaged (not JSON: ")
          .hasMessageEndingWith(
              "remove the file to forget that replay (start it again to redo it)");
      Files.delete(file);
      f.start();
    }
  }
}

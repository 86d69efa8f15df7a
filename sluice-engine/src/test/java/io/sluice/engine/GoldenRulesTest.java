package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules saved through the API, in format 1, load as they were saved; a damaged or newer file
 * stops the start naming itself and the fix.
 */
class GoldenRulesTest {

  @TempDir Path dir;

  static final String YAML =
      "buses: [{name: orders}]\nrules:\n"
          + "  - {name: cfg, bus: orders, pattern: {source: [a]}, targets: [{id: t, log: {}}]}\n";

  void place(String resource) throws Exception {
    Path file = dir.resolve("data/rules.json");
    Files.createDirectories(file.getParent());
    try (var in = getClass().getResourceAsStream(resource)) {
      Files.copy(in, file);
    }
  }

  @Test
  void aFormatOneRulesFileLoadsItsRulesAndChoices() throws Exception {
    place("/golden/golden-rules-v1.json");
    try (EngineFixture f = new EngineFixture(dir, YAML)) {
      var api = f.engine.rules().get("orders", "from-api");
      assertThat(api.origin()).isEqualTo("api");
      assertThat(api.rule().targets().get(0).id()).isEqualTo("print");
      assertThat(f.engine.rules().get("orders", "cfg").rule().enabled()).isFalse();
    }
  }

  @Test
  void aDamagedOrNewerRulesFileStopsTheStartNamingItAndTheFix() throws Exception {
    Path file = dir.resolve("data/rules.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "{\"format\": 1, \"rules\": [");
    assertThatThrownBy(() -> new EngineFixture(dir, YAML))
        .hasMessageStartingWith(file.toString())
        .hasMessageContaining("the rules saved through the API is damaged (not JSON: ")
        .hasMessageEndingWith(
            "restore it from a backup, or remove it to start without the API's rules (the"
                + " config file's rules are not in it)");
    Files.writeString(file, "{\"format\": 2, \"rules\": []}");
    assertThatThrownBy(() -> new EngineFixture(dir, YAML))
        .hasMessageContaining(
            "the rules saved through the API has format 2, and this Sluice reads formats 1 to 1:"
                + " it was written by a newer Sluice");
  }
}

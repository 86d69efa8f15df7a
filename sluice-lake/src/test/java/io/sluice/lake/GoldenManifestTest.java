package io.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.CorruptDataException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lake manifest's format 1 stays readable; damaged and newer ones fail naming the file. */
class GoldenManifestTest {

  @TempDir Path dir;

  Path copyGolden() throws Exception {
    Path table = dir.resolve("orders");
    Files.createDirectories(table);
    Path file = table.resolve(Manifest.FILE);
    try (var in = getClass().getResourceAsStream("/golden/golden-manifest-v1.json")) {
      Files.copy(in, file);
    }
    return file;
  }

  @Test
  void formatOneIsRead() throws Exception {
    Manifest m = Manifest.read(copyGolden());
    assertThat(m.format()).isEqualTo(1);
    assertThat(m.version()).isEqualTo(2);
    assertThat(m.partitionKeys()).containsExactly("dt");
    assertThat(m.schema().column("amount").type()).isEqualTo(ColumnType.BIGINT);
    assertThat(m.files()).singleElement().extracting(Manifest.DataFile::rows).isEqualTo(3L);
    assertThat(m.highWater("orders/to-lake/lake", 0)).isEqualTo(41);
    assertThat(m.highWater("orders/to-lake/lake#replay:again", 0)).isEqualTo(12);
    assertThat(m.errorRows()).isEqualTo(1);
  }

  @Test
  void aDamagedOrNewerManifestFailsNamingTheFileAndWhatToDo() throws Exception {
    Path file = copyGolden();
    Files.writeString(file, "{\"format\": 1, \"table\": ");
    assertThatThrownBy(() -> Manifest.read(file))
        .isInstanceOf(CorruptDataException.class)
        .hasMessageStartingWith(file + " at byte ")
        .hasMessageContaining("the manifest of lake table orders is damaged (not JSON: ")
        .hasMessageEndingWith(
            "restore it from a backup; without it the table's files are not part of the table");
    Files.writeString(file, "{\"format\": 7}");
    assertThatThrownBy(() -> Manifest.read(file))
        .hasMessage(
            file
                + " at byte 0: the manifest of lake table orders has format 7, and this Sluice"
                + " reads formats 1 to 1: it was written by a newer Sluice (run that one, or"
                + " restore a backup)");
  }
}

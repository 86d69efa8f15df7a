package io.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.CorruptDataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lake manifest's formats 1 and 2 stay readable; damaged and newer ones fail naming the file.
 */
class GoldenManifestTest {

  @TempDir Path dir;

  Path copyGolden() throws Exception {
    return copyGolden("/golden/golden-manifest-v1.json");
  }

  Path copyGolden(String resource) throws Exception {
    Path table = dir.resolve("orders");
    Files.createDirectories(table);
    Path file = table.resolve(Manifest.FILE);
    try (var in = getClass().getResourceAsStream(resource)) {
      Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
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
  void formatTwoWithDateColumnsAndGarbageIsRead() throws Exception {
    Manifest m = Manifest.read(copyGolden("/golden/golden-manifest-v2.json"));
    assertThat(m.format()).isEqualTo(2);
    assertThat(m.schema().column("day").type()).isEqualTo(ColumnType.DATE);
    assertThat(m.schema().column("taken").type()).isEqualTo(ColumnType.TIMESTAMPTZ);
    assertThat(m.garbage())
        .extracting(Manifest.Garbage::path)
        .containsExactly(
            "dt=2026-11-30/part-00000001-000-0a1b2c3d.parquet",
            "dt=2026-11-30/part-00000003-000-1a2b3c4d.parquet");
  }

  @Test
  void aManifestIsWrittenInTheLowestFormatThatHoldsIt() {
    Manifest one = Manifest.empty("t", 0);
    TableSchema plain = one.schema().with(List.of(new Column("a", ColumnType.TIMESTAMPTZ)), 1);
    Manifest still = one.next(List.of(), plain, List.of(), List.of(), Map.of(), List.of(), 0);
    assertThat(still.format()).isEqualTo(1);
    TableSchema dated = plain.with(List.of(new Column("d", ColumnType.DATE)), 2);
    Manifest two = still.next(List.of(), dated, List.of(), List.of(), Map.of(), List.of(), 0);
    assertThat(two.format()).isEqualTo(2);
    assertThat(two.next(List.of(), dated, List.of(), List.of(), Map.of(), List.of(), 0).format())
        .isEqualTo(2);
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
                + " reads formats 1 to 2: it was written by a newer Sluice (run that one, or"
                + " restore a backup)");
  }
}

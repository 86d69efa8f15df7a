package io.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lake's public row API, as file validation uses it: rows added exactly once per writer. */
class LakeRowsTest {

  @TempDir Path dir;
  Lake lake;

  @BeforeEach
  void open() {
    lake =
        Lake.open(
            dir,
            Clock.systemUTC(),
            new SimpleMeterRegistry(),
            LakeSettings.DEFAULTS.withCompactionInterval(Duration.ZERO));
  }

  @AfterEach
  void close() {
    lake.close();
  }

  static List<Lake.Row> rows(long from, long to) {
    List<Lake.Row> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      var data = Json.MAPPER.createObjectNode().put("n", i).put("name", "row " + i);
      var event = Json.MAPPER.createObjectNode().put("id", "r-" + i).put("source", "test");
      event.put("detail-type", "Row").put("time", "2026-11-30T10:00:00Z").set("detail", data);
      out.add(new Lake.Row(i, event, data, "objects/b/k.csv", 1000 + i));
    }
    return out;
  }

  long count(String sql) throws Exception {
    Rows r = new Rows();
    lake.query(sql, r);
    return ((Number) r.single()).longValue();
  }

  @Test
  void rowsAreAddedOnceEvenWhenAWriterSendsThemAgain() throws Exception {
    assertThat(lake.committedPosition("vitals", "validate/b/abc")).isEqualTo(-1);
    lake.append("vitals", "validate/b/abc", rows(1, 5));
    assertThat(lake.committedPosition("vitals", "validate/b/abc")).isEqualTo(5);

    // a writer interrupted after its commit sends rows 1..8 again: only 6..8 are new
    lake.append("vitals", "validate/b/abc", rows(1, 8));
    assertThat(count("SELECT count(*) FROM vitals")).isEqualTo(8);
    assertThat(count("SELECT count(DISTINCT n) FROM vitals")).isEqualTo(8);
    assertThat(lake.committedPosition("vitals", "validate/b/abc")).isEqualTo(8);

    // another writer has its own positions
    lake.append("vitals", "validate/b/def", rows(1, 2));
    assertThat(count("SELECT count(*) FROM vitals")).isEqualTo(10);
    assertThat(lake.committedPosition("vitals", "validate/b/def")).isEqualTo(2);
  }

  @Test
  void nothingToAddIsNoCommit() throws Exception {
    lake.append("vitals", "w", rows(1, 3));
    long version = lake.table("vitals").version();
    lake.append("vitals", "w", rows(1, 3));
    lake.append("vitals", "w", List.of());
    assertThat(lake.table("vitals").version()).isEqualTo(version);
  }

  @Test
  void aTableIsQueryableOnceCreatedAndBadNamesAreRefused() throws Exception {
    lake.createTable("empty_one");
    assertThat(lake.table("empty_one")).isNotNull();
    assertThat(Lake.TABLE_NAME.matcher("Bad-Name").matches()).isFalse();
    assertThatThrownBy(() -> lake.append("../escape", "w", rows(1, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "expected a table name of 1-63 characters a-z 0-9 _, starting with a letter, got"
                + " \"../escape\"");
    assertThat(dir.resolve("../escape")).doesNotExist();
  }
}

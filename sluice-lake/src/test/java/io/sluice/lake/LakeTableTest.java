package io.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.Json;
import io.sluice.testkit.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakeTableTest {

  @TempDir Path dir;
  MutableClock clock = MutableClock.atDefaultStart();
  Lake lake;
  long offset;

  @BeforeEach
  void open() {
    lake = Lake.open(dir.resolve("lake"), clock, new SimpleMeterRegistry(), noCompaction());
  }

  /** For commits that must not reject anything: a reject fails the test. */
  static final java.util.function.Function<LakeTable.Rejected, LakeErrors.Entry> NO_REJECTS =
      rejected -> {
        throw new AssertionError("unexpected rejected row: " + rejected);
      };

  static LakeSettings noCompaction() {
    return LakeSettings.DEFAULTS.withCompactionInterval(Duration.ZERO);
  }

  @AfterEach
  void close() {
    lake.close();
  }

  static JsonNode json(String s) {
    try {
      return Json.MAPPER.readTree(s);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  LakeRecord record(String detail, Map<String, String> partition) {
    long o = offset++;
    JsonNode event =
        json(
            "{\"version\":\"0\",\"id\":\"id-"
                + o
                + "\",\"source\":\"test\",\"detail-type\":\"T\",\"account\":\"0\","
                + "\"time\":\"2026-11-30T10:00:00Z\",\"region\":\"local\",\"resources\":[],"
                + "\"detail\":"
                + detail
                + "}");
    return new LakeRecord(
        event, event.get("detail"), "b", 0, o, 1_700_000_000_000L, null, partition);
  }

  void commit(String table, List<String> keys, String... details) throws Exception {
    List<LakeRecord> rs = new ArrayList<>();
    for (String d : details) {
      rs.add(record(d, Map.of()));
    }
    lake.table(table, true).commit(keys, rs, Map.of(), "zstd", List.of(), NO_REJECTS);
  }

  Rows sql(String sql) throws Exception {
    Rows r = new Rows();
    lake.query(sql, r);
    return r;
  }

  QueryException refused(String sql) {
    try {
      sql(sql);
    } catch (QueryException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError("expected a QueryException for " + sql + ", got " + e, e);
    }
    throw new AssertionError("expected " + sql + " to be refused");
  }

  @Test
  void committedRowsAnswerSqlWithEnvelopeColumns() throws Exception {
    commit(
        "orders",
        List.of(),
        "{\"amount\":12,\"item\":\"tea\"}",
        "{\"amount\":30,\"item\":\"pot\"}");
    Rows r =
        sql(
            "SELECT id, source, detail_type, amount, item, bus, partition, \"offset\","
                + " time, ingestion_time FROM orders ORDER BY amount");
    assertThat(r.rows).hasSize(2);
    assertThat(r.rows.get(0))
        .containsExactly(
            "id-0",
            "test",
            "T",
            12L,
            "tea",
            "b",
            0,
            0L,
            "2026-11-30T10:00Z",
            "2023-11-14T22:13:20Z");
    assertThat(r.types.subList(3, 5)).containsExactly("BIGINT", "VARCHAR");
    TableInfo info = lake.table("orders");
    assertThat(info.rows()).isEqualTo(2);
    assertThat(info.fileCount()).isEqualTo(1);
    assertThat(info.schemaVersion()).isEqualTo(2);
  }

  @Test
  void schemaEvolvesWithoutDroppingAnyField() throws Exception {
    commit("t", List.of(), "{\"a\":1,\"s\":\"x\",\"keep\":true}");
    commit(
        "t",
        List.of(),
        "{\"a\":1.5,\"s\":5,\"nested\":{\"x\":[1,2]},\"arr\":[1,\"two\"],\"onlyNull\":null,"
            + "\"id\":\"mine\",\"A\":\"case\",\"huge\":123456789012345678901234567890,"
            + "\"keep\":null}");
    Rows r = sql("SELECT a, s, keep, nested, arr, detail_id, _extra FROM t ORDER BY \"offset\"");
    assertThat(r.types)
        .containsExactly("DOUBLE", "VARCHAR", "BOOLEAN", "JSON", "JSON", "VARCHAR", "JSON");
    assertThat(r.rows.get(0)).containsExactly(1.0, "x", true, null, null, null, null);
    List<Object> second = r.rows.get(1);
    assertThat(second.subList(0, 6))
        .containsExactly(1.5, null, null, "{\"x\":[1,2]}", "[1,\"two\"]", "mine");
    JsonNode extra = json((String) second.get(6));
    assertThat(extra.get("s").asInt()).isEqualTo(5);
    assertThat(extra.has("onlyNull")).isTrue();
    assertThat(extra.get("A").asText()).isEqualTo("case");
    assertThat(extra.get("huge").asText()).isEqualTo("123456789012345678901234567890");
    TableInfo info = lake.table("t");
    assertThat(info.schemas()).hasSize(3);
    assertThat(info.schemas().get(1).column("a").type()).isEqualTo(ColumnType.BIGINT);
    assertThat(info.schemas().get(2).column("a").type()).isEqualTo(ColumnType.DOUBLE);
    assertThat(info.columns().stream().map(Column::name))
        .contains("nested", "arr", "detail_id")
        .doesNotContain("onlyNull", "A", "huge");
  }

  @Test
  void nonObjectDetailIsKeptInExtra() throws Exception {
    commit("t", List.of(), "[1,2]", "\"text\"", "null");
    Rows r = sql("SELECT _extra FROM t ORDER BY \"offset\"");
    assertThat(r.column(0)).containsExactly("{\"detail\":[1,2]}", "{\"detail\":\"text\"}", null);
  }

  @Test
  void partitionDirectoriesAreEscapedAndReadBack() throws Exception {
    LakeTable t = lake.table("p", true);
    List<LakeRecord> rs = new ArrayList<>();
    for (String region : List.of("eu", "a%2Fb", "%2E.", "__HIVE_DEFAULT_PARTITION__")) {
      Map<String, String> values = new LinkedHashMap<>();
      values.put("dt", "2026-11-30");
      values.put("region", region);
      rs.add(record("{\"region\":\"r\"}", values));
    }
    t.commit(List.of("dt", "region"), rs, Map.of(), "snappy", List.of(), NO_REJECTS);
    try (Stream<Path> s = Files.list(dir.resolve("lake/p/dt=2026-11-30"))) {
      assertThat(s.map(x -> x.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "region=eu", "region=a%2Fb", "region=%2E.", "region=__HIVE_DEFAULT_PARTITION__");
    }
    Rows r = sql("SELECT dt, p.region, detail_region FROM p ORDER BY \"offset\"");
    assertThat(r.column(0)).containsOnly("2026-11-30");
    // the partition key shadows nothing: the data field of the same name is detail_region
    assertThat(r.column(2)).containsOnly("r");
    assertThat(r.column(1).get(0)).isEqualTo("eu");
    assertThat(r.column(1).get(1)).isEqualTo("a/b");
    assertThatThrownBy(
            () ->
                t.commit(
                    List.of("other"),
                    List.of(record("{}", Map.of("other", "x"))),
                    Map.of(),
                    "zstd",
                    List.of(),
                    NO_REJECTS))
        .hasMessageContaining("lake table p is partitioned by [dt, region], not by [other]");
  }

  @Test
  void compactionKeepsQueryResultsIdenticalAndDeletesOldFilesLater() throws Exception {
    for (int i = 0; i < 12; i++) {
      commit("c", List.of(), "{\"i\":" + i + ",\"s\":\"v" + i + "\"}");
      if (i == 6) {
        commit("c", List.of(), "{\"i\":1.5,\"late\":[" + i + "]}");
      }
    }
    String q = "SELECT id, i, s, late, _extra FROM c ORDER BY id";
    Rows before = sql(q);
    assertThat(lake.table("c").fileCount()).isEqualTo(13);
    assertThat(lake.compact("c")).isEqualTo(13);
    Rows after = sql(q);
    assertThat(after.rows).isEqualTo(before.rows);
    assertThat(after.types).isEqualTo(before.types);
    assertThat(lake.table("c").fileCount()).isEqualTo(1);
    assertThat(lake.table("c").rows()).isEqualTo(13);
    // the replaced files leave the table's directory at once and wait out their grace period
    assertThat(parquetFiles("lake/c")).hasSize(1);
    assertThat(parquetFiles("lake/_trash/c")).hasSize(13);
    clock.advance(LakeTable.GARBAGE_GRACE.plusSeconds(1));
    lake.compact("c");
    assertThat(parquetFiles("lake/c")).hasSize(1);
    assertThat(parquetFiles("lake/_trash/c")).isEmpty();
    assertThat(sql(q).rows).isEqualTo(before.rows);
  }

  /** The .parquet files under {@code dir/<sub>}, relative to it, sorted; none when it is absent. */
  List<String> parquetFiles(String sub) throws Exception {
    Path root = dir.resolve(sub);
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.toString().endsWith(".parquet"))
          .map(p -> root.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  /**
   * What a reader outside Sluice counts, with the glob and options the README gives: its own DuckDB
   * over {@code <lake>/<table>/**}{@code /*.parquet}.
   */
  long outsideCount(String table, String where) throws Exception {
    String glob = dir.resolve("lake").resolve(table) + "/**/*.parquet";
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM read_parquet('"
                    + glob
                    + "', hive_partitioning = true, union_by_name = true) "
                    + where)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** 12 small files in each of two partitions, the schema growing half way. */
  void smallFilesInTwoPartitions(String table) throws Exception {
    LakeTable t = lake.table(table, true);
    for (int i = 0; i < 12; i++) {
      for (String dt : List.of("2026-11-29", "2026-11-30")) {
        String detail = i < 6 ? "{\"i\":" + i + "}" : "{\"i\":" + i + ",\"late\":\"x\"}";
        t.commit(
            List.of("dt"),
            List.of(record(detail, Map.of("dt", dt))),
            Map.of(),
            "zstd",
            List.of(),
            NO_REJECTS);
      }
    }
  }

  @Test
  void outsideReadersOfTheTableDirectoryCountEachRowOnceAfterCompaction() throws Exception {
    smallFilesInTwoPartitions("o");
    assertThat(outsideCount("o", "")).isEqualTo(24);
    assertThat(lake.compact("o")).isEqualTo(24);
    assertThat(sql("SELECT count(*) FROM o").single()).isEqualTo(24L);
    assertThat(outsideCount("o", "")).isEqualTo(24);
    assertThat(outsideCount("o", "WHERE dt = '2026-11-30' AND late = 'x'")).isEqualTo(6);
    assertThat(parquetFiles("lake/o")).hasSize(2);
    assertThat(parquetFiles("lake/_trash/o"))
        .hasSize(24)
        .allMatch(p -> p.startsWith("dt=2026-11-29/") || p.startsWith("dt=2026-11-30/"));
    // the trash is no table, after a restart either
    lake.close();
    lake = Lake.open(dir.resolve("lake"), clock, new SimpleMeterRegistry(), noCompaction());
    assertThat(lake.tables()).extracting(TableInfo::name).containsExactly("o");
    assertThat(parquetFiles("lake/_trash/o")).hasSize(24);
    assertThat(outsideCount("o", "")).isEqualTo(24);
  }

  @Test
  void aCrashAfterTheCompactionCommitLeavesNoReplacedFileInTheTableDirectory() throws Exception {
    smallFilesInTwoPartitions("k");
    lake.compact("k");
    // as if the process died after the manifest listed the new files, before (or while) the
    // replaced ones were moved out: they are back beside the new ones
    List<String> trashed = parquetFiles("lake/_trash/k");
    for (String p : trashed.subList(0, 20)) {
      Files.move(dir.resolve("lake/_trash/k").resolve(p), dir.resolve("lake/k").resolve(p));
    }
    assertThat(outsideCount("k", "")).as("the duplicates a crash leaves").isEqualTo(24 + 20);
    lake.close();
    lake = Lake.open(dir.resolve("lake"), clock, new SimpleMeterRegistry(), noCompaction());
    lake.table("k", false);
    assertThat(parquetFiles("lake/k")).hasSize(2);
    assertThat(parquetFiles("lake/_trash/k")).isEqualTo(trashed);
    assertThat(outsideCount("k", "")).isEqualTo(24);
    assertThat(sql("SELECT count(*) FROM k").single()).isEqualTo(24L);
    clock.advance(LakeTable.GARBAGE_GRACE.plusSeconds(1));
    lake.compact("k");
    assertThat(parquetFiles("lake/_trash/k")).isEmpty();
    assertThat(sql("SELECT count(*) FROM k").single()).isEqualTo(24L);
  }

  @Test
  void aCrashBeforeTheCompactionCommitKeepsTheOldFilesAndDropsTheNewOnes() throws Exception {
    smallFilesInTwoPartitions("b");
    Path manifest = dir.resolve("lake/b").resolve(Manifest.FILE);
    byte[] committed = Files.readAllBytes(manifest);
    List<String> small = parquetFiles("lake/b");
    lake.compact("b");
    // as if the process died after writing the merged files, before the manifest listed them
    Files.write(manifest, committed);
    for (String p : small) {
      Files.move(dir.resolve("lake/_trash/b").resolve(p), dir.resolve("lake/b").resolve(p));
    }
    lake.close();
    lake = Lake.open(dir.resolve("lake"), clock, new SimpleMeterRegistry(), noCompaction());
    lake.table("b", false);
    assertThat(parquetFiles("lake/b")).isEqualTo(small);
    assertThat(outsideCount("b", "")).isEqualTo(24);
    assertThat(sql("SELECT count(*) FROM b").single()).isEqualTo(24L);
  }

  @Test
  void aQueryRunningWhileCompactionReplacesFilesFinishesAndThenTheyLeave() throws Exception {
    smallFilesInTwoPartitions("q");
    java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    List<Object> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    RowSink slow =
        new RowSink() {
          @Override
          public void start(List<String> columns, List<String> types) {}

          @Override
          public void row(Object[] values) {
            reading.countDown();
            try {
              go.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            seen.add(values[0]);
          }

          @Override
          public void end(long rows, boolean truncated) {}
        };
    var query =
        java.util.concurrent.CompletableFuture.runAsync(
            () -> {
              try {
                lake.query("SELECT i FROM q", slow);
              } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
              }
            });
    assertThat(reading.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(lake.compact("q")).isEqualTo(24);
    // the query began before the commit and may still open the old files by name
    assertThat(parquetFiles("lake/q")).hasSize(26);
    go.countDown();
    query.get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(seen).hasSize(24);
    io.sluice.testkit.Await.until(
        Duration.ofSeconds(30),
        () -> uncheckedParquetFiles("lake/q").size() == 2,
        () -> "the table directory holds " + uncheckedParquetFiles("lake/q"));
    assertThat(parquetFiles("lake/_trash/q")).hasSize(24);
    assertThat(outsideCount("q", "")).isEqualTo(24);
  }

  /** {@link #parquetFiles}, or a list naming the failure when files moved while it looked. */
  List<String> uncheckedParquetFiles(String sub) {
    try {
      return parquetFiles(sub);
    } catch (Exception e) {
      return List.of("(could not list: " + e + ")");
    }
  }

  @Test
  void filesNotInTheManifestAreDeletedOnOpen() throws Exception {
    commit("t", List.of(), "{\"a\":1}");
    Path stray = dir.resolve("lake/t/part-99999999-000-deadbeef.parquet");
    Files.copy(dir.resolve("lake/t").resolve(lake.table("t").files().get(0).path()), stray);
    Files.writeString(dir.resolve("lake/t/.part-x.parquet.tmp"), "half");
    lake.close();
    lake = Lake.open(dir.resolve("lake"), clock, new SimpleMeterRegistry(), noCompaction());
    assertThat(stray).doesNotExist();
    assertThat(dir.resolve("lake/t/.part-x.parquet.tmp")).doesNotExist();
    assertThat(sql("SELECT count(*) FROM t").single()).isEqualTo(1L);
  }

  @Test
  void highWaterMarksMoveWithTheCommit() throws Exception {
    LakeTable t = lake.table("h", true);
    t.commit(
        List.of(),
        List.of(record("{}", Map.of())),
        Map.of("b/r/t", Map.of(0, 41L, 1, 7L)),
        "zstd",
        List.of(),
        NO_REJECTS);
    t.commit(
        List.of(),
        List.of(record("{}", Map.of())),
        Map.of("b/r/t", Map.of(0, 45L)),
        "zstd",
        List.of(),
        NO_REJECTS);
    assertThat(t.highWater("b/r/t", 0)).isEqualTo(45);
    assertThat(t.highWater("b/r/t", 1)).isEqualTo(7);
    assertThat(t.highWater("other", 0)).isEqualTo(-1);
    Manifest m = Manifest.read(dir.resolve("lake/h/_manifest.json"));
    assertThat(m.highWater().get("b/r/t")).containsEntry(0, 45L);
  }

  @Test
  void rowsDuckDbRefusesAreFoundAndTheRestIsCommittedWithTheMarks() throws Exception {
    // records that reach the table unchecked: DuckDB refuses text with a lone surrogate
    List<LakeRecord> rs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      rs.add(
          record(
              i == 7 || i == 31 ? "{\"s\":\"bad\\ud800\",\"i\":" + i + "}" : "{\"i\":" + i + "}",
              Map.of()));
    }
    LakeTable t = lake.table("iso", true);
    List<LakeTable.Rejected> rejected =
        t.commit(
            List.of(),
            rs,
            Map.of("b/r/t", Map.of(0, 39L)),
            "zstd",
            List.of(),
            x ->
                new LakeErrors.Entry(
                    x.reason(), "b/r/t", 0, x.record().offset(), x.record().event(), null));
    assertThat(rejected).extracting(x -> x.record().offset()).containsExactly(7L, 31L);
    assertThat(rejected.get(0).reason())
        .isEqualTo(
            "lake table iso cannot store this row: DuckDB: Invalid Input Error: Malformed JSON:"
                + " no low surrogate in string.");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir.resolve("lake/_errors/iso"))) {
      files = s.toList();
    }
    assertThat(files).hasSize(1);
    assertThat(files.get(0).getFileName().toString()).matches("v00000001-[0-9a-f]{8}\\.ndjson");
    assertThat(Files.readAllLines(files.get(0)))
        .extracting(l -> json(l).get("offset").asLong())
        .containsExactly(7L, 31L);
    assertThat(sql("SELECT count(*) FROM iso").single()).isEqualTo(38L);
    assertThat(sql("SELECT count(*) FROM iso WHERE i IN (7, 31)").single()).isEqualTo(0L);
    assertThat(t.highWater("b/r/t", 0)).isEqualTo(39);
    assertThat(t.manifest().errorRows()).isEqualTo(2);
    try (Stream<Path> s = Files.list(dir.resolve("lake/_tmp"))) {
      assertThat(s.filter(Files::isRegularFile).toList()).as("trial files are removed").isEmpty();
    }
  }

  @Test
  void aFailureThatIsNotAboutTheDataCommitsNothing() throws Exception {
    LakeTable t = lake.table("io", true);
    Path blocker = dir.resolve("lake/io/k=x");
    Files.writeString(blocker, "a file where the partition directory must go");
    List<LakeRecord> rs = List.of(record("{\"i\":1}", Map.of("k", "x")));
    assertThatThrownBy(
            () ->
                t.commit(
                    List.of("k"),
                    rs,
                    Map.of("b/r/t", Map.of(0, 5L)),
                    "zstd",
                    List.of(),
                    NO_REJECTS))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    assertThat(t.highWater("b/r/t", 0)).isEqualTo(-1);
    assertThat(t.manifest().errorRows()).isZero();
  }

  @Test
  void errorEntriesOfACommitThatNeverFinishedAreDeletedOnOpen() throws Exception {
    LakeTable t = lake.table("e", true);
    var entry = new LakeErrors.Entry("why", "b/r/t", 0, 3, json("{\"id\":\"x\"}"), null);
    t.commitMarks(Map.of("b/r/t", Map.of(0, 3L)), List.of(entry));
    Path errors = dir.resolve("lake/_errors/e");
    // as if a later commit had written its error entries and then died before its manifest
    Path orphan = errors.resolve("v00000002-0badc0de.ndjson");
    Files.writeString(orphan, "{\"error\":\"never committed\"}\n");
    Path older = errors.resolve("2026-11-30T10-00-00Z-1234abcd.ndjson"); // an earlier version's
    Files.writeString(older, "{\"error\":\"kept\"}\n");
    lake.close();
    lake = Lake.open(dir.resolve("lake"), clock, new SimpleMeterRegistry(), noCompaction());
    lake.table("e", false);
    try (Stream<Path> s = Files.list(errors)) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
          .hasSize(2)
          .contains(older.getFileName().toString())
          .doesNotContain(orphan.getFileName().toString());
    }
    assertThat(lake.table("e").errorRows()).isEqualTo(1);
  }

  @Test
  void emptyTableIsQueryable() throws Exception {
    lake.table("empty", true);
    Rows r = sql("SELECT count(*) AS n FROM empty");
    assertThat(r.single()).isEqualTo(0L);
    assertThat(r.columns).containsExactly("n");
  }

  @Test
  void sandboxRefusesEveryEscape() throws Exception {
    commit("t", List.of(), "{\"a\":1}");
    Path outside = Files.writeString(dir.resolve("secret.csv"), "a\n1\n");
    assertThat(refused("SELECT * FROM read_csv('/etc/passwd')").status()).isEqualTo(403);
    assertThat(refused("SELECT * FROM read_csv('" + outside + "')").code()).isEqualTo("Forbidden");
    assertThat(
            refused("SELECT * FROM read_text('" + dir.resolve("lake") + "/../secret.csv')")
                .status())
        .isEqualTo(403);
    assertThat(refused("SELECT * FROM glob('/etc/*')").status()).isEqualTo(403);
    for (String write :
        List.of(
            "COPY (SELECT 1) TO '" + dir.resolve("lake/x.csv") + "'",
            "COPY t TO '/tmp/x.csv'",
            "ATTACH '" + dir.resolve("x.db") + "' AS x",
            "INSTALL httpfs",
            "LOAD httpfs",
            "SET enable_external_access = true",
            "CREATE TABLE x AS SELECT 1",
            "DROP VIEW t",
            "PRAGMA version",
            "EXPORT DATABASE '" + dir.resolve("lake/exp") + "'")) {
      QueryException e = refused(write);
      assertThat(e.status()).as(write).isEqualTo(403);
      assertThat(e.code()).as(write).isEqualTo("NotReadOnly");
      assertThat(e.getMessage()).as(write).startsWith("only SELECT queries run on the lake");
    }
    assertThat(dir.resolve("lake/x.csv")).doesNotExist();
    assertThat(refused("SELECT 1; SELECT 2").getMessage())
        .isEqualTo("expected exactly one SELECT statement, got 2");
    assertThat(sql("SELECT count(*) FROM t").single()).isEqualTo(1L);
  }

  @Test
  void sqlErrorsNameThePosition() throws Exception {
    commit("t", List.of(), "{\"a\":1}");
    QueryException syntax = refused("SELECT a,\n  FROM t WHERE");
    assertThat(syntax.status()).isEqualTo(400);
    assertThat(syntax.getMessage())
        .isEqualTo("Parser Error: syntax error at or near \"WHERE\" (at line 2, column 10)");
    assertThat(syntax.position()).isEqualTo(19);
    QueryException binder = refused("SELECT nope FROM t");
    assertThat(binder.getMessage())
        .startsWith("Binder Error: Referenced column \"nope\" not found")
        .endsWith("(at line 1, column 8)");
    assertThat(binder.position()).isEqualTo(7);
    assertThat(refused("SELECT * FROM missing_table").getMessage())
        .contains("Table with name missing_table does not exist");
    assertThat(refused("   ").getMessage()).isEqualTo("sql is required: a SELECT statement");
  }

  @Test
  void timeoutAndRowLimit() throws Exception {
    QueryException slow = null;
    try {
      lake.query(
          "SELECT count(*) FROM range(100000000000) a", 10, Duration.ofMillis(300), new Rows());
    } catch (QueryException e) {
      slow = e;
    }
    assertThat(slow).isNotNull();
    assertThat(slow.status()).isEqualTo(408);
    assertThat(slow.code()).isEqualTo("QueryTimeout");
    Rows r = new Rows();
    lake.query("SELECT * FROM range(50)", 10, Duration.ofSeconds(5), r);
    assertThat(r.rows).hasSize(10);
    assertThat(r.truncated).isTrue();
  }

  /**
   * A timeout that fires before DuckDB has begun to execute is not lost: DuckDB forgets an
   * interrupt that comes before its query starts, so the cancel is repeated until the statement
   * returns. Timeouts of a few milliseconds land in that window; each query still ends with 408.
   */
  @Test
  void aTimeoutThatFiresBeforeTheQueryStartsStillEndsIt() {
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        Duration.ofSeconds(120),
        () -> {
          for (int ms = 1; ms <= 30; ms++) {
            QueryException slow = null;
            try {
              lake.query(
                  "SELECT count(*) FROM range(100000000000) a WHERE hash(a.range) % 7 = 3",
                  10, Duration.ofMillis(ms), new Rows());
            } catch (QueryException e) {
              slow = e;
            }
            assertThat(slow).as("timeout of %d ms", ms).isNotNull();
            assertThat(slow.code()).isEqualTo("QueryTimeout");
          }
        });
  }
}

package io.sluice.lake;

import io.sluice.core.Json;
import io.sluice.log.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The truth about one lake table, in {@code <table>/_manifest.json}, replaced atomically (temp,
 * fsync, rename, fsync directory) on every commit. A Parquet file is part of the table only once
 * the manifest lists it; files on disk that it does not list are leftovers of a crash and are
 * deleted when the table opens. {@code highWater} records, per writer ({@code bus/rule/target}) and
 * bus partition, the highest offset whose row is committed: the same commit that adds the files
 * moves it, which is what makes delivery into the table exactly once.
 *
 * <p>Formats: 1, and 2 once a schema has a {@link ColumnType#DATE} column (which format 1 readers
 * do not know); a manifest is written in the lowest format that holds it.
 *
 * @param version commit counter, 0 for a table nothing was written to
 * @param partitionKeys the Hive-style keys, fixed by the first commit
 * @param schemas every schema version, oldest first
 * @param garbage files replaced by compaction (paths where they were in the table), kept in {@code
 *     <lake>/_trash/<table>/<path>} until no query can still be reading them
 * @param errorRows rows written to the error location instead of the table
 */
public record Manifest(
    int format,
    String table,
    long version,
    List<String> partitionKeys,
    List<TableSchema> schemas,
    List<DataFile> files,
    Map<String, Map<Integer, Long>> highWater,
    List<Garbage> garbage,
    long errorRows) {

  static final String FILE = "_manifest.json";

  /** A committed Parquet file, its path relative to the table directory. */
  public record DataFile(
      String path,
      long rows,
      long bytes,
      int schemaVersion,
      Map<String, String> partition,
      long createdAtMs) {}

  /** A file to delete once {@code deleteAfterMs} has passed. */
  public record Garbage(String path, long deleteAfterMs) {}

  public Manifest {
    partitionKeys = List.copyOf(partitionKeys);
    schemas = List.copyOf(schemas);
    files = List.copyOf(files);
    Map<String, Map<Integer, Long>> hw = new TreeMap<>();
    highWater.forEach((k, v) -> hw.put(k, Map.copyOf(new TreeMap<>(v))));
    highWater = java.util.Collections.unmodifiableMap(hw);
    garbage = List.copyOf(garbage);
  }

  static Manifest empty(String table, long nowMs) {
    return new Manifest(
        1,
        table,
        0,
        List.of(),
        List.of(TableSchema.initial(nowMs)),
        List.of(),
        Map.of(),
        List.of(),
        0);
  }

  public TableSchema schema() {
    return schemas.get(schemas.size() - 1);
  }

  public long rows() {
    long n = 0;
    for (DataFile f : files) {
      n += f.rows();
    }
    return n;
  }

  long highWater(String writer, int partition) {
    Map<Integer, Long> m = highWater.get(writer);
    Long v = m == null ? null : m.get(partition);
    return v == null ? -1 : v;
  }

  /** The next version: files added and removed, schema and high-water marks moved. */
  Manifest next(
      List<String> keys,
      TableSchema schema,
      List<DataFile> added,
      List<DataFile> removed,
      Map<String, Map<Integer, Long>> marks,
      List<Garbage> newGarbage,
      long moreErrorRows) {
    List<TableSchema> s = new ArrayList<>(schemas);
    if (schema.version() != schema().version()) {
      s.add(schema);
    }
    List<DataFile> f = new ArrayList<>(files);
    f.removeAll(removed);
    f.addAll(added);
    Map<String, Map<Integer, Long>> hw = new LinkedHashMap<>();
    highWater.forEach((k, v) -> hw.put(k, new TreeMap<>(v)));
    marks.forEach(
        (k, v) -> {
          Map<Integer, Long> m = hw.computeIfAbsent(k, x -> new TreeMap<>());
          v.forEach((p, o) -> m.merge(p, o, Math::max));
        });
    return new Manifest(
        Math.max(format, formatFor(s)),
        table,
        version + 1,
        keys,
        s,
        f,
        hw,
        newGarbage,
        errorRows + moreErrorRows);
  }

  /** The newest manifest format this code reads. */
  static final int FORMAT = 2;

  /** The lowest format that holds {@code schemas}. */
  private static int formatFor(List<TableSchema> schemas) {
    for (TableSchema s : schemas) {
      for (Column c : s.columns()) {
        if (c.type() == ColumnType.DATE) {
          return 2;
        }
      }
    }
    return 1;
  }

  static Manifest read(Path file) throws IOException {
    com.fasterxml.jackson.databind.JsonNode n =
        io.sluice.core.StateFile.read(
            file,
            "the manifest of lake table " + file.getParent().getFileName(),
            FORMAT,
            "restore it from a backup; without it the table's files are not part of the table");
    try {
      return Json.MAPPER.treeToValue(n, Manifest.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new io.sluice.core.CorruptDataException(
          file.toString(),
          0,
          "the manifest of lake table "
              + file.getParent().getFileName()
              + " is damaged ("
              + e.getOriginalMessage()
              + "); restore it from a backup");
    }
  }

  void write(Path file) throws IOException {
    AtomicFiles.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
  }
}

package io.sluice.lake;

import static io.sluice.lake.LakeDb.ident;
import static io.sluice.lake.LakeDb.literal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.core.Json;
import io.sluice.lake.Manifest.DataFile;
import io.sluice.lake.Manifest.Garbage;
import io.sluice.log.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lake table: Parquet files under {@code <lake>/<table>/key=value/…}, listed by its {@link
 * Manifest}, and a DuckDB view over them.
 *
 * <p>A commit writes each partition's rows to a temporary Parquet file (DuckDB's writer, from an
 * NDJSON staging file), fsyncs it, renames it into place, fsyncs the directory, and only then
 * replaces the manifest, which lists the new files and moves the writer's high-water offsets in the
 * same atomic step. A crash before the manifest leaves unlisted files, deleted on open; after it,
 * the rows and the offsets are both there. Compaction replaces small files of a partition by one,
 * the same way; once its manifest is in place, the replaced files move out of the table's directory
 * to {@code <lake>/_trash/<table>/<same path>} (as soon as no query that began before the commit is
 * still running, since such a query may open them by name), so a reader outside Sluice that globs
 * the table's directory sees every row once; they are deleted from there after {@link
 * #GARBAGE_GRACE}. A crash between the manifest and the moves leaves replaced files in the table's
 * directory: the manifest lists them as garbage, and opening the table moves them then. All methods
 * are thread-safe (one commit at a time per table).
 */
final class LakeTable {

  private static final Logger LOG = LoggerFactory.getLogger(LakeTable.class);

  /** How long a file replaced by compaction stays on disk for queries still reading it. */
  static final Duration GARBAGE_GRACE = Duration.ofMinutes(5);

  final String name;
  private final Path dir;
  private final LakeDb db;
  private final Clock clock;
  private final RunningQueries queries;

  /** Replaced (never changed) under the table's lock; read without it, e.g. by the catalog. */
  private volatile Manifest manifest;

  private boolean viewStale = true;

  private LakeTable(
      String name, Path dir, LakeDb db, Clock clock, RunningQueries queries, Manifest manifest) {
    this.name = name;
    this.dir = dir;
    this.db = db;
    this.clock = clock;
    this.queries = queries;
    this.manifest = manifest;
  }

  /**
   * Opens (or creates) the table: deletes files its manifest does not list, and moves the files a
   * compaction replaced that are still in the table's directory to the trash.
   *
   * @param queries the lake's running queries, which replaced files wait for
   */
  static LakeTable open(String name, Path dir, LakeDb db, Clock clock, RunningQueries queries)
      throws IOException, SQLException {
    Files.createDirectories(dir);
    Path mf = dir.resolve(Manifest.FILE);
    Manifest m = Files.exists(mf) ? Manifest.read(mf) : Manifest.empty(name, clock.millis());
    LakeTable t = new LakeTable(name, dir, db, clock, queries, m);
    t.removeLeftovers();
    return t; // the view is defined before the first query (it reads every file's footer)
  }

  /**
   * The committed state. Not synchronized: a commit holds the table's lock for as long as DuckDB
   * writes, and the catalog must answer meanwhile.
   */
  Manifest manifest() {
    return manifest;
  }

  synchronized long highWater(String writer, int partition) {
    return manifest.highWater(writer, partition);
  }

  /** The partition keys rows must use: fixed by the first commit, else {@code wanted}. */
  synchronized List<String> partitionKeysFor(List<String> wanted) {
    return manifest.files().isEmpty() && manifest.partitionKeys().isEmpty()
        ? wanted
        : manifest.partitionKeys();
  }

  private void removeLeftovers() throws IOException {
    Set<Path> keep = new HashSet<>();
    for (DataFile f : manifest.files()) {
      keep.add(dir.resolve(f.path()).normalize());
    }
    // replaced by a compaction that committed, not yet moved out (a crash, or an older version's
    // layout): no query runs yet, so they go now
    moveToTrash(manifest.garbage().stream().map(Garbage::path).toList());
    Set<Path> trashed = new HashSet<>();
    for (Garbage g : manifest.garbage()) {
      trashed.add(trashed(g.path()));
    }
    if (Files.isDirectory(trashDir())) {
      try (Stream<Path> s = Files.walk(trashDir())) {
        for (Path p : s.filter(Files::isRegularFile).toList()) {
          if (!trashed.contains(p.normalize())) {
            LOG.info(
                "lake table {}: deleting {} from the trash, which the manifest does not list",
                name,
                trashDir().relativize(p));
            Files.deleteIfExists(p);
          }
        }
      }
    }
    List<Path> leftovers;
    try (Stream<Path> s = Files.walk(dir)) {
      leftovers =
          s.filter(Files::isRegularFile)
              .filter(
                  p -> {
                    String f = p.getFileName().toString();
                    return f.endsWith(".tmp")
                        || (f.endsWith(".parquet") && !keep.contains(p.normalize()));
                  })
              .toList();
    }
    for (Path p : leftovers) {
      LOG.info(
          "lake table {}: deleting {} ({} bytes), written but never committed before a stop",
          name,
          dir.relativize(p),
          Files.size(p));
      Files.deleteIfExists(p);
    }
    Path errors = errorDir();
    if (Files.isDirectory(errors)) {
      try (Stream<Path> s = Files.list(errors)) {
        for (Path p : s.toList()) {
          String f = p.getFileName().toString();
          java.util.regex.Matcher m = ERROR_FILE.matcher(f);
          if (f.endsWith(".tmp")
              || (m.matches() && Long.parseLong(m.group(1)) > manifest.version())) {
            LOG.info(
                "lake table {}: deleting error entries {}, written by a commit that never"
                    + " finished (its events are delivered again)",
                name,
                f);
            Files.deleteIfExists(p);
          }
        }
      }
    }
  }

  /** Error files named after the manifest version of their commit. */
  private static final java.util.regex.Pattern ERROR_FILE =
      java.util.regex.Pattern.compile("v(\\d{8,19})-[0-9a-f]{8}\\.ndjson");

  /** A record a commit could not write, with why. */
  record Rejected(LakeRecord record, String reason) {}

  /**
   * Writes {@code records} as new files and commits them with {@code marks} (the writer's
   * high-water offsets per bus partition) in one manifest replacement. When DuckDB refuses a file
   * for its data (a row it cannot read or convert), the rows it refuses are found by halving the
   * group and the rest is committed: one bad row never stalls the table. Any other failure (disk,
   * I/O) is thrown and nothing is committed.
   *
   * <p>{@code errors} (rows the caller could not make into rows) and the refused rows ({@code
   * entry} describes each) go to the error location in one file named after the manifest version
   * this commit writes, before the manifest: a crash in between leaves a file of a version the
   * manifest never reached, which {@link #open} deletes (its events are delivered again), so an
   * error entry is kept exactly once, like a row.
   *
   * @param keys the partition keys the records' {@code partitionValues} follow
   * @return the rows refused here
   */
  List<Rejected> commit(
      List<String> keys,
      List<LakeRecord> records,
      Map<String, Map<Integer, Long>> marks,
      String compression,
      List<LakeErrors.Entry> errors,
      java.util.function.Function<Rejected, LakeErrors.Entry> entry)
      throws IOException, SQLException {
    return commit(keys, records, marks, compression, errors, entry, Map.of());
  }

  /**
   * {@link #commit} with the column types the writer declares for fields of the records' data (see
   * {@link RowShaper}).
   */
  synchronized List<Rejected> commit(
      List<String> keys,
      List<LakeRecord> records,
      Map<String, Map<Integer, Long>> marks,
      String compression,
      List<LakeErrors.Entry> errors,
      java.util.function.Function<Rejected, LakeErrors.Entry> entry,
      Map<String, ColumnType> declared)
      throws IOException, SQLException {
    List<String> tableKeys = partitionKeysFor(keys);
    if (!tableKeys.equals(keys)) {
      throw new IllegalStateException(
          "lake table "
              + name
              + " is partitioned by "
              + tableKeys
              + ", not by "
              + keys
              + "; targets writing one table must use the same partitionBy");
    }
    long now = clock.millis();
    RowShaper shaper = new RowShaper(keys, declared);
    TableSchema schema = shaper.evolve(manifest.schema(), records, now);
    Map<String, List<LakeRecord>> groups = new LinkedHashMap<>();
    for (LakeRecord r : records) {
      groups
          .computeIfAbsent(partitionPath(keys, r.partitionValues()), k -> new ArrayList<>())
          .add(r);
    }
    List<DataFile> added = new ArrayList<>();
    List<Path> written = new ArrayList<>();
    List<Rejected> rejected = new ArrayList<>();
    long version = manifest.version() + 1;
    try {
      int i = 0;
      for (Map.Entry<String, List<LakeRecord>> g : groups.entrySet()) {
        List<LakeRecord> rows = g.getValue();
        Path file;
        try {
          file = writeGroup(g.getKey(), version, i, written, shaper, schema, rows, compression);
        } catch (SQLException e) {
          if (!isDataError(e)) {
            throw e;
          }
          List<LakeRecord> good = new ArrayList<>();
          isolate(rows, shaper, schema, compression, good, rejected);
          LOG.warn(
              "lake table {}: DuckDB refused {} of {} rows of partition {} ({}); the rest is"
                  + " committed",
              name,
              rows.size() - good.size(),
              rows.size(),
              g.getKey().isEmpty() ? "(none)" : g.getKey(),
              reason(e));
          rows = good;
          if (rows.isEmpty()) {
            i++;
            continue;
          }
          file = writeGroup(g.getKey(), version, i, written, shaper, schema, rows, compression);
        }
        i++;
        added.add(
            new DataFile(
                dir.relativize(file).toString(),
                rows.size(),
                Files.size(file),
                schema.version(),
                rows.get(0).partitionValues(),
                now));
      }
      List<LakeErrors.Entry> all = errors;
      if (!rejected.isEmpty()) {
        all = new ArrayList<>(errors);
        for (Rejected x : rejected) {
          all.add(entry.apply(x));
        }
      }
      writeErrors(version, all, written);
      Manifest next =
          manifest.next(keys, schema, added, List.of(), marks, manifest.garbage(), all.size());
      next.write(dir.resolve(Manifest.FILE));
      manifest = next;
    } catch (IOException | SQLException | RuntimeException e) {
      discard(written);
      throw e;
    }
    viewStale = true;
    return rejected;
  }

  /**
   * Error entries of the commit that writes manifest {@code version}: {@code
   * _errors/<table>/v<version>-<id>.ndjson}, written before that manifest and listed in {@code
   * written}, so a failed commit removes it again.
   */
  private void writeErrors(long version, List<LakeErrors.Entry> entries, List<Path> written)
      throws IOException {
    if (entries.isEmpty()) {
      return;
    }
    String file = String.format("v%08d-%s", version, UUID.randomUUID().toString().substring(0, 8));
    Path p = LakeErrors.write(errorDir(), file, entries, written);
    LOG.warn(
        "lake table {}: {} rows could not be written and went to {} (first: {})",
        name,
        entries.size(),
        dir.getParent().relativize(p),
        entries.get(0).error());
  }

  /** Where this table's error entries are kept: {@code <lake>/_errors/<table>/}. */
  Path errorDir() {
    return dir.getParent().resolve("_errors").resolve(name);
  }

  /** Stages {@code rows} and writes them as one Parquet file of {@code partition}. */
  private Path writeGroup(
      String partition,
      long version,
      int index,
      List<Path> written,
      RowShaper shaper,
      TableSchema schema,
      List<LakeRecord> rows,
      String compression)
      throws IOException, SQLException {
    Path staging = stage(shaper, schema, rows);
    try {
      return place(
          partition, version, index, written, tmp -> copyJson(staging, schema, tmp, compression));
    } finally {
      Files.deleteIfExists(staging);
    }
  }

  /**
   * Splits {@code rows} into those DuckDB writes ({@code good}) and those it refuses ({@code bad},
   * with its reason), by trial files in the staging directory that are deleted again: halving finds
   * one bad row among n in about 2·log2(n) trials.
   */
  private void isolate(
      List<LakeRecord> rows,
      RowShaper shaper,
      TableSchema schema,
      String compression,
      List<LakeRecord> good,
      List<Rejected> bad)
      throws IOException, SQLException {
    SQLException e = trial(rows, shaper, schema, compression);
    if (e == null) {
      good.addAll(rows);
      return;
    }
    if (!isDataError(e)) {
      throw e;
    }
    if (rows.size() == 1) {
      bad.add(
          new Rejected(
              rows.get(0), "lake table " + name + " cannot store this row: DuckDB: " + reason(e)));
      return;
    }
    int half = rows.size() / 2;
    isolate(rows.subList(0, half), shaper, schema, compression, good, bad);
    isolate(rows.subList(half, rows.size()), shaper, schema, compression, good, bad);
  }

  /** Writes {@code rows} to a throwaway file; the SQLException when DuckDB refuses them. */
  private SQLException trial(
      List<LakeRecord> rows, RowShaper shaper, TableSchema schema, String compression)
      throws IOException {
    Path staging = stage(shaper, schema, rows);
    Path out = staging.resolveSibling(staging.getFileName() + ".trial.parquet");
    try {
      copyJson(staging, schema, out, compression);
      return null;
    } catch (SQLException e) {
      return e;
    } finally {
      Files.deleteIfExists(staging);
      Files.deleteIfExists(out);
    }
  }

  /**
   * Whether DuckDB refused the data itself (it cannot read or convert a value), as opposed to
   * failing to write (disk full, I/O), which retrying can mend.
   */
  static boolean isDataError(SQLException e) {
    String m = e.getMessage() == null ? "" : e.getMessage().strip();
    return m.startsWith("Invalid Input Error")
        || m.startsWith("Conversion Error")
        || m.startsWith("Out of Range Error")
        || m.startsWith("Mismatch Type Error");
  }

  /** DuckDB's first message line, without where in the staging file (which is gone). */
  private static String reason(SQLException e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage().strip();
    String first = m.lines().findFirst().orElse(m);
    return first
        .replaceAll(" in file \"[^\"]*\"", "")
        .replaceAll(",? at byte \\d+ in line \\d+", "")
        .strip();
  }

  /**
   * After a failed commit: deletes the files it wrote, except those the manifest on disk lists. A
   * manifest replacement can fail after its rename (the directory fsync); then the new manifest is
   * what a restart would see, so it is adopted rather than contradicted, and a retried commit finds
   * its rows already counted by the high-water marks.
   */
  private void discard(List<Path> written) throws IOException {
    Set<Path> listed = new HashSet<>();
    try {
      Manifest onDisk = Manifest.read(dir.resolve(Manifest.FILE));
      for (DataFile f : onDisk.files()) {
        listed.add(dir.resolve(f.path()).normalize());
      }
      if (onDisk.version() > manifest.version()) {
        LOG.error(
            "lake table {}: manifest v{} was written but not confirmed durable; keeping it",
            name,
            onDisk.version());
        manifest = onDisk;
        viewStale = true;
        for (Path p : written) {
          if (p.getFileName().toString().endsWith(".tmp")) {
            Files.deleteIfExists(p);
          }
        }
        return; // the commit stands: its files and error entries with it
      }
    } catch (IOException | io.sluice.core.CorruptDataException unreadable) {
      // no manifest to honour: the written files are not part of the table
    }
    for (Path p : written) {
      if (!listed.contains(p.normalize())) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Error rows only (nothing for the table): keeps them, counts them and moves the marks. */
  synchronized void commitMarks(
      Map<String, Map<Integer, Long>> marks, List<LakeErrors.Entry> errors)
      throws IOException, SQLException {
    List<Path> written = new ArrayList<>();
    try {
      writeErrors(manifest.version() + 1, errors, written);
      Manifest next =
          manifest.next(
              partitionKeysFor(manifest.partitionKeys()),
              manifest.schema(),
              List.of(),
              List.of(),
              marks,
              manifest.garbage(),
              errors.size());
      next.write(dir.resolve(Manifest.FILE));
      manifest = next;
    } catch (IOException | RuntimeException e) {
      discard(written);
      throw e;
    }
  }

  static String partitionPath(List<String> keys, Map<String, String> values) {
    if (keys.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (String k : keys) {
      if (!b.isEmpty()) {
        b.append('/');
      }
      b.append(k).append('=').append(values.get(k));
    }
    return b.toString();
  }

  private Path stage(RowShaper shaper, TableSchema schema, List<LakeRecord> rows)
      throws IOException {
    Path tmpDir = db.dir().resolve("_tmp");
    Files.createDirectories(tmpDir);
    Path staging = tmpDir.resolve(name + "-" + UUID.randomUUID() + ".ndjson");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(staging), 1 << 16);
        JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.setRootValueSeparator(null);
      for (LakeRecord r : rows) {
        shaper.write(g, schema, r);
      }
    }
    return staging;
  }

  @FunctionalInterface
  private interface Writer {
    void write(Path tmp) throws IOException, SQLException;
  }

  /** Writes a file through {@code writer} to a temp name, fsyncs, renames it into place. */
  private Path place(String partition, long version, int index, List<Path> written, Writer writer)
      throws IOException, SQLException {
    Path partDir = partition.isEmpty() ? dir : dir.resolve(partition);
    if (!partDir.normalize().startsWith(dir)) {
      throw new IllegalStateException("partition path escapes the table: " + partition);
    }
    boolean created = !Files.isDirectory(partDir);
    Files.createDirectories(partDir);
    String fileName =
        String.format(
            "part-%08d-%03d-%s.parquet",
            version, index, UUID.randomUUID().toString().substring(0, 8));
    Path tmp = partDir.resolve("." + fileName + ".tmp");
    Path file = partDir.resolve(fileName);
    written.add(tmp);
    try {
      writer.write(tmp);
    } catch (IOException | SQLException | RuntimeException e) {
      Files.deleteIfExists(tmp); // DuckDB may have left part of it (a refused row, a full disk)
      throw e;
    }
    AtomicFiles.fsyncFile(tmp);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    written.add(file);
    AtomicFiles.fsyncDirectory(partDir);
    if (created) {
      for (Path p = partDir.getParent(); p != null && p.startsWith(dir); p = p.getParent()) {
        AtomicFiles.fsyncDirectory(p);
      }
    }
    return file;
  }

  private void copyJson(Path staging, TableSchema schema, Path tmp, String compression)
      throws SQLException {
    String cols =
        schema.columns().stream()
            .map(c -> literal(c.name()) + ": " + literal(c.type().sql()))
            .collect(Collectors.joining(", "));
    String sql =
        "COPY (SELECT * FROM read_json("
            + literal(staging.toString())
            + ", format = 'newline_delimited', maximum_object_size = 67108864, columns = {"
            + cols
            + "})) TO "
            + literal(tmp.toString())
            + " (FORMAT parquet, COMPRESSION "
            + compression
            + ")";
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /**
   * Merges the small files of each partition (below {@code smallBytes}, at least {@code minFiles}
   * of them) into one. Returns how many files were replaced.
   */
  synchronized int compact(int minFiles, long smallBytes, String compression)
      throws IOException, SQLException {
    collectGarbage();
    Map<Map<String, String>, List<DataFile>> small = new LinkedHashMap<>();
    for (DataFile f : manifest.files()) {
      if (f.bytes() < smallBytes) {
        small.computeIfAbsent(f.partition(), k -> new ArrayList<>()).add(f);
      }
    }
    TableSchema schema = manifest.schema();
    List<DataFile> added = new ArrayList<>();
    List<DataFile> removed = new ArrayList<>();
    List<Path> written = new ArrayList<>();
    long version = manifest.version() + 1;
    long now = clock.millis();
    try {
      int i = 0;
      for (Map.Entry<Map<String, String>, List<DataFile>> g : small.entrySet()) {
        List<DataFile> files = g.getValue();
        if (files.size() < minFiles) {
          continue;
        }
        String select = select(files, schema, false);
        Path file =
            place(
                partitionPath(manifest.partitionKeys(), g.getKey()),
                version,
                i++,
                written,
                tmp -> {
                  try (Connection c = db.connect();
                      Statement s = c.createStatement()) {
                    s.execute(
                        "COPY ("
                            + select
                            + ") TO "
                            + literal(tmp.toString())
                            + " (FORMAT parquet, COMPRESSION "
                            + compression
                            + ")");
                  }
                });
        long rows = files.stream().mapToLong(DataFile::rows).sum();
        added.add(
            new DataFile(
                dir.relativize(file).toString(),
                rows,
                Files.size(file),
                schema.version(),
                g.getKey(),
                now));
        removed.addAll(files);
      }
      if (removed.isEmpty()) {
        return 0;
      }
      List<Garbage> garbage = new ArrayList<>(manifest.garbage());
      for (DataFile f : removed) {
        garbage.add(new Garbage(f.path(), now + GARBAGE_GRACE.toMillis()));
      }
      Manifest next =
          manifest.next(manifest.partitionKeys(), schema, added, removed, Map.of(), garbage, 0);
      next.write(dir.resolve(Manifest.FILE));
      manifest = next;
    } catch (IOException | SQLException | RuntimeException e) {
      discard(written);
      throw e;
    }
    viewStale = true;
    List<String> replaced = removed.stream().map(DataFile::path).toList();
    queries.afterRunning(
        () -> {
          try {
            moveToTrash(replaced);
          } catch (IOException e) {
            // they stay listed as garbage: moved when the table opens next, deleted after the grace
            LOG.warn(
                "lake table {}: cannot move {} replaced files to {} yet: {}",
                name,
                replaced.size(),
                trashDir(),
                e.toString());
          }
        });
    LOG.info("lake table {}: compacted {} small files into {}", name, removed.size(), added.size());
    return removed.size();
  }

  /** Where the trash keeps this table's replaced files: {@code <lake>/_trash/<table>/}. */
  Path trashDir() {
    return dir.getParent().resolve("_trash").resolve(name);
  }

  /** Where replaced file {@code path} (relative to the table) is kept in the trash. */
  private Path trashed(String path) {
    Path p = trashDir().resolve(path).normalize();
    if (!p.startsWith(trashDir())) {
      throw new IllegalStateException("garbage path escapes the trash: " + path);
    }
    return p;
  }

  /**
   * Moves replaced files (paths relative to the table) that the manifest still lists as garbage
   * from the table's directory to the trash. No fsync: a move a crash undoes is made again when the
   * table opens, since the manifest still lists the file as garbage.
   */
  private synchronized void moveToTrash(List<String> paths) throws IOException {
    Set<String> listed = new HashSet<>();
    for (Garbage g : manifest.garbage()) {
      listed.add(g.path());
    }
    int moved = 0;
    for (String path : paths) {
      Path from = dir.resolve(path).normalize();
      if (!listed.contains(path) || !from.startsWith(dir) || !Files.exists(from)) {
        continue; // deleted after its grace meanwhile, or moved before
      }
      Path to = trashed(path);
      Files.createDirectories(to.getParent());
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      moved++;
    }
    if (moved > 0) {
      LOG.debug("lake table {}: moved {} replaced files to {}", name, moved, trashDir());
    }
  }

  /** Deletes replaced files whose grace period is over (from the trash, or where they were). */
  synchronized void collectGarbage() throws IOException {
    long now = clock.millis();
    List<Garbage> keep = new ArrayList<>();
    boolean any = false;
    for (Garbage g : manifest.garbage()) {
      if (g.deleteAfterMs() <= now) {
        Files.deleteIfExists(trashed(g.path()));
        Path p = dir.resolve(g.path()).normalize();
        if (p.startsWith(dir)) {
          Files.deleteIfExists(p); // a query held its move back for the whole grace period
        }
        removeEmptyParents(trashed(g.path()).getParent());
        any = true;
      } else {
        keep.add(g);
      }
    }
    if (any) {
      Manifest next =
          manifest.next(
              manifest.partitionKeys(), manifest.schema(), List.of(), List.of(), Map.of(), keep, 0);
      next.write(dir.resolve(Manifest.FILE));
      manifest = next;
    }
  }

  /**
   * A SELECT of the current schema's columns over {@code files}: each cast to its current type,
   * NULL where no file has it yet; with the partition keys when {@code withKeys}.
   */
  private String select(List<DataFile> files, TableSchema schema, boolean withKeys) {
    int newest = files.stream().mapToInt(DataFile::schemaVersion).max().orElse(1);
    TableSchema present =
        manifest.schemas().stream().filter(s -> s.version() == newest).findFirst().orElse(schema);
    List<String> cols = new ArrayList<>();
    for (Column c : schema.columns()) {
      String expr = files.isEmpty() || present.column(c.name()) == null ? "NULL" : ident(c.name());
      cols.add("CAST(" + expr + " AS " + c.type().sql() + ") AS " + ident(c.name()));
    }
    List<String> keys = manifest.partitionKeys();
    if (withKeys) {
      for (String k : keys) {
        cols.add(files.isEmpty() ? "CAST(NULL AS VARCHAR) AS " + ident(k) : ident(k));
      }
    }
    String list = String.join(", ", cols);
    if (files.isEmpty()) {
      return "SELECT " + list + " WHERE false";
    }
    String paths =
        files.stream()
            .map(f -> literal(dir.resolve(f.path()).toString()))
            .collect(Collectors.joining(", "));
    String hive =
        withKeys && !keys.isEmpty()
            ? ", hive_partitioning = true, hive_types = {"
                + keys.stream()
                    .map(k -> literal(k) + ": 'VARCHAR'")
                    .collect(Collectors.joining(", "))
                + "}"
            : ", hive_partitioning = false";
    return "SELECT "
        + list
        + " FROM read_parquet(["
        + paths
        + "], union_by_name = true"
        + hive
        + ")";
  }

  /**
   * (Re)defines the table's view over its committed files if a commit changed them since. Done
   * before queries rather than on every commit: defining the view makes DuckDB read the footers of
   * all the table's files, which would make each commit cost more as the table grows.
   */
  synchronized void refreshViewIfStale() throws SQLException {
    if (!viewStale) {
      return;
    }
    String sql =
        "CREATE OR REPLACE VIEW "
            + ident(name)
            + " AS "
            + select(manifest.files(), manifest.schema(), true);
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
    viewStale = false;
  }

  /** Removes {@code from} and its parents up to the trash directory while they are empty. */
  private void removeEmptyParents(Path from) throws IOException {
    for (Path p = from; p != null && p.startsWith(trashDir()); p = p.getParent()) {
      try (Stream<Path> s = Files.list(p)) {
        if (s.findAny().isPresent()) {
          return;
        }
      } catch (java.nio.file.NoSuchFileException gone) {
        continue;
      }
      Files.deleteIfExists(p);
    }
  }

  Path dir() {
    return dir;
  }
}

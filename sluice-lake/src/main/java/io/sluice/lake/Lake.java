package io.sluice.lake;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.core.Problem;
import io.sluice.core.config.TargetConfig;
import io.sluice.core.targets.Sender;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data lake: lake tables under one directory, their catalog, and SQL over them. Start it before
 * the engine and register {@link LakeTargets#kinds(Lake)} with the engine's kinds, so rules can
 * write lake tables; close it after the engine.
 *
 * <pre>{@code
 * try (Lake lake = Lake.open(dataDir.resolve("lake"), clock, meters, LakeSettings.DEFAULTS);
 *     Engine engine = Engine.start(config, log, clock, meters,
 *         Kinds.of(EngineTargets.kinds(), LakeTargets.kinds(lake)))) {
 *   lake.query("SELECT count(*) FROM orders", 100, Duration.ofSeconds(5), sink);
 * }
 * }</pre>
 */
public final class Lake implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Lake.class);

  /** Table names: what SQL can use without quoting. */
  public static final Pattern TABLE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  /** What a table name must be, for messages. */
  public static final String TABLE_NAME_EXPECTED =
      "a table name of 1-63 characters a-z 0-9 _, starting with a letter";

  private final Path dir;
  private final Clock clock;
  private final LakeSettings settings;
  private final LakeDb db;
  private final LakeMetrics metrics;
  private final ScheduledExecutorService scheduler;
  private final ScheduledExecutorService compactor;
  private final SqlQueries queries;
  private final Map<String, LakeTable> tables = new TreeMap<>();
  private final Map<String, LakeWriter> writers = new HashMap<>();

  /** Queries run here, never on the caller's (virtual) thread; bounded, with a bounded queue. */
  private final ThreadPoolExecutor queryPool;

  /** Other DuckDB work asked for from virtual threads (validation commits, compaction). */
  private final java.util.concurrent.ExecutorService io;

  /** Queries under way, which the files a compaction replaced wait for (see LakeTable). */
  private final RunningQueries running;

  private Lake(Path dir, Clock clock, MeterRegistry meters, LakeSettings settings)
      throws SQLException {
    this.dir = dir.toAbsolutePath().normalize();
    this.clock = clock;
    this.settings = settings;
    this.db = new LakeDb(this.dir, settings.threads(), settings.memoryLimit(), clock);
    this.metrics = new LakeMetrics(meters);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-lake-scheduler");
              t.setDaemon(true);
              return t;
            });
    this.compactor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-lake-compaction");
              t.setDaemon(true);
              return t;
            });
    // query timeouts have their own timer thread: a long compaction must not hold them back
    this.queries = new SqlQueries(db, scheduler, metrics);
    this.queryPool =
        new ThreadPoolExecutor(
            settings.maxConcurrentQueries(),
            settings.maxConcurrentQueries(),
            1,
            TimeUnit.MINUTES,
            settings.maxQueuedQueries() == 0
                ? new java.util.concurrent.SynchronousQueue<>()
                : new java.util.concurrent.ArrayBlockingQueue<>(settings.maxQueuedQueries()),
            platformThreads("sluice-lake-query"),
            new ThreadPoolExecutor.AbortPolicy());
    this.queryPool.allowCoreThreadTimeOut(true);
    this.io = Executors.newCachedThreadPool(platformThreads("sluice-lake-io"));
    this.running = new RunningQueries(compactor);
  }

  private static java.util.concurrent.ThreadFactory platformThreads(String name) {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    return r -> Thread.ofPlatform().daemon().name(name + "-" + n.incrementAndGet()).unstarted(r);
  }

  /**
   * Runs {@code work} that calls DuckDB on a platform thread and waits for it. A native call on a
   * virtual thread pins its carrier (there are only as many carriers as cores), so one long DuckDB
   * call from a request handler or a target worker would stall every other request: no DuckDB call
   * runs on a virtual thread. On a platform thread {@code work} runs in place.
   */
  <T> T blocking(java.util.concurrent.Callable<T> work) throws IOException, SQLException {
    if (!Thread.currentThread().isVirtual()) {
      try {
        return work.call();
      } catch (IOException | SQLException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    java.util.concurrent.Future<T> f = io.submit(work);
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the lake", e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof SQLException sql) {
        throw sql;
      }
      throw rethrown(e);
    }
  }

  /**
   * The cause of a failed task, thrown as itself when it is an IOException or unchecked; the caller
   * handles its own checked types first.
   */
  private static IOException rethrown(java.util.concurrent.ExecutionException e) {
    Throwable c = e.getCause();
    if (c instanceof IOException io) {
      return io;
    }
    if (c instanceof RuntimeException re) {
      throw re;
    }
    if (c instanceof Error err) {
      throw err;
    }
    throw new IllegalStateException(c);
  }

  /** Opens the lake in {@code dir}: every table found there is queryable at once. */
  public static Lake open(Path dir, Clock clock, MeterRegistry meters, LakeSettings settings) {
    try {
      Files.createDirectories(dir.resolve("_tmp"));
      deleteStaging(dir.resolve("_tmp"));
      Lake lake = new Lake(dir, clock, meters, settings);
      try (Stream<Path> s = Files.list(lake.dir)) {
        for (Path p : s.sorted().toList()) {
          String name = p.getFileName().toString();
          if (Files.isRegularFile(p.resolve(Manifest.FILE)) && TABLE_NAME.matcher(name).matches()) {
            lake.table(name, true);
          }
        }
      }
      if (!settings.compactionInterval().isZero()) {
        long ms = settings.compactionInterval().toMillis();
        lake.compactor.scheduleWithFixedDelay(lake::compactQuietly, ms, ms, TimeUnit.MILLISECONDS);
      }
      return lake;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the lake in " + dir, e);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot start DuckDB for the lake in " + dir + ": " + e, e);
    }
  }

  private static void deleteStaging(Path tmp) throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      for (Path p : s.toList()) {
        String f = p.getFileName().toString();
        if (f.endsWith(".ndjson") || f.endsWith(".trial.parquet")) {
          Files.deleteIfExists(p); // staging and isolation trials of commits a stop interrupted
        }
      }
    }
  }

  public Path dir() {
    return dir;
  }

  LakeSettings settings() {
    return settings;
  }

  LakeMetrics metrics() {
    return metrics;
  }

  Clock clock() {
    return clock;
  }

  private volatile io.sluice.engine.Health health;

  /** Where the lake's writers and compaction report failures (the engine's {@code Health}). */
  public void attachHealth(io.sluice.engine.Health h) {
    this.health = h;
  }

  void failed(String component, Throwable e) {
    io.sluice.engine.Health h = health;
    if (h != null) {
      h.failed(component, e);
    }
  }

  void ok(String component) {
    io.sluice.engine.Health h = health;
    if (h != null) {
      h.ok(component);
    }
  }

  /**
   * A row that a writer outside the lake's targets (file validation) adds to a table.
   *
   * @param position the row's place in its writer's sequence (a row number): ascending, and what
   *     makes adding it exactly once
   * @param event the envelope its envelope columns come from
   * @param data the object whose fields become its data columns
   * @param source where it came from (its {@code _bus} column), such as {@code
   *     objects/<bucket>/<key>}
   * @param ingestionTimeMs when it was taken in
   */
  public record Row(
      long position, JsonNode event, JsonNode data, String source, long ingestionTimeMs) {}

  /**
   * Opens table {@code name}, creating it (queryable, empty) when it does not exist.
   *
   * @throws IllegalArgumentException for a name that is not {@link #TABLE_NAME_EXPECTED}
   */
  public void createTable(String name) throws IOException {
    if (name == null || !TABLE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "expected " + TABLE_NAME_EXPECTED + ", got " + Problem.render(name));
    }
    try {
      table(name, true);
    } catch (SQLException e) {
      throw new IOException("cannot open lake table " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * The highest position of {@code writer}'s rows committed to {@code table} (created when
   * missing), or -1 when it has none: where a writer that was interrupted resumes.
   */
  public long committedPosition(String table, String writer) throws IOException {
    createTable(table);
    try {
      return table(table, true).highWater(writer, 0);
    } catch (SQLException e) {
      throw new IOException("cannot open lake table " + table + ": " + e.getMessage(), e);
    }
  }

  /**
   * Adds {@code rows} of {@code writer} to {@code table} in one commit, together with the writer's
   * new position (the last row's), so each row is in the table exactly once: rows at or below
   * {@link #committedPosition} are not added again. Rows that cannot be written go to the table's
   * error files with their reason, as a target's do. Blocks until committed; safe on a virtual
   * thread.
   *
   * @param rows in ascending position
   */
  public void append(String table, String writer, List<Row> rows) throws IOException {
    append(table, writer, rows, Map.of());
  }

  /** The column types {@link #append(String, String, List, Map)} takes. */
  private static final java.util.Set<ColumnType> DATA_TYPES =
      java.util.EnumSet.complementOf(java.util.EnumSet.of(ColumnType.INTEGER));

  /**
   * {@link #append(String, String, List)} with the types of fields, by field name, for the columns
   * they make (schema evolution decides the rest): a new column of a declared field has its type,
   * even while its values are null. A TIMESTAMPTZ field's values are RFC 3339 text with an offset
   * ({@code 2026-11-30T08:00:00+01:00}), a DATE field's {@code yyyy-MM-dd} text, both from year
   * 0000 to 9999; other values keep their JSON types. A value that does not fit its column goes to
   * the row's {@code _extra}; a time or date also fits a VARCHAR column made before, as its text.
   *
   * <pre>{@code
   * lake.append("vitals", writer, rows, Map.of("at", ColumnType.TIMESTAMPTZ, "hr", ColumnType.BIGINT));
   * }</pre>
   *
   * @throws IllegalArgumentException for a type no data column has ({@code INTEGER}), or null
   */
  public void append(String table, String writer, List<Row> rows, Map<String, ColumnType> types)
      throws IOException {
    for (Map.Entry<String, ColumnType> e : types.entrySet()) {
      if (e.getValue() == null || !DATA_TYPES.contains(e.getValue())) {
        throw new IllegalArgumentException(
            "types/"
                + e.getKey()
                + ": expected a data column type (VARCHAR, BIGINT, DOUBLE, BOOLEAN, TIMESTAMPTZ,"
                + " DATE or JSON), got "
                + e.getValue());
      }
    }
    Map<String, ColumnType> declared = Map.copyOf(types);
    createTable(table);
    if (rows.isEmpty()) {
      return;
    }
    LakeTable t;
    try {
      t = table(table, true);
    } catch (SQLException e) {
      throw new IOException("cannot open lake table " + table + ": " + e.getMessage(), e);
    }
    try {
      blocking(
          () -> {
            synchronized (t) { // the high-water mark read and the commit are one step
              long highWater = t.highWater(writer, 0);
              List<LakeRecord> records = new ArrayList<>(rows.size());
              for (Row r : rows) {
                if (r.position() > highWater) {
                  records.add(
                      new LakeRecord(
                          r.event(),
                          r.data(),
                          r.source(),
                          0,
                          r.position(),
                          r.ingestionTimeMs(),
                          null,
                          Map.of()));
                }
              }
              if (records.isEmpty()) {
                return null;
              }
              long last = records.get(records.size() - 1).offset();
              return t.commit(
                  List.of(),
                  records,
                  Map.of(writer, Map.of(0, last)),
                  "zstd",
                  List.of(),
                  x ->
                      new LakeErrors.Entry(
                          x.reason(),
                          writer,
                          0,
                          x.record().offset(),
                          x.record().event(),
                          x.record().data()),
                  declared);
            }
          });
    } catch (SQLException e) {
      throw new IOException("committing rows of " + writer + " to " + table + " failed: " + e, e);
    }
  }

  /**
   * The sender of a {@code lake} target: the writer of ({@code bus}, {@code rule}, target), made on
   * first use and updated with {@code target}'s settings on later calls (a rule change).
   */
  Sender lakeSender(String bus, String rule, TargetConfig target) {
    String key = bus + "/" + rule + "/" + target.id();
    String tableName = ((LakeTarget) target.spec()).table();
    LakeTable t = null;
    try {
      t = table(tableName, true); // queryable (empty) before its first rows arrive
    } catch (IOException | SQLException e) {
      LOG.warn("lake table {} could not be opened yet: {}", tableName, e.toString());
    }
    LakeWriter w;
    boolean fresh;
    synchronized (this) {
      w = writers.get(key);
      fresh = w == null;
      if (fresh) {
        w = new LakeWriter(this, key, target, t);
        writers.put(key, w);
      }
      w.refs++;
    }
    if (!fresh) {
      w.update(target, t); // outside the Lake's lock: an update may flush first
    }
    return new LakeSender(this, w);
  }

  /** The writer of a lake target ({@code bus/rule/target}), or null. */
  synchronized LakeWriter writer(String key) {
    return writers.get(key);
  }

  void release(LakeWriter w) {
    boolean last;
    synchronized (this) {
      last = --w.refs == 0;
      if (last) {
        writers.remove(w.key);
      }
    }
    if (last) {
      w.close(); // flushes: not under the Lake's lock
    }
  }

  /** The table, opened (or created when {@code create}); null when it does not exist. */
  synchronized LakeTable table(String name, boolean create) throws IOException, SQLException {
    LakeTable t = tables.get(name);
    if (t == null && (create || Files.isRegularFile(dir.resolve(name).resolve(Manifest.FILE)))) {
      t = LakeTable.open(name, dir.resolve(name), db, clock, running);
      tables.put(name, t);
    }
    return t;
  }

  /** Every table's catalog entry, by name. */
  public synchronized List<TableInfo> tables() {
    List<TableInfo> out = new ArrayList<>();
    for (LakeTable t : tables.values()) {
      out.add(TableInfo.of(t.manifest()));
    }
    return out;
  }

  /** One table's catalog entry, or null when there is no such table. */
  public synchronized TableInfo table(String name) {
    LakeTable t = tables.get(name);
    return t == null ? null : TableInfo.of(t.manifest());
  }

  /**
   * Runs one read-only SELECT, streaming into {@code sink}, on one of the lake's query threads
   * ({@link LakeSettings#maxConcurrentQueries} at once, {@link LakeSettings#maxQueuedQueries}
   * waiting). The timeout counts from admission: time spent waiting for a slot is part of it.
   *
   * @throws QueryException refused or failed, with the HTTP status it deserves: 429 {@code
   *     TooManyQueries} when every slot and the queue are taken
   */
  public void query(String sql, long maxRows, Duration timeout, RowSink sink)
      throws QueryException, IOException {
    run(
        sql,
        Math.min(maxRows, settings.maxRows()),
        timeout.compareTo(settings.queryTimeout()) < 0 ? timeout : settings.queryTimeout(),
        sink);
  }

  /** Runs with the configured limits. */
  public void query(String sql, RowSink sink) throws QueryException, IOException {
    run(sql, settings.maxRows(), settings.queryTimeout(), sink);
  }

  private void run(String sql, long maxRows, Duration timeout, RowSink sink)
      throws QueryException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    java.util.concurrent.Future<Void> f;
    try {
      f =
          queryPool.submit(
              () -> {
                long ticket = running.begin();
                try {
                  runAdmitted(sql, maxRows, timeout, deadline, sink);
                } finally {
                  running.end(ticket);
                }
                return null;
              });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      metrics.query("TooManyQueries");
      throw new QueryException(
          429,
          "TooManyQueries",
          "all "
              + settings.maxConcurrentQueries()
              + " query slots (lake.maxConcurrentQueries) are taken and "
              + settings.maxQueuedQueries()
              + " queries wait (lake.maxQueuedQueries); retry shortly",
          -1);
    }
    try {
      f.get();
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the query", e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof QueryException q) {
        throw q;
      }
      throw rethrown(e);
    }
  }

  /** A query that has its slot: waits at most until {@code deadline} for the views, then runs. */
  private void runAdmitted(String sql, long maxRows, Duration timeout, long deadline, RowSink sink)
      throws QueryException, IOException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      metrics.query("QueryTimeout");
      throw new QueryException(
          408,
          "QueryTimeout",
          "the query waited "
              + timeout.toMillis()
              + " ms for one of the "
              + settings.maxConcurrentQueries()
              + " query slots (lake.maxConcurrentQueries) and did not start",
          -1);
    }
    refreshViews(); // may wait for a commit holding a table's lock: counted below
    long now = deadline - System.nanoTime();
    if (now <= 0) {
      metrics.query("QueryTimeout");
      throw new QueryException(
          408,
          "QueryTimeout",
          "the query did not start within its timeout of "
              + timeout.toMillis()
              + " ms (its tables' views waited for a commit to finish)",
          -1);
    }
    queries.run(sql, maxRows, Duration.ofNanos(now), sink);
  }

  private void refreshViews() throws QueryException {
    List<LakeTable> ts;
    synchronized (this) {
      ts = new ArrayList<>(tables.values());
    }
    for (LakeTable t : ts) {
      try {
        t.refreshViewIfStale();
      } catch (SQLException e) {
        throw new QueryException(
            500,
            "LakeError",
            "cannot define the view of table " + t.name + ": " + e.getMessage(),
            -1);
      }
    }
  }

  /** Compacts one table (or all when {@code name} is null) now; returns files replaced. */
  public int compact(String name) throws IOException, SQLException {
    return blocking(() -> compactNow(name));
  }

  private int compactNow(String name) throws IOException, SQLException {
    List<LakeTable> ts;
    synchronized (this) {
      ts = name == null ? new ArrayList<>(tables.values()) : List.of(tables.get(name));
    }
    int n = 0;
    for (LakeTable t : ts) {
      if (t != null) {
        n += t.compact(settings.compactionMinFiles(), settings.smallFileBytes(), "zstd");
      }
    }
    return n;
  }

  private void compactQuietly() {
    try {
      compact(null);
      ok("lake compaction");
    } catch (Exception e) {
      LOG.warn("lake compaction failed (will try again): {}", e.toString());
      failed("lake compaction", e);
    }
  }

  /**
   * Flushes and stops the writers (the engine closed first, so nothing new arrives), then DuckDB.
   */
  @Override
  public void close() {
    List<LakeWriter> ws;
    synchronized (this) {
      ws = new ArrayList<>(writers.values());
      writers.clear();
    }
    for (LakeWriter w : ws) {
      w.close();
    }
    compactor.shutdownNow();
    scheduler.shutdownNow();
    queryPool.shutdownNow();
    queries.cancelAll();
    io.shutdownNow();
    try {
      compactor.awaitTermination(10, TimeUnit.SECONDS);
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
      queryPool.awaitTermination(10, TimeUnit.SECONDS);
      io.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    db.close();
  }
}

package io.sluice.lake;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.core.config.TargetConfig;
import io.sluice.engine.Routing;
import io.sluice.engine.targets.Sender;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data lake: lake tables under one directory, their catalog, and SQL over them. Start it before
 * the engine and hand {@link #targets()} to {@code Engine.start}, so rules can write lake tables;
 * close it after the engine.
 *
 * <pre>{@code
 * try (Lake lake = Lake.open(dataDir.resolve("lake"), clock, meters, LakeSettings.DEFAULTS);
 *     Engine engine = Engine.start(config, log, clock, meters, lake.targets())) {
 *   lake.query("SELECT count(*) FROM orders", 100, Duration.ofSeconds(5), sink);
 * }
 * }</pre>
 */
public final class Lake implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Lake.class);
  private static final Pattern TABLE = Pattern.compile("[a-z][a-z0-9_]{0,62}");

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

  private Lake(Path dir, Clock clock, MeterRegistry meters, LakeSettings settings)
      throws SQLException {
    this.dir = dir.toAbsolutePath().normalize();
    this.clock = clock;
    this.settings = settings;
    this.db = new LakeDb(this.dir, settings.threads(), settings.memoryLimit());
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
          if (Files.isRegularFile(p.resolve(Manifest.FILE)) && TABLE.matcher(name).matches()) {
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
        if (p.getFileName().toString().endsWith(".ndjson")) {
          Files.deleteIfExists(p);
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

  /** The factory the engine uses for lake targets. */
  public Routing.ExternalTargets targets() {
    return this::sender;
  }

  private volatile FileValidator validator;

  /**
   * Connects the object store, so {@code validate} targets can read uploads, write their outputs
   * and emit their events. Call before the engine starts.
   */
  public void attachObjects(
      io.sluice.lake.objects.ObjectStore store,
      io.sluice.lake.objects.ObjectEvents events,
      Path state) {
    this.validator = new FileValidator(store, events, this, state, clock);
  }

  private Sender sender(String bus, String rule, TargetConfig target) {
    if (target.spec() instanceof TargetConfig.ValidateTarget v) {
      if (validator == null) {
        throw new IllegalStateException(
            "rule " + rule + " target " + target.id() + ": validate targets need the object store");
      }
      if (v.table() != null) {
        try {
          table(v.table(), true);
        } catch (IOException | SQLException e) {
          LOG.warn("lake table {} could not be opened yet: {}", v.table(), e.toString());
        }
      }
      return new ValidateSender(validator, v);
    }
    String key = bus + "/" + rule + "/" + target.id();
    String tableName = ((TargetConfig.LakeTarget) target.spec()).table();
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
      t = LakeTable.open(name, dir.resolve(name), db, clock);
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
   * Runs one read-only SELECT, streaming into {@code sink}.
   *
   * @throws QueryException refused or failed, with the HTTP status it deserves
   */
  public void query(String sql, long maxRows, Duration timeout, RowSink sink)
      throws QueryException, IOException {
    refreshViews();
    queries.run(
        sql,
        Math.min(maxRows, settings.maxRows()),
        timeout.compareTo(settings.queryTimeout()) < 0 ? timeout : settings.queryTimeout(),
        sink);
  }

  /** Runs with the configured limits. */
  public void query(String sql, RowSink sink) throws QueryException, IOException {
    refreshViews();
    queries.run(sql, settings.maxRows(), settings.queryTimeout(), sink);
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
    } catch (Exception e) {
      LOG.warn("lake compaction failed (will try again): {}", e.toString());
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
    try {
      compactor.awaitTermination(10, TimeUnit.SECONDS);
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    db.close();
  }
}

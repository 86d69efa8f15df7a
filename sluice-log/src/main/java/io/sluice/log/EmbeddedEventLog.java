package io.sluice.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.TransientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded {@link EventLog}: logs as directories of segment files on the local disk.
 *
 * <p>Layout under the root directory:
 *
 * <pre>
 * &lt;log&gt;/log.json                      partitions, retention, fsync and segment settings
 * &lt;log&gt;/&lt;partition&gt;/…                   segments and recovery point ({@link PartitionLog})
 * &lt;log&gt;/cursors/&lt;cursor&gt;.cursor         committed positions ({@link CheckpointFile}, kind cursor)
 * </pre>
 *
 * <p>Opening recovers every log found (see {@link #recoveryReport()}). One writer thread per
 * partition does group commit; a scheduler thread applies retention every {@link
 * Options#retentionCheckInterval()} and reads every batch back every {@link
 * Options#scrubInterval()} (a minute after start, then every 24 h by default), reporting damage as
 * {@link #incidents()} and in {@link #corruptBatches()}. Thread-safe.
 */
public final class EmbeddedEventLog implements EventLog {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedEventLog.class);
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  static final Pattern CURSOR = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@=+-]{0,199}");
  private static final String SPEC_FILE = "log.json";
  private static final String CURSORS = "cursors";

  /**
   * Tuning of the embedded log.
   *
   * @param retentionCheckInterval how often retention runs in the background
   * @param maxPendingBytesPerPartition unwritten bytes a partition queues before refusing appends
   * @param listener told when appends become durable, before they are acknowledged
   */
  public record Options(
      Duration retentionCheckInterval,
      long maxPendingBytesPerPartition,
      DurabilityListener listener,
      Duration scrubInterval) {
    public static final Options DEFAULTS =
        new Options(
            Duration.ofMinutes(1),
            64L * 1024 * 1024,
            DurabilityListener.NONE,
            Duration.ofHours(24));

    public Options withListener(DurabilityListener l) {
      return new Options(retentionCheckInterval, maxPendingBytesPerPartition, l, scrubInterval);
    }

    /** How often every batch is read back and checked; zero turns the scrub off. */
    public Options withScrubInterval(Duration d) {
      return new Options(retentionCheckInterval, maxPendingBytesPerPartition, listener, d);
    }
  }

  private static final class OpenLog {
    final String name;
    final Path dir;
    volatile LogSpec spec;
    final List<PartitionLog> partitions = new CopyOnWriteArrayList<>();
    final AtomicInteger roundRobin = new AtomicInteger();
    final Map<String, Map<Integer, Long>> cursors = new ConcurrentHashMap<>();

    OpenLog(String name, Path dir, LogSpec spec) {
      this.name = name;
      this.dir = dir;
      this.spec = spec;
    }
  }

  private final Path root;
  private final Clock clock;
  private final Options options;
  private final Map<String, OpenLog> logs = new ConcurrentHashMap<>();
  private final List<RecoveryReport.PartitionRecovery> recoveries = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler;
  private java.nio.channels.FileChannel lockChannel;
  private volatile boolean closed;

  /** Opened with {@link #openReadOnly}: nothing on disk changes. */
  private final boolean readOnly;

  private EmbeddedEventLog(Path root, Clock clock, Options options, boolean readOnly) {
    this.root = root;
    this.clock = clock;
    this.options = options;
    this.readOnly = readOnly;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-log-retention");
              t.setDaemon(true);
              return t;
            });
  }

  /** Opens the logs under {@code root} (created if missing), recovering each. */
  public static EmbeddedEventLog open(Path root, Clock clock) {
    return open(root, clock, Options.DEFAULTS);
  }

  public static EmbeddedEventLog open(Path root, Clock clock, Options options) {
    return open(root, clock, options, false);
  }

  /**
   * Opens the logs under {@code root} only to look at them: recovery is not applied (what it would
   * cut or set aside is in {@link #recoveryReport()}, and reads stop before it), no file is
   * written, renamed or deleted, and appends, cursor commits and retention are refused. For {@code
   * sluice log info} and {@code read}; {@code sluice log repair} opens normally.
   */
  public static EmbeddedEventLog openReadOnly(Path root, Clock clock) {
    if (!Files.isDirectory(root)) {
      throw new InvalidInputException(
          InvalidInputException.NOT_FOUND,
          Problem.of("", "there is no event log at " + root, Problem.render(root.toString())));
    }
    return open(root, clock, Options.DEFAULTS, true);
  }

  private static EmbeddedEventLog open(Path root, Clock clock, Options options, boolean readOnly) {
    EmbeddedEventLog log = new EmbeddedEventLog(root, clock, options, readOnly);
    try {
      if (!readOnly) {
        Files.createDirectories(root);
      }
      log.lock();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
        List<Path> dirs = new ArrayList<>();
        ds.forEach(dirs::add);
        dirs.sort(null);
        for (Path d : dirs) {
          if (Files.isRegularFile(d.resolve(SPEC_FILE))) {
            log.openExisting(d);
          }
        }
      }
    } catch (IOException e) {
      log.close();
      throw new UncheckedIOException(
          "cannot open the event log at " + root + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      log.close();
      throw e;
    }
    if (!readOnly) {
      long every = options.retentionCheckInterval().toMillis();
      log.scheduler.scheduleWithFixedDelay(log::retentionTick, every, every, TimeUnit.MILLISECONDS);
      if (!options.scrubInterval().isZero()) {
        // the first scrub soon after start (what recovery trusted without reading), then regularly
        long scrub = options.scrubInterval().toMillis();
        log.scheduler.scheduleWithFixedDelay(
            log::scrubTick, Math.min(scrub, 60_000), scrub, TimeUnit.MILLISECONDS);
      }
    }
    return log;
  }

  /**
   * Takes an exclusive lock on {@code <root>/.lock} so that no second process (another server, a
   * CLI command) opens the same logs; the lock goes away with the process, even on kill -9.
   */
  private void lock() throws IOException {
    Path file = root.resolve(".lock");
    if (readOnly && !Files.exists(file)) {
      return; // nobody has opened these logs for writing; nothing to keep out
    }
    lockChannel =
        java.nio.channels.FileChannel.open(
            file,
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.READ,
            java.nio.file.StandardOpenOption.WRITE);
    java.nio.channels.FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      String holder = Files.readString(file).trim();
      lockChannel.close();
      lockChannel = null;
      throw new TransientException(
          "the event log at "
              + root
              + " is in use by another process"
              + (holder.isEmpty() ? "" : " (" + holder + ")")
              + "; stop it first, or use the HTTP API of the running server");
    }
    if (readOnly) {
      return; // holding the lock keeps a server out while we look; the pid stays the last writer's
    }
    lockChannel.truncate(0);
    lockChannel.write(
        ByteBuffer.wrap(
            ("pid " + ProcessHandle.current().pid())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        0);
  }

  private void retentionTick() {
    try {
      enforceRetention();
    } catch (Throwable t) {
      LOG.error("retention pass failed; will try again in {}", options.retentionCheckInterval(), t);
    }
  }

  private void openExisting(Path dir) throws IOException {
    String name = dir.getFileName().toString();
    LogSpec spec = readSpec(dir.resolve(SPEC_FILE));
    OpenLog ol = new OpenLog(name, dir, spec);
    for (int p = 0; p < spec.partitions(); p++) {
      PartitionLog pl = openPartition(name, p, dir, spec);
      ol.partitions.add(pl);
      recoveries.add(pl.recovery());
    }
    logs.put(name, ol);
  }

  private PartitionLog openPartition(String name, int p, Path logDir, LogSpec spec)
      throws IOException {
    PartitionLog pl = openPartitionLog(name, p, logDir, spec);
    pl.onCorrupt(this::corrupt);
    return pl;
  }

  /** Damage found so far (by readers or a scrub), by file and byte position: each once. */
  private final Map<String, CorruptRange> corrupt = new ConcurrentHashMap<>();

  /** Counts a damaged range and raises an incident, once per damage. */
  void corrupt(CorruptRange r) {
    if (corrupt.putIfAbsent(r.file() + "@" + r.position(), r) == null) {
      incident(
          r.log(),
          "corrupt-batch",
          r.describe() + "; readers skip it and go on with the next valid batch");
    }
  }

  @Override
  public long corruptBatches() {
    return corrupt.size();
  }

  /**
   * Reads every segment of every log whole, checking every batch's CRC (a scrub), and returns the
   * damaged ranges found; each new one is counted and raised as an incident. Damage inside segments
   * that recovery trusted at start (bit rot after a clean shutdown) is found this way before a
   * reader trips on it.
   */
  public List<CorruptRange> verify() {
    List<CorruptRange> out = new ArrayList<>();
    for (OpenLog ol : logs.values()) {
      for (PartitionLog p : ol.partitions) {
        try {
          for (CorruptRange r : p.verify()) {
            out.add(r);
            corrupt(r);
          }
        } catch (IOException e) {
          throw new TransientException(
              "verifying log "
                  + ol.name
                  + " partition "
                  + p.partition
                  + " failed: "
                  + e.getMessage(),
              e);
        }
      }
    }
    return out;
  }

  private void scrubTick() {
    try {
      long t0 = System.nanoTime();
      List<CorruptRange> found = verify();
      LOG.info(
          "log scrub: every batch checked in {} ms; {} damaged ranges",
          (System.nanoTime() - t0) / 1_000_000,
          found.size());
    } catch (Throwable t) {
      LOG.error("log scrub failed; will try again in {}", options.scrubInterval(), t);
    }
  }

  private PartitionLog openPartitionLog(String name, int p, Path logDir, LogSpec spec)
      throws IOException {
    return PartitionLog.open(
        name,
        p,
        logDir.resolve(Integer.toString(p)),
        spec,
        clock,
        options.maxPendingBytesPerPartition(),
        options.listener(),
        readOnly);
  }

  private void checkWritable(String what) {
    if (readOnly) {
      throw new IllegalStateException(
          "the event log at " + root + " is open read-only; cannot " + what);
    }
  }

  @Override
  public synchronized LogInfo create(String name, LogSpec spec) {
    checkOpen();
    checkWritable("create log " + name);
    checkName("name", name, NAME);
    OpenLog ol = logs.get(name);
    try {
      if (ol == null) {
        Path dir = root.resolve(name);
        Files.createDirectories(dir);
        writeSpec(dir.resolve(SPEC_FILE), spec);
        ol = new OpenLog(name, dir, spec);
        for (int p = 0; p < spec.partitions(); p++) {
          ol.partitions.add(openPartition(name, p, dir, spec));
        }
        logs.put(name, ol);
      } else {
        int have = ol.partitions.size();
        if (spec.partitions() < have) {
          throw new InvalidInputException(
              InvalidInputException.CONFLICT,
              Problem.of(
                  "/partitions",
                  "log "
                      + name
                      + " has "
                      + have
                      + " partitions; partitions can grow but not shrink, got "
                      + spec.partitions(),
                  Integer.toString(spec.partitions())));
        }
        writeSpec(ol.dir.resolve(SPEC_FILE), spec);
        for (int p = have; p < spec.partitions(); p++) {
          ol.partitions.add(openPartition(name, p, ol.dir, spec));
        }
        ol.spec = spec;
        for (PartitionLog pl : ol.partitions) {
          pl.updateSpec(spec);
        }
      }
    } catch (IOException e) {
      throw new TransientException("cannot create log " + name + ": " + e.getMessage(), e);
    }
    return info(name);
  }

  @Override
  public Set<String> names() {
    return new TreeSet<>(logs.keySet());
  }

  @Override
  public LogInfo info(String name) {
    OpenLog ol = get(name);
    List<LogInfo.PartitionInfo> parts = new ArrayList<>();
    for (PartitionLog p : ol.partitions) {
      parts.add(
          new LogInfo.PartitionInfo(
              p.partition, p.startOffset(), p.endOffset(), p.sizeBytes(), p.segmentCount()));
    }
    return new LogInfo(name, ol.spec, parts);
  }

  /** Fsyncs done so far across all partitions of a log (for metrics and benchmarks). */
  public long fsyncCount(String name) {
    return get(name).partitions.stream().mapToLong(p -> p.fsyncCount.sum()).sum();
  }

  @Override
  public CompletableFuture<List<AppendResult>> append(String name, List<LogRecord> records) {
    checkOpen();
    OpenLog ol = get(name);
    int n = ol.partitions.size();
    int size = records.size();
    if (size == 0) {
      return CompletableFuture.completedFuture(List.of());
    }
    int[] target = new int[size];
    int sticky = -1; // unkeyed records of one append share a partition (one fsync), like Kafka
    for (int i = 0; i < size; i++) {
      LogRecord r = records.get(i);
      if (r.partition() != null) {
        if (r.partition() < 0 || r.partition() >= n) {
          throw new InvalidInputException(
              InvalidInputException.INVALID_ARGUMENT,
              Problem.of(
                  "/" + i + "/partition",
                  "log " + name + " has partitions 0.." + (n - 1) + ", got " + r.partition(),
                  r.partition().toString()));
        }
        target[i] = r.partition();
      } else if (r.key() != null) {
        target[i] = Partitioner.partitionFor(r.key(), n);
      } else {
        if (sticky < 0) {
          sticky = Math.floorMod(ol.roundRobin.getAndIncrement(), n);
        }
        target[i] = sticky;
      }
    }
    boolean onePartition = true;
    for (int i = 1; i < size && onePartition; i++) {
      onePartition = target[i] == target[0];
    }
    if (onePartition) {
      int p = target[0];
      return ol.partitions
          .get(p)
          .append(records)
          .handle(
              (ack, err) -> {
                AppendResult[] out = new AppendResult[size];
                for (int k = 0; k < size; k++) {
                  out[k] =
                      err == null
                          ? AppendResult.ok(p, ack.baseOffset() + k, ack.timestampMs())
                          : AppendResult.failed(p, unwrap(err));
                }
                return List.of(out);
              });
    }
    // group by partition, keeping order within each partition
    Map<Integer, List<Integer>> groups = new TreeMap<>();
    for (int i = 0; i < size; i++) {
      groups.computeIfAbsent(target[i], k -> new ArrayList<>()).add(i);
    }
    AppendResult[] results = new AppendResult[size];
    List<CompletableFuture<Void>> parts = new ArrayList<>(groups.size());
    for (Map.Entry<Integer, List<Integer>> g : groups.entrySet()) {
      int p = g.getKey();
      List<Integer> idx = g.getValue();
      List<LogRecord> batch = new ArrayList<>(idx.size());
      for (int i : idx) {
        batch.add(records.get(i));
      }
      parts.add(
          ol.partitions
              .get(p)
              .append(batch)
              .handle(
                  (ack, err) -> {
                    for (int k = 0; k < idx.size(); k++) {
                      results[idx.get(k)] =
                          err == null
                              ? AppendResult.ok(p, ack.baseOffset() + k, ack.timestampMs())
                              : AppendResult.failed(p, unwrap(err));
                    }
                    return null;
                  }));
    }
    CompletableFuture<Void> all =
        parts.size() == 1
            ? parts.get(0)
            : CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    return all.thenApply(v -> List.of(results));
  }

  private static RuntimeException unwrap(Throwable t) {
    Throwable c =
        t instanceof java.util.concurrent.CompletionException && t.getCause() != null
            ? t.getCause()
            : t;
    return c instanceof RuntimeException re ? re : new TransientException(c.toString(), c);
  }

  @Override
  public LogReader reader(String name, int partition, long offset) {
    return new EmbeddedLogReader(partition(name, partition), offset);
  }

  @Override
  public long offsetForTime(String name, int partition, Instant time) {
    try {
      return partition(name, partition).offsetForTime(time.toEpochMilli());
    } catch (IOException e) {
      throw new TransientException("time lookup in log " + name + " failed: " + e.getMessage(), e);
    }
  }

  private PartitionLog partition(String name, int partition) {
    OpenLog ol = get(name);
    if (partition < 0 || partition >= ol.partitions.size()) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of(
              "/partition",
              "log "
                  + name
                  + " has partitions 0.."
                  + (ol.partitions.size() - 1)
                  + ", got "
                  + partition,
              Integer.toString(partition)));
    }
    return ol.partitions.get(partition);
  }

  @Override
  public void commitCursor(String name, String cursor, Map<Integer, Long> offsets) {
    checkWritable("commit cursor " + cursor);
    OpenLog ol = get(name);
    checkName("cursor", cursor, CURSOR);
    for (Map.Entry<Integer, Long> e : offsets.entrySet()) {
      if (e.getKey() < 0 || e.getKey() >= ol.partitions.size() || e.getValue() < 0) {
        throw new InvalidInputException(
            InvalidInputException.INVALID_ARGUMENT,
            Problem.of(
                "/offsets/" + e.getKey(),
                "expected a partition 0.."
                    + (ol.partitions.size() - 1)
                    + " with an offset >= 0, got "
                    + e.getKey()
                    + " → "
                    + e.getValue()));
      }
    }
    synchronized (ol.cursors) {
      Map<Integer, Long> merged = new TreeMap<>(cursor(name, cursor));
      merged.putAll(offsets);
      Map<String, String> entries = new LinkedHashMap<>();
      merged.forEach((p, o) -> entries.put(Integer.toString(p), Long.toString(o)));
      try {
        Path dir = ol.dir.resolve(CURSORS);
        Files.createDirectories(dir);
        CheckpointFile.writeKeepingPrevious(dir.resolve(cursor + ".cursor"), "cursor", entries);
      } catch (IOException e) {
        throw new TransientException(
            "committing cursor " + cursor + " of log " + name + " failed: " + e.getMessage(), e);
      }
      ol.cursors.put(cursor, Map.copyOf(merged));
    }
  }

  @Override
  public Map<Integer, Long> cursor(String name, String cursor) {
    OpenLog ol = get(name);
    checkName("cursor", cursor, CURSOR);
    Map<Integer, Long> cached = ol.cursors.get(cursor);
    if (cached != null) {
      return cached;
    }
    Path file = ol.dir.resolve(CURSORS).resolve(cursor + ".cursor");
    try {
      Map<Integer, Long> found;
      try {
        found = parseCursor(CheckpointFile.read(file, "cursor"), ol);
        if (found == null && Files.exists(CheckpointFile.previous(file))) {
          // a crash between moving the old commit aside and the new one in: the old one holds
          found = parseCursor(CheckpointFile.read(CheckpointFile.previous(file), "cursor"), ol);
        }
      } catch (io.sluice.core.CorruptDataException | NumberFormatException damaged) {
        found = safePoint(ol, cursor, file, damaged.getMessage());
      }
      if (found == null) {
        return Map.of();
      }
      Map<Integer, Long> copy = Map.copyOf(found);
      ol.cursors.put(cursor, copy);
      return copy;
    } catch (IOException e) {
      throw new TransientException(
          "reading cursor " + cursor + " of log " + name + " failed: " + e.getMessage(), e);
    }
  }

  private static Map<Integer, Long> parseCursor(Map<String, String> entries, OpenLog ol) {
    if (entries == null) {
      return null;
    }
    Map<Integer, Long> out = new TreeMap<>();
    for (Map.Entry<String, String> e : entries.entrySet()) {
      int p = Integer.parseInt(e.getKey());
      long o = Long.parseLong(e.getValue());
      if (p < 0 || o < 0) {
        throw new NumberFormatException("partition " + p + " offset " + o);
      }
      out.put(p, o);
    }
    return out;
  }

  /**
   * A damaged cursor: the file is set aside ({@code .damaged-<millis>}) and the consumer resumes
   * from a point at or before what it had committed: the commit before (kept as {@code .prev}),
   * else the start of every partition. At least once: some events are delivered again, none is
   * skipped.
   */
  private Map<Integer, Long> safePoint(OpenLog ol, String cursor, Path file, String why)
      throws IOException {
    Path aside = file.resolveSibling(file.getFileName() + ".damaged-" + clock.millis());
    Map<Integer, Long> previous = null;
    String previousWhy = "there is no previous commit";
    try {
      previous = parseCursor(CheckpointFile.read(CheckpointFile.previous(file), "cursor"), ol);
    } catch (io.sluice.core.CorruptDataException | NumberFormatException e) {
      previousWhy = "the previous commit is damaged too (" + e.getMessage() + ")";
    }
    Map<Integer, Long> resume;
    String from;
    if (previous != null) {
      resume = previous;
      from = "its previous commit " + previous;
    } else {
      resume = new TreeMap<>();
      for (PartitionLog p : ol.partitions) {
        resume.put(p.partition, p.startOffset());
      }
      from = "the start of every partition " + resume + " (" + previousWhy + ")";
    }
    if (!readOnly) {
      // keep the damaged file for inspection, then put the safe point where the cursor was, so a
      // crash before the consumer commits again resumes from it too (never from the bus's end)
      Files.copy(file, aside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Map<String, String> entries = new LinkedHashMap<>();
      resume.forEach((p, o) -> entries.put(Integer.toString(p), Long.toString(o)));
      CheckpointFile.write(file, "cursor", entries);
    }
    incident(
        ol.name,
        "damaged-cursor",
        "cursor "
            + cursor
            + " of log "
            + ol.name
            + " was damaged ("
            + why
            + ")"
            + (readOnly ? "" : "; kept as " + aside.getFileName())
            + "; resuming from "
            + from
            + ": events after it are delivered again");
    return resume;
  }

  private static final int MAX_INCIDENTS = 100;
  private final java.util.Deque<LogIncident> incidents = new java.util.ArrayDeque<>();

  /** Records and logs something found wrong and worked around. */
  void incident(String log, String kind, String message) {
    LOG.error(message);
    synchronized (incidents) {
      if (incidents.size() == MAX_INCIDENTS) {
        incidents.removeFirst();
      }
      incidents.addLast(new LogIncident(clock.instant(), log, kind, message));
    }
  }

  @Override
  public List<LogIncident> incidents() {
    synchronized (incidents) {
      return List.copyOf(incidents);
    }
  }

  @Override
  public List<String> cursorNames(String name) {
    OpenLog ol = get(name);
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(ol.dir.resolve(CURSORS), "*.cursor")) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        out.add(n.substring(0, n.length() - ".cursor".length()));
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new TransientException(
          "listing cursors of log " + name + " failed: " + e.getMessage(), e);
    }
    out.sort(null);
    return out;
  }

  @Override
  public void deleteCursor(String name, String cursor) {
    checkWritable("delete cursor " + cursor);
    OpenLog ol = get(name);
    checkName("cursor", cursor, CURSOR);
    synchronized (ol.cursors) {
      try {
        Path file = ol.dir.resolve(CURSORS).resolve(cursor + ".cursor");
        Files.deleteIfExists(CheckpointFile.previous(file)); // first: a crash must not revive it
        Files.deleteIfExists(file);
        CheckpointFile.fsyncDirectory(ol.dir.resolve(CURSORS));
      } catch (NoSuchFileException e) {
        // nothing committed
      } catch (IOException e) {
        throw new TransientException("deleting cursor " + cursor + " failed: " + e.getMessage(), e);
      }
      ol.cursors.remove(cursor);
    }
  }

  @Override
  public RetentionResult enforceRetention() {
    checkWritable("apply retention");
    RetentionResult total = RetentionResult.NONE;
    long now = clock.millis();
    for (OpenLog ol : logs.values()) {
      for (PartitionLog p : ol.partitions) {
        total = total.plus(p.enforceRetention(now));
      }
    }
    return total;
  }

  @Override
  public RecoveryReport recoveryReport() {
    return new RecoveryReport(List.copyOf(recoveries));
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    scheduler.shutdownNow();
    for (OpenLog ol : logs.values()) {
      for (PartitionLog p : ol.partitions) {
        p.close();
      }
    }
    if (lockChannel != null) {
      try {
        lockChannel.close();
      } catch (IOException e) {
        LOG.warn("could not release {}: {}", root.resolve(".lock"), e.toString());
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new TransientException("the event log at " + root + " is closed");
    }
  }

  private OpenLog get(String name) {
    OpenLog ol = logs.get(name);
    if (ol == null) {
      throw new InvalidInputException(
          InvalidInputException.NOT_FOUND,
          Problem.of("/name", "no log named " + Problem.render(name), Problem.render(name)));
    }
    return ol;
  }

  private static void checkName(String what, String value, Pattern p) {
    if (value == null || !p.matcher(value).matches()) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of(
              "/" + what,
              "expected 1-"
                  + (p == NAME ? 128 : 200)
                  + " characters of "
                  + (p == NAME ? "A-Z a-z 0-9 . _ -" : "A-Z a-z 0-9 . _ : @ = + -")
                  + ", starting with a letter or digit, got "
                  + Problem.render(value),
              Problem.render(value)));
    }
  }

  // ---- log.json --------------------------------------------------------------------------------

  static void writeSpec(Path file, LogSpec spec) throws IOException {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("format", 1);
    n.put("partitions", spec.partitions());
    ObjectNode r = n.putObject("retention");
    if (spec.retention().maxAge() != null) {
      r.put("maxAge", spec.retention().maxAge().toString());
    } else {
      r.putNull("maxAge");
    }
    r.put("maxBytes", spec.retention().maxBytes());
    if (spec.fsync() instanceof FsyncIntervalPolicy ip) {
      n.put("fsync", "interval");
      n.put("fsyncInterval", ip.interval().toString());
    } else {
      n.put("fsync", "always");
    }
    n.put("segmentBytes", spec.segmentBytes());
    n.put("segmentAge", spec.segmentAge().toString());
    CheckpointFile.writeAtomically(
        file, ByteBuffer.wrap(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(n)));
  }

  static LogSpec readSpec(Path file) throws IOException {
    JsonNode n =
        io.sluice.core.StateFile.read(
            file,
            "the settings of log " + file.getParent().getFileName(),
            1,
            "restore it from a backup, or write it again with the log's partitions and retention"
                + " (docs/storage-format.md)");
    JsonNode r = n.path("retention");
    Retention retention =
        new Retention(
            r.path("maxAge").isTextual() ? Duration.parse(r.path("maxAge").asText()) : null,
            r.path("maxBytes").asLong(-1));
    FsyncPolicy fsync =
        "interval".equals(n.path("fsync").asText())
            ? new FsyncIntervalPolicy(Duration.parse(n.path("fsyncInterval").asText()))
            : FsyncPolicy.EVERY_BATCH;
    return new LogSpec(
        n.path("partitions").asInt(),
        retention,
        fsync,
        n.path("segmentBytes").asLong(LogSpec.DEFAULT_SEGMENT_BYTES),
        n.has("segmentAge")
            ? Duration.parse(n.path("segmentAge").asText())
            : LogSpec.DEFAULT_SEGMENT_AGE);
  }
}

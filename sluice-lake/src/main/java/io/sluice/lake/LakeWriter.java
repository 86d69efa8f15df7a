package io.sluice.lake;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.config.TargetConfig;
import io.sluice.core.targets.DeliveryException;
import io.sluice.core.targets.Outbound;
import io.sluice.core.targets.Receipt;
import io.sluice.core.transform.Transform;
import io.sluice.core.transform.TransformOutput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers one lake target's deliveries and commits them to its table: when the buffer reaches its
 * size, {@link LakeSettings#maxBufferedRows} rows, or its interval since the first buffered row.
 * Deliveries are acknowledged (their futures complete) only once committed, with how many of them
 * went to the table's error location instead of the table.
 *
 * <p>Exactly once: the routing hands a lake target each bus partition's events in order, with one
 * worker, and this writer never fails a delivery (a failing commit is retried with backoff until it
 * succeeds; rows that can never be written go to the error location, and that counts as done). So
 * the table's high-water offset for this writer, moved in the same commit as the rows, tells
 * exactly which events are in: after a crash the bus re-delivers from the target's cursor, and
 * events at or below the mark are acknowledged without writing them again. Repeats (replays,
 * redriven dead letters) are written again, marked by {@code replay_name} where they are replays.
 */
final class LakeWriter {

  private static final Logger LOG = LoggerFactory.getLogger(LakeWriter.class);

  final String key;
  private final Lake lake;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ReentrantLock commitLock = new ReentrantLock();
  private final Thread thread;
  private List<Pending> buffer = new ArrayList<>();
  private long bufferedBytes;
  private long firstBufferedNanos;
  private volatile TargetConfig config;

  /** The table, resolved outside the writer's commit path (which must not take the Lake's lock). */
  private volatile LakeTable table;

  private volatile boolean closing;

  /** Counted down by {@link #close()}: ends a retrying commit's wait for its next attempt. */
  private final java.util.concurrent.CountDownLatch stopping =
      new java.util.concurrent.CountDownLatch(1);

  /** Why a batch was given back uncommitted; from then on no batch may commit (see flush). */
  private volatile String givenBack;

  int refs;

  /** {@code done} completes with whether the item went to the error location. */
  private record Pending(Outbound item, CompletableFuture<Boolean> done) {}

  LakeWriter(Lake lake, String key, TargetConfig config, LakeTable table) {
    this.lake = lake;
    this.key = key;
    this.config = config;
    this.table = table;
    this.thread = Thread.ofPlatform().daemon().name("sluice-lake-" + key).start(this::run);
  }

  LakeTarget spec() {
    lock.lock();
    try {
      return (LakeTarget) config.spec();
    } finally {
      lock.unlock();
    }
  }

  private LakeTable table(String name) throws java.io.IOException, java.sql.SQLException {
    LakeTable t = table;
    if (t == null || !t.name.equals(name)) {
      t = lake.table(name, true); // only when the Lake could not open it when the writer began
      table = t;
    }
    return t;
  }

  /** Settings a rule change asked for; the writer's thread applies them (see {@link #update}). */
  private TargetConfig nextConfig;

  private LakeTable nextTable;
  private final Condition applied = lock.newCondition();

  /** How long {@link #update} waits for the writer to take new settings. */
  static final Duration UPDATE_WAIT = Duration.ofSeconds(30);

  /**
   * New settings for the same target; what is buffered is flushed with the old ones first. The
   * flush runs on the writer's own thread (DuckDB must not run on the caller's, often a virtual
   * thread holding the routing's lock); this waits until the new settings are in use, at most
   * {@link #UPDATE_WAIT} (a commit that keeps failing delays them, and only them).
   */
  void update(TargetConfig next, LakeTable nextTable) {
    lock.lock();
    try {
      if (next.equals(nextConfig == null ? config : nextConfig)) {
        return;
      }
      nextConfig = next;
      this.nextTable = nextTable;
      changed.signalAll();
      long left = UPDATE_WAIT.toNanos();
      while (nextConfig != null && left > 0 && !closing) {
        left = applied.awaitNanos(left);
      }
      if (nextConfig != null) {
        LOG.warn(
            "lake target {}: new settings wait for a commit under the old ones to succeed", key);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  /** Rows waiting in the buffer (not yet taken by a commit). */
  int bufferedRows() {
    lock.lock();
    try {
      return buffer.size();
    } finally {
      lock.unlock();
    }
  }

  CompletableFuture<Receipt> add(List<Outbound> items) {
    List<CompletableFuture<Boolean>> fs = new ArrayList<>(items.size());
    lock.lock();
    try {
      if (closing || givenBack != null) {
        return CompletableFuture.failedFuture(
            DeliveryException.retryable("lake target " + key + " is stopping"));
      }
      if (buffer.isEmpty()) {
        firstBufferedNanos = System.nanoTime();
      }
      for (Outbound o : items) {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        buffer.add(new Pending(o, f));
        fs.add(f);
        bufferedBytes += sizeOf(o);
      }
      LakeTarget s = (LakeTarget) config.spec();
      if (bufferedBytes >= s.bufferBytes() || buffer.size() >= lake.settings().maxBufferedRows()) {
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
    if (fs.size() == 1) {
      return fs.get(0).thenApply(error -> error ? new Receipt(1) : Receipt.DELIVERED);
    }
    return CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              int errors = 0;
              for (CompletableFuture<Boolean> f : fs) {
                if (f.join()) {
                  errors++;
                }
              }
              return errors == 0 ? Receipt.DELIVERED : new Receipt(errors);
            });
  }

  private static long sizeOf(Outbound o) {
    if (o.body() instanceof TransformOutput.Json j && j.json() != null) {
      return j.json().length;
    }
    return 512;
  }

  private void run() {
    lock.lock();
    try {
      while (!closing) {
        if (nextConfig != null) {
          if (!buffer.isEmpty()) {
            flushLocked(); // under the old settings
            continue;
          }
          config = nextConfig;
          table = nextTable;
          nextConfig = null;
          nextTable = null;
          applied.signalAll();
          continue;
        }
        LakeTarget s = (LakeTarget) config.spec();
        if (buffer.isEmpty()) {
          changed.await(1, TimeUnit.SECONDS);
          continue;
        }
        long dueNanos = firstBufferedNanos + s.bufferInterval().toNanos();
        long left = dueNanos - System.nanoTime();
        boolean full =
            bufferedBytes >= s.bufferBytes() || buffer.size() >= lake.settings().maxBufferedRows();
        if (!full && left > 0) {
          changed.awaitNanos(left);
          continue;
        }
        flushLocked();
      }
      // closing: one last attempt at what is buffered, on this (platform) thread
      if (!buffer.isEmpty()) {
        flushLocked();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      applied.signalAll();
      lock.unlock();
    }
  }

  /**
   * Commits the buffer, retrying until it succeeds or the writer closes. Called holding {@code
   * lock}; releases it while committing so deliveries keep buffering. Commits never overlap.
   *
   * <p>A batch that is given back uncommitted (the writer is closing while its commit fails) makes
   * every later batch be given back too: the high-water mark of a later batch would cover the
   * offsets of the earlier one, and after a restart those events would be taken for committed.
   */
  private void flushLocked() {
    // commitLock first, then the buffer: whoever takes a batch commits it before anyone can take
    // a later one, so batches reach the table in order (the high-water mark depends on it)
    lock.unlock();
    commitLock.lock();
    lock.lock();
    List<Pending> batch = buffer;
    buffer = new ArrayList<>();
    bufferedBytes = 0;
    lock.unlock();
    try {
      if (batch.isEmpty()) {
        return;
      }
      long backoff = INITIAL_BACKOFF_MS;
      while (true) {
        String earlier = givenBack;
        if (earlier != null) {
          giveBack(batch, "an earlier batch of this target was not committed (" + earlier + ")");
          return;
        }
        try {
          Set<Outbound> errors = commit(batch);
          lake.ok("lake writer " + key);
          for (Pending p : batch) {
            p.done().complete(errors.contains(p.item()));
          }
          return;
        } catch (Exception e) {
          lake.metrics().commitFailed(spec().table());
          lake.failed("lake writer " + key, e);
          if (closing) {
            LOG.error(
                "lake target {}: committing {} rows failed while stopping ({}); they stay"
                    + " uncommitted and are delivered again at the next start",
                key,
                batch.size(),
                e.toString());
            givenBack = e.toString();
            giveBack(batch, "lake commit failed while stopping: " + e);
            return;
          }
          LOG.error(
              "lake target {}: committing {} rows failed ({}); retrying in {} ms",
              key,
              batch.size(),
              e.toString(),
              backoff);
          try {
            stopping.await(backoff, TimeUnit.MILLISECONDS); // close() cuts the wait short
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            closing = true;
          }
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
      }
    } finally {
      commitLock.unlock();
      lock.lock();
    }
  }

  static final long INITIAL_BACKOFF_MS = 200;
  static final long MAX_BACKOFF_MS = Duration.ofSeconds(30).toMillis();

  private static void giveBack(List<Pending> batch, String why) {
    for (Pending p : batch) {
      p.done().completeExceptionally(DeliveryException.retryable(why));
    }
  }

  /**
   * The high-water key an item is counted under, or null when it is always written: fresh
   * deliveries under the writer's key, each replay under its own ({@code key#replay:name}), since
   * both arrive per bus partition in offset order; durable-queue retries and redriven dead letters
   * arrive in no such order and are written each time (at least once).
   */
  private String markKey(Outbound o) {
    if (o.retried()) {
      return null; // a retry or a redriven dead letter, of a replay or not: in no order
    }
    if (o.replayName() != null) {
      return key + "#replay:" + o.replayName();
    }
    return o.repeat() ? null : key;
  }

  /** Commits {@code batch}; returns the items that went to the error location. */
  private Set<Outbound> commit(List<Pending> batch) throws Exception {
    LakeTarget s = (LakeTarget) config.spec();
    LakeTable table = table(s.table());
    List<String> wanted = s.partitionBy().stream().map(PartitionKey::name).toList();
    List<String> keys = table.partitionKeysFor(wanted);
    String keyMismatch =
        keys.equals(wanted)
            ? null
            : "lake table "
                + s.table()
                + " is partitioned by "
                + keys
                + ", but this target partitions by "
                + wanted
                + "; targets writing one table must use the same partitionBy";
    boolean identity = config.transform() == Transform.IDENTITY;
    List<LakeRecord> rows = new ArrayList<>(batch.size());
    Map<LakeRecord, Outbound> sources = new IdentityHashMap<>();
    List<ErrorRow> errors = new ArrayList<>();
    Map<String, Map<Integer, Long>> marks = new LinkedHashMap<>();
    long skipped = 0;
    for (Pending p : batch) {
      Outbound o = p.item();
      String mark = markKey(o);
      if (mark != null) {
        if (o.offset() <= table.highWater(mark, o.partition())) {
          skipped++;
          continue; // committed before a crash; the bus (or the replay) delivered it again
        }
        marks
            .computeIfAbsent(mark, k -> new TreeMap<>())
            .merge(o.partition(), o.offset(), Math::max);
      }
      JsonNode data;
      if (o.body() instanceof TransformOutput.Rejected rejected) {
        errors.add(new ErrorRow(o, rejected.reason()));
        continue;
      } else if (identity) {
        data = o.event().get("detail");
      } else if (o.body() instanceof TransformOutput.Json j && j.tree().isObject()) {
        data = j.tree();
      } else {
        errors.add(
            new ErrorRow(
                o, "the transform produced " + describe(o.body()) + ", not a JSON object"));
        continue;
      }
      if (keyMismatch != null) {
        errors.add(new ErrorRow(o, keyMismatch));
        continue;
      }
      Map<String, String> values = new LinkedHashMap<>();
      try {
        for (PartitionKey k : s.partitionBy()) {
          values.put(k.name(), k.render(o.event(), o.ingestionTimeMs()));
        }
      } catch (IllegalArgumentException e) {
        errors.add(new ErrorRow(o, e.getMessage()));
        continue;
      }
      LakeRecord r =
          new LakeRecord(
              o.event(),
              data,
              o.bus(),
              o.partition(),
              o.offset(),
              o.ingestionTimeMs(),
              o.replayName(),
              values);
      String unwritable = RowShaper.unwritable(r);
      if (unwritable != null) {
        errors.add(new ErrorRow(o, unwritable));
        continue;
      }
      rows.add(r);
      sources.put(r, o);
    }
    List<LakeErrors.Entry> errorEntries = new ArrayList<>(errors.size());
    for (ErrorRow e : errors) {
      errorEntries.add(entry(e.item(), e.error()));
    }
    List<LakeTable.Rejected> rejected = List.of();
    if (!rows.isEmpty()) {
      rejected =
          table.commit(
              keys,
              rows,
              marks,
              s.compression(),
              errorEntries,
              x -> entry(sources.get(x.record()), x.reason()));
    } else if (!marks.isEmpty() || !errors.isEmpty()) {
      table.commitMarks(marks, errorEntries);
    }
    Set<Outbound> errored = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (ErrorRow e : errors) {
      errored.add(e.item());
    }
    for (LakeTable.Rejected x : rejected) {
      errored.add(sources.get(x.record()));
    }
    int errorRows = errors.size() + rejected.size();
    if (errorRows > 0) {
      lake.metrics().errorRows(s.table(), errorRows);
    }
    lake.metrics().committed(s.table(), rows.size() - rejected.size(), skipped);
    if (skipped > 0) {
      LOG.info(
          "lake target {}: {} re-delivered events were already in table {}; not written again",
          key,
          skipped,
          s.table());
    }
    return errored;
  }

  private static String describe(TransformOutput out) {
    return switch (out) {
      case TransformOutput.Json j -> Json.describe(j.tree());
      case TransformOutput.Text t -> "text " + io.sluice.core.Problem.render(t.text());
      default -> out.toString();
    };
  }

  private record ErrorRow(Outbound item, String error) {}

  /** The error-location entry of an item that could not be a row. */
  private LakeErrors.Entry entry(Outbound o, String error) {
    Object output =
        o.body() instanceof TransformOutput.Json j
            ? j.tree()
            : o.body() instanceof TransformOutput.Text t ? t.text() : null;
    return new LakeErrors.Entry(error, key, o.partition(), o.offset(), o.event(), output);
  }

  /**
   * Flushes what is buffered (one attempt) and stops. Bounded: a commit that keeps failing is given
   * up at once (its wait for the next attempt is cut short), and its rows stay uncommitted, to be
   * delivered again at the next start.
   */
  void close() {
    lock.lock();
    try {
      closing = true; // a failing flush gives up instead of retrying forever
      stopping.countDown();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      // the writer's thread makes the last flush (DuckDB runs on no other thread)
      thread.join(CLOSE_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.error(
          "lake target {}: the last commit did not finish within {}; what it holds is delivered"
              + " again at the next start",
          key,
          CLOSE_WAIT);
    }
  }

  /** How long {@link #close()} waits for the writer's last commit. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(30);
}

package io.sluice.log;

import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.TransientException;
import io.sluice.log.RecoveryReport.PartitionRecovery;
import io.sluice.log.RecoveryReport.Truncation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition of an embedded log: a directory of {@link LogSegment}s, a writer thread and a
 * recovery point.
 *
 * <p>Directory layout: {@code <base>.log/.idx/.tix} per segment; {@code recovery-point} (a {@link
 * CheckpointFile}) lists, for each segment known to be complete, its size, next offset and time
 * range. On open, segments listed with a matching size are trusted; every other segment (the one
 * that was active at a crash, or any whose size changed) is scanned batch by batch and cut at the
 * first bad batch. Segment files after a bad batch are renamed to {@code *.corrupt}.
 *
 * <p>Writes: appenders encode their records and queue them; the writer thread takes everything
 * queued, assigns offsets and one append timestamp, writes all batches with one gathering write,
 * fsyncs once (group commit), publishes the new end offset and completes the futures. A failed
 * write or fsync is rolled back (the file is cut to the last published byte) and fails only the
 * appends of that round.
 *
 * <p>Thread-safety: appends, reads, retention and info from any thread; the writer thread alone
 * changes the active segment.
 */
final class PartitionLog {

  private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);
  static final String RECOVERY_POINT = "recovery-point";
  private static final String CORRUPT_SUFFIX = ".corrupt";
  private static final int MAX_ROUND = 4096;

  /** Where an appended batch landed. */
  record Ack(long baseOffset, long timestampMs) {}

  private record Pending(ByteBuffer records, int count, int bytes, CompletableFuture<Ack> done) {}

  private static final Pending STOP = new Pending(null, 0, 0, null);

  final String logName;
  final int partition;
  final Path dir;
  private final Clock clock;
  private volatile LogSpec spec;
  private final long maxPendingBytes;
  private final DurabilityListener listener;

  private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
  private volatile LogSegment active;
  private volatile long endOffset;

  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final AtomicLong pendingBytes = new AtomicLong();
  private final ReentrantLock waitLock = new ReentrantLock();
  private final Condition appended = waitLock.newCondition();
  private final AtomicInteger waiters = new AtomicInteger();
  private final Object recoveryPointLock = new Object();
  private volatile boolean closing;
  private volatile Throwable failure;
  private final Thread writer;

  // writer-thread state
  private long lastTimestamp;
  private boolean dirty;
  private long lastFsyncNanos = System.nanoTime();

  final LongAdder fsyncCount = new LongAdder();
  final LongAdder appendedRecords = new LongAdder();
  final LongAdder appendedBytes = new LongAdder();

  private final PartitionRecovery recovery;

  private PartitionLog(
      String logName,
      int partition,
      Path dir,
      LogSpec spec,
      Clock clock,
      long maxPendingBytes,
      DurabilityListener listener,
      List<LogSegment> recovered,
      PartitionRecovery recovery,
      boolean readOnly)
      throws IOException {
    this.readOnly = readOnly;
    this.listener = listener;
    this.logName = logName;
    this.partition = partition;
    this.dir = dir;
    this.spec = spec;
    this.clock = clock;
    this.maxPendingBytes = maxPendingBytes;
    this.recovery = recovery;
    for (LogSegment s : recovered) {
      segments.put(s.baseOffset, s);
    }
    if (segments.isEmpty()) {
      LogSegment first =
          readOnly
              ? LogSegment.existing(dir, 0, 0, 0, -1, -1, new OffsetIndex(), new TimeIndex())
              : LogSegment.create(dir, 0);
      segments.put(0L, first);
    }
    this.active = segments.lastEntry().getValue();
    this.endOffset = active.committedNextOffset();
    this.lastTimestamp = Math.max(0, active.maxTimestampMs());
    this.writer = new Thread(this::runWriter, "sluice-log-writer-" + logName + "-" + partition);
    writer.setDaemon(true);
    if (!readOnly) {
      active.openForAppend();
      writeRecoveryPoint(false);
      writer.start();
    }
  }

  /** Opened only to look: nothing on disk is changed, appends are refused. */
  private final boolean readOnly;

  /** Where damage found while reading is reported (the log: once per damage). */
  private volatile java.util.function.Consumer<CorruptRange> corruptSink = r -> {};

  void onCorrupt(java.util.function.Consumer<CorruptRange> sink) {
    this.corruptSink = sink;
  }

  void corrupt(CorruptRange range) {
    corruptSink.accept(range);
  }

  /** Every damaged range of the partition's segments, read whole (a scrub). */
  List<CorruptRange> verify() throws IOException {
    List<CorruptRange> out = new ArrayList<>();
    for (LogSegment s : segments.values()) {
      try {
        out.addAll(
            SegmentScan.verify(
                logName,
                partition,
                s.file,
                s.baseOffset,
                s.committedSize(),
                s.committedNextOffset()));
      } catch (java.nio.file.NoSuchFileException removedByRetention) {
        // gone meanwhile
      }
    }
    return out;
  }

  /** Opens (creating if needed) and recovers the partition in {@code dir}. */
  static PartitionLog open(
      String logName,
      int partition,
      Path dir,
      LogSpec spec,
      Clock clock,
      long maxPendingBytes,
      DurabilityListener listener)
      throws IOException {
    return open(logName, partition, dir, spec, clock, maxPendingBytes, listener, false);
  }

  /**
   * As {@link #open}; with {@code readOnly} nothing on disk changes: what recovery would cut or set
   * aside is only reported (and not read), and appends are refused.
   */
  static PartitionLog open(
      String logName,
      int partition,
      Path dir,
      LogSpec spec,
      Clock clock,
      long maxPendingBytes,
      DurabilityListener listener,
      boolean readOnly)
      throws IOException {
    if (!readOnly) {
      Files.createDirectories(dir);
    } else if (!Files.isDirectory(dir)) {
      return new PartitionLog(
          logName,
          partition,
          dir,
          spec,
          clock,
          maxPendingBytes,
          listener,
          List.of(),
          new PartitionRecovery(logName, partition, 0, 0, 0, 0, List.of(), List.of()),
          true);
    }
    Recovered r = recover(logName, partition, dir, !readOnly);
    return new PartitionLog(
        logName,
        partition,
        dir,
        spec,
        clock,
        maxPendingBytes,
        listener,
        r.segments,
        r.report,
        readOnly);
  }

  PartitionRecovery recovery() {
    return recovery;
  }

  void updateSpec(LogSpec newSpec) {
    this.spec = newSpec;
  }

  long startOffset() {
    return segments.firstKey();
  }

  long endOffset() {
    return endOffset;
  }

  long sizeBytes() {
    long total = 0;
    for (LogSegment s : segments.values()) {
      total += s.committedSize();
    }
    return total;
  }

  int segmentCount() {
    return segments.size();
  }

  LogSegment segmentFor(long offset) {
    Map.Entry<Long, LogSegment> e = segments.floorEntry(offset);
    return e == null ? segments.firstEntry().getValue() : e.getValue();
  }

  LogSegment segmentAfter(LogSegment s) {
    Map.Entry<Long, LogSegment> e = segments.higherEntry(s.baseOffset);
    return e == null ? null : e.getValue();
  }

  boolean isRetained(LogSegment s) {
    return segments.get(s.baseOffset) == s;
  }

  // ---- appending -------------------------------------------------------------------------------

  /** Queues one batch; the future completes once it is durable and visible, or fails. */
  CompletableFuture<Ack> append(List<LogRecord> records) {
    if (readOnly) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              "log " + logName + " is open read-only: nothing is appended to it"));
    }
    Throwable f = failure;
    if (f != null) {
      return CompletableFuture.failedFuture(
          new TransientException(
              "log "
                  + logName
                  + " partition "
                  + partition
                  + " stopped after a disk error ("
                  + f.getMessage()
                  + "); restart Sluice to recover it",
              f));
    }
    if (closing) {
      return CompletableFuture.failedFuture(
          new TransientException("log " + logName + " is closed"));
    }
    ByteBuffer body = RecordBatch.encodeRecords(records);
    int bytes = RecordBatch.HEADER_BYTES + body.remaining();
    if (bytes - RecordBatch.LENGTH_FIELD > RecordBatch.MAX_BATCH_BYTES) {
      return CompletableFuture.failedFuture(
          new InvalidInputException(
              InvalidInputException.LIMIT_EXCEEDED,
              Problem.of(
                  "",
                  "batch for one partition is "
                      + bytes
                      + " bytes, over the limit of "
                      + RecordBatch.MAX_BATCH_BYTES
                      + " bytes")));
    }
    long queued = pendingBytes.addAndGet(bytes);
    if (queued > maxPendingBytes && queued != bytes) {
      pendingBytes.addAndGet(-bytes);
      return CompletableFuture.failedFuture(
          new LogOverloadedException(
              "log "
                  + logName
                  + " partition "
                  + partition
                  + " has "
                  + (queued - bytes)
                  + " bytes waiting for the disk, over the limit of "
                  + maxPendingBytes
                  + " bytes; retry shortly"));
    }
    CompletableFuture<Ack> done = new CompletableFuture<>();
    queue.add(new Pending(body, records.size(), bytes, done));
    return done;
  }

  private void runWriter() {
    List<Pending> round = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      try {
        Pending first = queue.poll(pollTimeoutMs(), TimeUnit.MILLISECONDS);
        if (first == null) {
          idle();
          continue;
        }
        round.add(first);
        queue.drainTo(round, MAX_ROUND - 1);
        int stopAt = round.indexOf(STOP);
        if (stopAt >= 0) {
          stop = true;
          List<Pending> late = new ArrayList<>(round.subList(stopAt + 1, round.size()));
          round.subList(stopAt, round.size()).clear();
          late.forEach(p -> fail(p, new TransientException("log " + logName + " is closed")));
        }
        if (!round.isEmpty()) {
          if (failure != null) {
            round.forEach(
                p -> fail(p, new TransientException("log " + logName + " stopped", failure)));
          } else {
            writeRound(round);
          }
        }
        round.clear();
        maybeFsyncOnInterval();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop = true;
      } catch (Throwable t) {
        LOG.error(
            "log {} partition {}: writer failed; stopping the partition", logName, partition, t);
        failure = t;
        round.forEach(p -> fail(p, new TransientException("log " + logName + " failed", t)));
        round.clear();
      }
    }
    finishWriter();
  }

  private long pollTimeoutMs() {
    if (spec.fsync() instanceof FsyncIntervalPolicy ip && dirty) {
      long due = lastFsyncNanos + ip.interval().toNanos() - System.nanoTime();
      return Math.max(1, TimeUnit.NANOSECONDS.toMillis(due));
    }
    return 1000;
  }

  private void idle() throws IOException {
    maybeFsyncOnInterval();
    LogSegment seg = active;
    if (failure == null
        && !seg.isEmpty()
        && clock.millis() - seg.firstTimestampMs() >= spec.segmentAge().toMillis()) {
      roll(seg);
    }
  }

  private void maybeFsyncOnInterval() throws IOException {
    if (dirty
        && spec.fsync() instanceof FsyncIntervalPolicy ip
        && System.nanoTime() - lastFsyncNanos >= ip.interval().toNanos()) {
      active.fsync();
      fsyncCount.increment();
      dirty = false;
      lastFsyncNanos = System.nanoTime();
    }
  }

  private void writeRound(List<Pending> round) {
    long ts = Math.max(clock.millis(), lastTimestamp);
    lastTimestamp = ts;
    long[] bases = new long[round.size()];
    LogSegment seg = active;
    int from = 0;
    boolean rolling = false;
    try {
      LogSpec s = spec;
      for (int i = 0; i < round.size(); i++) {
        Pending p = round.get(i);
        if (!seg.isEmpty()
            && (seg.size() + p.bytes() > s.segmentBytes()
                || ts - seg.firstTimestampMs() >= s.segmentAge().toMillis())) {
          if (i > from) {
            commit(seg, round, bases, from, i, ts);
            from = i;
          }
          rolling = true;
          seg = roll(seg);
          rolling = false;
        }
        long base = seg.nextOffset();
        bases[i] = base;
        seg.stage(
            RecordBatch.header(base, ts, p.count(), p.records()), p.records(), base, p.count(), ts);
      }
      commit(seg, round, bases, from, round.size(), ts);
    } catch (IOException | RuntimeException e) {
      TransientException err =
          new TransientException(
              "log " + logName + " partition " + partition + ": write failed: " + e.getMessage(),
              e);
      for (int i = from; i < round.size(); i++) {
        fail(round.get(i), err);
      }
      if (rolling) {
        failure = e;
        LOG.error(
            "log {} partition {}: segment roll failed; partition stopped", logName, partition, e);
        return;
      }
      try {
        seg.rollbackToCommitted();
        LOG.warn(
            "log {} partition {}: write failed, rolled back to byte {} of {}: {}",
            logName,
            partition,
            seg.committedSize(),
            seg.file,
            e.toString());
      } catch (IOException | RuntimeException again) {
        failure = again;
        LOG.error(
            "log {} partition {}: could not roll back {} after a failed write; partition stopped",
            logName,
            partition,
            seg.file,
            again);
      }
    }
  }

  private void commit(LogSegment seg, List<Pending> round, long[] bases, int from, int to, long ts)
      throws IOException {
    seg.writeStaged();
    boolean fsynced = !spec.fsync().acknowledgesBeforeFsync();
    if (fsynced) {
      seg.fsync();
      fsyncCount.increment();
      lastFsyncNanos = System.nanoTime();
    } else {
      dirty = true;
    }
    seg.publish();
    endOffset = seg.committedNextOffset();
    listener.durable(logName, partition, endOffset, fsynced);
    signalReaders();
    long bytes = 0;
    long records = 0;
    for (int i = from; i < to; i++) {
      Pending p = round.get(i);
      bytes += p.bytes();
      records += p.count();
    }
    pendingBytes.addAndGet(-bytes);
    appendedBytes.add(bytes);
    appendedRecords.add(records);
    for (int i = from; i < to; i++) {
      round.get(i).done().complete(new Ack(bases[i], ts));
    }
  }

  private LogSegment roll(LogSegment old) throws IOException {
    old.seal();
    LogSegment next = LogSegment.create(dir, old.nextOffset());
    segments.put(next.baseOffset, next);
    active = next;
    dirty = false;
    writeRecoveryPoint(false);
    LOG.debug("log {} partition {}: rolled to {}", logName, partition, next.file);
    return next;
  }

  private void fail(Pending p, RuntimeException e) {
    pendingBytes.addAndGet(-p.bytes());
    p.done().completeExceptionally(e);
  }

  private void finishWriter() {
    try {
      LogSegment seg = active;
      if (failure == null) {
        seg.fsync();
        seg.writeIndexes();
        seg.closeWriter();
        writeRecoveryPoint(true);
      } else {
        seg.closeWriter();
      }
    } catch (IOException e) {
      LOG.error(
          "log {} partition {}: clean close failed; recovery will scan", logName, partition, e);
    }
    Pending p;
    while ((p = queue.poll()) != null) {
      if (p != STOP) {
        fail(p, new TransientException("log " + logName + " is closed"));
      }
    }
    signalReaders();
  }

  /** Stops accepting appends, lets the writer finish what is queued (with its fsync), closes. */
  void close() {
    if (closing) {
      return;
    }
    closing = true;
    if (readOnly) {
      return;
    }
    queue.add(STOP);
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean isClosed() {
    return closing && !writer.isAlive();
  }

  boolean isReadOnly() {
    return readOnly;
  }

  // ---- reading ---------------------------------------------------------------------------------

  private void signalReaders() {
    if (waiters.get() > 0) {
      waitLock.lock();
      try {
        appended.signalAll();
      } finally {
        waitLock.unlock();
      }
    }
  }

  /** Waits until the end offset passes {@code offset}, the log closes, or {@code maxWait} ends. */
  void awaitBeyond(long offset, Duration maxWait) {
    if (endOffset > offset || maxWait.isZero() || maxWait.isNegative()) {
      return;
    }
    long nanos = maxWait.toNanos();
    waiters.incrementAndGet();
    waitLock.lock();
    try {
      while (endOffset <= offset && nanos > 0 && !isClosed()) {
        nanos = appended.awaitNanos(Math.min(nanos, TimeUnit.MILLISECONDS.toNanos(200)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      waitLock.unlock();
      waiters.decrementAndGet();
    }
  }

  long offsetForTime(long timestampMs) throws IOException {
    for (LogSegment s : segments.values()) {
      if (s.maxTimestampMs() < timestampMs) {
        continue;
      }
      long limit = s.committedSize();
      int rel = s.timeIndex.floorRelativeOffsetBefore(timestampMs);
      long pos = s.offsetIndex.floorPosition(rel);
      try (FileChannel ch = s.openReader()) {
        ByteBuffer h = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
        while (pos < limit) {
          h.clear();
          LogSegment.readFully(ch, h, pos);
          h.flip();
          RecordBatch.HeaderRead r = RecordBatch.readHeader(h, limit - pos);
          if (!(r instanceof RecordBatch.Header header)) {
            // a damaged header: go on from the next valid batch (the reader reports the damage)
            long[] next = SegmentScan.resync(ch, pos + 1, limit, 0);
            if (next == null) {
              break;
            }
            pos = next[0];
            continue;
          }
          if (header.timestampMs() >= timestampMs) {
            return header.baseOffset();
          }
          pos += header.totalBytes();
        }
      } catch (java.nio.file.NoSuchFileException gone) {
        // removed by retention while we looked: the next segment answers
      }
    }
    return endOffset;
  }

  // ---- retention -------------------------------------------------------------------------------

  RetentionResult enforceRetention(long nowMs) {
    Retention r = spec.retention();
    int removed = 0;
    long bytes = 0;
    long records = 0;
    while (true) {
      Map.Entry<Long, LogSegment> first = segments.firstEntry();
      LogSegment s = first.getValue();
      if (s == active) {
        break;
      }
      boolean expired =
          r.maxAge() != null
              && (s.maxTimestampMs() < 0 || s.maxTimestampMs() < nowMs - r.maxAge().toMillis());
      boolean oversize = r.maxBytes() > 0 && sizeBytes() - s.committedSize() >= r.maxBytes();
      if (!expired && !oversize) {
        break;
      }
      segments.remove(s.baseOffset);
      try {
        s.delete();
      } catch (IOException e) {
        LOG.warn(
            "log {} partition {}: could not delete {}: {}",
            logName,
            partition,
            s.file,
            e.toString());
      }
      removed++;
      bytes += s.committedSize();
      records += s.committedNextOffset() - s.baseOffset;
      LOG.info(
          "log {} partition {}: retention removed {} ({} records, {} bytes, {})",
          logName,
          partition,
          s.file.getFileName(),
          s.committedNextOffset() - s.baseOffset,
          s.committedSize(),
          expired ? "older than " + r.maxAge() : "over " + r.maxBytes() + " bytes");
    }
    if (removed > 0) {
      try {
        writeRecoveryPoint(false);
      } catch (IOException e) {
        LOG.warn("log {} partition {}: could not update the recovery point", logName, partition, e);
      }
    }
    return new RetentionResult(removed, bytes, records);
  }

  // ---- recovery --------------------------------------------------------------------------------

  private void writeRecoveryPoint(boolean includeActive) throws IOException {
    synchronized (recoveryPointLock) {
      Map<String, String> entries = new LinkedHashMap<>();
      for (LogSegment s : segments.values()) {
        if (s == active && !includeActive) {
          continue;
        }
        entries.put(
            "segment." + s.baseOffset,
            s.committedSize()
                + " "
                + s.committedNextOffset()
                + " "
                + s.firstTimestampMs()
                + " "
                + s.maxTimestampMs());
      }
      CheckpointFile.write(dir.resolve(RECOVERY_POINT), "recovery-point", entries);
    }
  }

  private record Recovered(List<LogSegment> segments, PartitionRecovery report) {}

  /**
   * Recovers the partition's segments; with {@code repair} false it changes nothing on disk and
   * only reports what it would cut and set aside.
   */
  private static Recovered recover(String logName, int partition, Path dir, boolean repair)
      throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (n.endsWith(".tmp")) {
          if (repair) {
            Files.deleteIfExists(p);
          }
        } else if (LogSegment.baseOffsetOf(p) >= 0) {
          files.add(p);
        }
      }
    }
    files.sort((a, b) -> Long.compare(LogSegment.baseOffsetOf(a), LogSegment.baseOffsetOf(b)));

    Map<String, String> checkpoint = null;
    try {
      checkpoint = CheckpointFile.read(dir.resolve(RECOVERY_POINT), "recovery-point");
    } catch (io.sluice.core.CorruptDataException e) {
      LOG.warn(
          "log {} partition {}: ignoring damaged recovery point ({}); scanning all segments",
          logName,
          partition,
          e.getMessage());
    }

    List<LogSegment> good = new ArrayList<>();
    List<Truncation> truncations = new ArrayList<>();
    List<String> quarantined = new ArrayList<>();
    int trusted = 0;
    int validated = 0;
    int rebuilt = 0;
    long bytesValidated = 0;
    long expected = -1;
    String stopReason = null;

    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      long base = LogSegment.baseOffsetOf(file);
      if (stopReason == null && expected >= 0 && base != expected) {
        stopReason =
            "segment "
                + file.getFileName()
                + " starts at offset "
                + base
                + " but the previous segment ends at "
                + expected;
      }
      if (stopReason != null) {
        if (repair) {
          quarantine(file, quarantined);
        } else {
          quarantined.add(file.toString());
        }
        continue;
      }
      long size = Files.size(file);
      String entry = checkpoint == null ? null : checkpoint.get("segment." + base);
      LogSegment seg = null;
      if (entry != null) {
        String[] f = entry.split(" ");
        if (f.length == 4 && Long.parseLong(f[0]) == size) {
          long next = Long.parseLong(f[1]);
          long firstTs = Long.parseLong(f[2]);
          long maxTs = Long.parseLong(f[3]);
          Path idx = dir.resolve(LogSegment.name(base) + LogSegment.OFFSET_INDEX);
          Path tix = dir.resolve(LogSegment.name(base) + LogSegment.TIME_INDEX);
          OffsetIndex oi = OffsetIndex.read(idx, size, next - base);
          TimeIndex ti = TimeIndex.read(tix, next - base, maxTs);
          if (oi != null && ti != null) {
            seg = LogSegment.existing(dir, base, size, next, firstTs, maxTs, oi, ti);
            trusted++;
          }
        }
      }
      if (seg == null) {
        SegmentScan.Result scan = SegmentScan.scan(file, base);
        validated++;
        bytesValidated += scan.validBytes();
        if (scan.failure() != null) {
          long cut = scan.fileBytes() - scan.validBytes();
          if (repair) {
            try (FileChannel ch = FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
              ch.truncate(scan.validBytes());
              ch.force(true);
            }
            LOG.warn(
                "log {} partition {}: truncated {} at byte {} ({} bytes removed): {}",
                logName,
                partition,
                file,
                scan.validBytes(),
                cut,
                scan.failure());
          }
          truncations.add(new Truncation(file.toString(), scan.validBytes(), cut, scan.failure()));
          stopReason = scan.failure();
        }
        seg =
            LogSegment.existing(
                dir,
                base,
                scan.validBytes(),
                scan.nextOffset(),
                scan.firstTimestampMs(),
                scan.maxTimestampMs(),
                scan.offsetIndex(),
                scan.timeIndex());
        if (repair) {
          seg.writeIndexes();
        }
        rebuilt++;
      }
      if (seg.committedSize() == 0 && i < files.size() - 1 && stopReason == null) {
        // an empty segment that is not the last one holds nothing; drop it
        if (repair) {
          seg.delete();
        }
        continue;
      }
      good.add(seg);
      expected = seg.committedNextOffset();
    }
    // quarantining may have left an empty segment in front; keep the last one we have
    PartitionRecovery report =
        new PartitionRecovery(
            logName,
            partition,
            trusted,
            validated,
            bytesValidated,
            rebuilt,
            List.copyOf(truncations),
            List.copyOf(quarantined));
    if (repair && (validated > 0 || !truncations.isEmpty() || !quarantined.isEmpty())) {
      LOG.info(
          "log {} partition {}: recovery trusted {} segments, scanned {} ({} bytes), truncated {} bytes, set aside {} files",
          logName,
          partition,
          trusted,
          validated,
          bytesValidated,
          truncations.stream().mapToLong(Truncation::bytesRemoved).sum(),
          quarantined.size());
    }
    return new Recovered(good, report);
  }

  private static void quarantine(Path file, List<String> quarantined) throws IOException {
    Path target = file.resolveSibling(file.getFileName() + CORRUPT_SUFFIX);
    Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
    long base = LogSegment.baseOffsetOf(file);
    Files.deleteIfExists(file.resolveSibling(LogSegment.name(base) + LogSegment.OFFSET_INDEX));
    Files.deleteIfExists(file.resolveSibling(LogSegment.name(base) + LogSegment.TIME_INDEX));
    quarantined.add(target.toString());
    LOG.warn("set aside {} (after a bad batch); its records are not served", target);
  }
}

package io.sluice.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One file of a partition, holding record batches with offsets in [baseOffset, nextOffset).
 *
 * <p>Layout: {@code <baseOffset:20 digits>.log} is a sequence of {@link RecordBatch}es with no gaps
 * and nothing after the last one; {@code .idx} is its {@link OffsetIndex} and {@code .tix} its
 * {@link TimeIndex}. See {@code docs/storage-format.md}.
 *
 * <p>Thread-safety: a single writer (the partition's writer thread) stages, writes, syncs and
 * publishes batches. Readers on any thread read through their own channels and only below {@link
 * #committedSize()}, which the writer moves after a batch is durable under the log's fsync policy.
 */
final class LogSegment {

  static final String LOG = ".log";
  static final String OFFSET_INDEX = ".idx";
  static final String TIME_INDEX = ".tix";

  final long baseOffset;
  final Path file;
  final OffsetIndex offsetIndex;
  final TimeIndex timeIndex;

  private FileChannel channel; // writer only; null once sealed
  private final List<ByteBuffer> staged = new ArrayList<>();
  private long size;
  private long nextOffset;
  private long stagedMaxTimestamp;
  private long lastIndexedPosition;

  /** What readers may read, published as one value so a size and its offset always agree. */
  record Committed(long size, long nextOffset) {}

  private volatile Committed committed;
  private volatile long firstTimestampMs = -1;
  private volatile long maxTimestampMs = -1;

  private LogSegment(
      Path dir,
      long baseOffset,
      long size,
      long nextOffset,
      long firstTs,
      long maxTs,
      OffsetIndex offsetIndex,
      TimeIndex timeIndex) {
    this.baseOffset = baseOffset;
    this.file = dir.resolve(name(baseOffset) + LOG);
    this.size = size;
    this.nextOffset = nextOffset;
    this.committed = new Committed(size, nextOffset);
    this.firstTimestampMs = firstTs;
    this.maxTimestampMs = maxTs;
    this.stagedMaxTimestamp = maxTs;
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    this.lastIndexedPosition =
        offsetIndex.size() == 0 ? 0 : offsetIndex.position(offsetIndex.size() - 1);
  }

  static String name(long baseOffset) {
    return String.format("%020d", baseOffset);
  }

  /** Base offset from a segment file name, or -1 when it is not one. */
  static long baseOffsetOf(Path file) {
    String n = file.getFileName().toString();
    if (!n.endsWith(LOG) || n.length() != 20 + LOG.length()) {
      return -1;
    }
    try {
      return Long.parseLong(n.substring(0, 20));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static LogSegment create(Path dir, long baseOffset) throws IOException {
    LogSegment s =
        new LogSegment(dir, baseOffset, 0, baseOffset, -1, -1, new OffsetIndex(), new TimeIndex());
    s.channel = FileChannel.open(s.file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    CheckpointFile.fsyncDirectory(dir);
    return s;
  }

  /** A segment whose extent is known (trusted from the checkpoint, or just validated). */
  static LogSegment existing(
      Path dir,
      long baseOffset,
      long size,
      long nextOffset,
      long firstTs,
      long maxTs,
      OffsetIndex offsetIndex,
      TimeIndex timeIndex) {
    return new LogSegment(
        dir, baseOffset, size, nextOffset, firstTs, maxTs, offsetIndex, timeIndex);
  }

  /** Opens this segment for appending at its end (the writer calls it for the active segment). */
  void openForAppend() throws IOException {
    if (channel == null) {
      channel = FileChannel.open(file, StandardOpenOption.WRITE);
      channel.position(size);
    }
  }

  Path offsetIndexFile() {
    return file.resolveSibling(name(baseOffset) + OFFSET_INDEX);
  }

  Path timeIndexFile() {
    return file.resolveSibling(name(baseOffset) + TIME_INDEX);
  }

  // ---- writer side -------------------------------------------------------------------------

  /** Bytes written or staged (the writer's view). */
  long size() {
    return size;
  }

  long nextOffset() {
    return nextOffset;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Adds one encoded batch after the last one; not yet written, durable or visible. */
  void stage(ByteBuffer header, ByteBuffer records, long batchBase, int count, long timestampMs) {
    long position = size;
    if (position > 0 && position - lastIndexedPosition >= OffsetIndex.INTERVAL_BYTES) {
      int rel = (int) (batchBase - baseOffset);
      offsetIndex.add(rel, (int) position);
      timeIndex.add(timestampMs, rel);
      lastIndexedPosition = position;
    }
    staged.add(header);
    staged.add(records.duplicate());
    size += header.remaining() + records.remaining();
    nextOffset = batchBase + count;
    stagedMaxTimestamp = timestampMs;
    if (firstTimestampMs < 0) {
      firstTimestampMs = timestampMs;
    }
  }

  /** Writes the staged batches to the file (one gathering write). */
  void writeStaged() throws IOException {
    if (staged.isEmpty()) {
      return;
    }
    ByteBuffer[] bufs = staged.toArray(ByteBuffer[]::new);
    long remaining = 0;
    for (ByteBuffer b : bufs) {
      remaining += b.remaining();
    }
    while (remaining > 0) {
      remaining -= channel.write(bufs);
    }
    staged.clear();
  }

  void fsync() throws IOException {
    channel.force(false);
  }

  /** Makes everything written so far visible to readers. */
  void publish() {
    committed = new Committed(size, nextOffset);
    maxTimestampMs = stagedMaxTimestamp;
  }

  /** Undoes everything not published (after a failed write or sync). */
  void rollbackToCommitted() throws IOException {
    staged.clear();
    Committed c = committed;
    long keep = c.size();
    channel.truncate(keep);
    channel.position(keep);
    size = keep;
    nextOffset = c.nextOffset();
    stagedMaxTimestamp = maxTimestampMs;
    if (keep == 0) {
      firstTimestampMs = -1;
    }
    offsetIndex.truncateTo(keep);
    timeIndex.truncateTo(nextOffset - baseOffset);
    lastIndexedPosition =
        offsetIndex.size() == 0 ? 0 : offsetIndex.position(offsetIndex.size() - 1);
  }

  /** Syncs, writes both index files and closes the write channel. */
  void seal() throws IOException {
    if (channel != null) {
      channel.force(false);
      channel.close();
      channel = null;
    }
    writeIndexes();
  }

  void writeIndexes() throws IOException {
    offsetIndex.write(offsetIndexFile());
    timeIndex.write(timeIndexFile());
  }

  void closeWriter() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  // ---- reader side -------------------------------------------------------------------------

  long committedSize() {
    return committed.size();
  }

  long committedNextOffset() {
    return committed.nextOffset();
  }

  /** The committed size and the offset it ends at, read together. */
  Committed committed() {
    return committed;
  }

  long firstTimestampMs() {
    return firstTimestampMs;
  }

  long maxTimestampMs() {
    return maxTimestampMs;
  }

  /** Opens a private read channel (readers never share one: an interrupt closes a channel). */
  FileChannel openReader() throws IOException {
    return FileChannel.open(file, StandardOpenOption.READ);
  }

  /**
   * Where to read {@code offset}: {@code {position, base}} of the batch that holds it, found
   * through the offset index and a walk over batch headers, or of a damaged header met on the way
   * (the reader goes around it). {@code base} is the base offset that batch must have by the
   * sequence from the index entry (a base offset field is outside the CRC, so the walk does not
   * trust it). Only committed batches are considered.
   */
  long[] positionOf(FileChannel ch, long offset) throws IOException {
    long limit = committed.size();
    long[] entry = offsetIndex.floorEntry(offset - baseOffset);
    long pos = entry[0];
    long expected = baseOffset + entry[1];
    ByteBuffer h = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
    while (pos < limit) {
      h.clear();
      readFully(ch, h, pos);
      h.flip();
      RecordBatch.HeaderRead r = RecordBatch.readHeader(h, limit - pos);
      if (!(r instanceof RecordBatch.Header header)) {
        return new long[] {pos, expected}; // a damaged header: the reader goes around it
      }
      long next = expected + header.recordCount();
      if (next > offset) {
        return new long[] {pos, expected};
      }
      pos += header.totalBytes();
      expected = next;
    }
    return new long[] {limit, expected};
  }

  static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
    long p = position;
    while (dst.hasRemaining()) {
      int n = ch.read(dst, p);
      if (n < 0) {
        throw new java.io.EOFException("end of file at byte " + p);
      }
      p += n;
    }
  }

  /** Deletes the three files of this segment. */
  void delete() throws IOException {
    closeWriter();
    Files.deleteIfExists(file);
    Files.deleteIfExists(offsetIndexFile());
    Files.deleteIfExists(timeIndexFile());
  }

  @Override
  public String toString() {
    return file.toString();
  }
}

package io.sluice.log;

import io.sluice.core.TransientException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one partition of an {@link EmbeddedEventLog} through its own file channels, in chunks of
 * {@value #CHUNK_BYTES} bytes, verifying each batch's CRC. Not thread-safe.
 *
 * <p>It keeps the byte position of its next batch, so sequential polls cost one positional read per
 * chunk and no index lookups. A segment removed by retention while being read stays readable
 * through the open channel (POSIX unlink semantics); one removed before the reader reached it is
 * skipped and counted.
 */
final class EmbeddedLogReader implements LogReader {

  static final int CHUNK_BYTES = 256 * 1024;

  private final PartitionLog partition;
  private long next;
  private long skipped;

  private LogSegment segment;
  private FileChannel channel;
  private long position = -1; // byte position of the batch holding `next`, -1 when unknown
  private ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES);

  EmbeddedLogReader(PartitionLog partition, long offset) {
    this.partition = partition;
    this.next = Math.max(offset, 0);
  }

  @Override
  public List<LogEntry> poll(int maxRecords, Duration maxWait) {
    if (maxRecords < 1) {
      throw new IllegalArgumentException("maxRecords must be positive, got " + maxRecords);
    }
    clampToStart();
    long end = partition.endOffset();
    if (next >= end) {
      partition.awaitBeyond(next, maxWait);
      clampToStart();
      end = partition.endOffset();
      if (next >= end) {
        return List.of();
      }
    }
    List<LogEntry> out = new ArrayList<>((int) Math.min(maxRecords, Math.min(end - next, 1024)));
    try {
      while (out.size() < maxRecords && next < end) {
        if (!positioned()) {
          continue;
        }
        LogSegment.Committed committed = segment.committed();
        long limit = committed.size();
        if (position >= limit) {
          LogSegment after = partition.segmentAfter(segment);
          if (after == null) {
            break;
          }
          switchTo(after, 0);
          continue;
        }
        readChunk(limit, committed.nextOffset(), end, maxRecords, out);
      }
    } catch (ClosedByInterruptException e) {
      closeChannel();
      Thread.currentThread().interrupt();
      throw new TransientException("reader interrupted", e);
    } catch (IOException e) {
      closeChannel();
      throw new TransientException(
          "reading log "
              + partition.logName
              + " partition "
              + partition.partition
              + " failed: "
              + e,
          e);
    }
    return out;
  }

  /** Makes sure {@link #segment}, {@link #channel} and {@link #position} point at {@code next}. */
  private boolean positioned() throws IOException {
    if (segment != null
        && position >= 0
        && next >= segment.baseOffset
        && (next < segment.committedNextOffset() || position >= segment.committedSize())) {
      return true;
    }
    LogSegment s = partition.segmentFor(next);
    try {
      if (s != segment) {
        switchTo(s, -1);
      }
      long[] at = s.positionOf(channel, next);
      position = at[0];
      expectedBase = at[1];
      return true;
    } catch (NoSuchFileException gone) {
      // removed by retention before we opened it
      closeChannel();
      segment = null;
      clampToStart();
      return false;
    }
  }

  private void switchTo(LogSegment s, long pos) throws IOException {
    closeChannel();
    segment = s;
    channel = s.openReader();
    position = pos;
    // from the start of a segment the first base is known; positioned inside it, it is not
    expectedBase = pos == 0 ? s.baseOffset : -1;
  }

  private void readChunk(long limit, long limitNext, long end, int maxRecords, List<LogEntry> out)
      throws IOException {
    buf.clear();
    buf.limit((int) Math.min(buf.capacity(), limit - position));
    LogSegment.readFully(channel, buf, position);
    buf.flip();
    while (buf.remaining() > 0 && out.size() < maxRecords && next < end) {
      long batchPos = position;
      if (buf.remaining() < RecordBatch.HEADER_BYTES
          && limit - batchPos >= RecordBatch.HEADER_BYTES) {
        return; // header split across chunks: read the next chunk from here
      }
      RecordBatch.HeaderRead r = RecordBatch.readHeader(buf, limit - batchPos);
      if (!(r instanceof RecordBatch.Header h)) {
        skipDamage(batchPos, limit, limitNext, ((RecordBatch.BadHeader) r).reason());
        return;
      }
      if (h.totalBytes() > buf.remaining()) {
        if (buf.position() == 0) {
          buf = ByteBuffer.allocate(Math.max(h.totalBytes(), CHUNK_BYTES));
        }
        return; // batch split across chunks (or bigger than the buffer): read again from here
      }
      String bad = RecordBatch.check(buf, h);
      if (bad != null) {
        skipDamage(batchPos, limit, limitNext, bad);
        return;
      }
      if (expectedBase >= 0 && h.baseOffset() != expectedBase) {
        // the base offset is outside the CRC: read in sequence, a batch starts where the one
        // before ended, so a base that says otherwise is damaged; the records are intact
        h =
            new RecordBatch.Header(
                expectedBase, h.crc(), h.magic(), h.timestampMs(), h.recordCount(), h.totalBytes());
      }
      if (h.nextOffset() <= next) {
        skipBatch(h);
        continue;
      }
      if (h.baseOffset() > next) {
        // offsets between here and this batch are in no batch we can read
        report(
            batchPos,
            h.baseOffset(),
            "no readable batch holds offsets " + next + ".." + (h.baseOffset() - 1));
        next = h.baseOffset();
      }
      long until = Math.min(end, next + (maxRecords - out.size()));
      int before = out.size();
      RecordBatch.decode(buf, h, partition.partition, next, until, out);
      if (out.size() > before) {
        next = out.get(out.size() - 1).offset() + 1;
      }
      if (next >= h.nextOffset()) {
        skipBatch(h);
      } else {
        return; // stopped inside this batch; `position` still points at it
      }
    }
  }

  /**
   * A damaged batch at {@code batchPos}: goes on with the next valid batch of the segment (or the
   * next segment), and reports the offsets in between to the log, which counts them and raises an
   * incident once per damage. Reads around damage rather than failing: what is damaged is gone
   * either way, and everything else stays readable.
   *
   * @param limit the segment's committed size when this chunk was read; {@code limitNext} the
   *     offset that size ends at (read together with it, so intact batches committed since are not
   *     taken for damage)
   */
  private void skipDamage(long batchPos, long limit, long limitNext, String reason)
      throws IOException {
    long[] found = SegmentScan.resync(channel, batchPos + 1, limit, segment.baseOffset);
    if (found == null) {
      report(batchPos, Math.max(limitNext, next), reason);
      next = Math.max(limitNext, next);
      position = limit;
      expectedBase = next;
      return;
    }
    if (found[1] > next) {
      report(batchPos, found[1], reason);
      next = found[1];
    }
    position = found[0];
    expectedBase = found[1];
  }

  /** Reports {@code [next, to)} as unreadable because of damage at {@code at}. */
  private void report(long at, long to, String reason) {
    CorruptRange range =
        new CorruptRange(
            partition.logName, partition.partition, segment.file.toString(), at, next, to, reason);
    skippedCorrupt.add(range);
    partition.corrupt(range);
  }

  /** Damaged ranges this reader skipped since the last call, oldest first. */
  @Override
  public java.util.List<CorruptRange> takeSkippedCorrupt() {
    java.util.List<CorruptRange> out = java.util.List.copyOf(skippedCorrupt);
    skippedCorrupt.clear();
    return out;
  }

  private final java.util.List<CorruptRange> skippedCorrupt = new java.util.ArrayList<>();

  private void skipBatch(RecordBatch.Header h) {
    buf.position(buf.position() + h.totalBytes());
    position += h.totalBytes();
    expectedBase = h.nextOffset();
  }

  /**
   * The base offset the next batch of this segment must have by the sequence of batches (known from
   * the segment's base or an index entry), or -1 when unknown.
   */
  private long expectedBase = -1;

  private void clampToStart() {
    long start = partition.startOffset();
    if (next < start) {
      skipped += start - next;
      next = start;
      position = -1;
    }
  }

  @Override
  public long position() {
    return next;
  }

  @Override
  public void seek(long offset) {
    next = Math.max(offset, 0);
    position = -1;
    clampToStart();
  }

  @Override
  public long skippedByRetention() {
    return skipped;
  }

  private void closeChannel() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing a read channel cannot lose data
      }
      channel = null;
    }
  }

  @Override
  public void close() {
    closeChannel();
    segment = null;
  }
}

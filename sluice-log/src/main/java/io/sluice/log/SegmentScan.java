package io.sluice.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a segment file batch by batch, checking every batch ({@link RecordBatch#check}) and that
 * offsets continue, and rebuilds both indexes on the way. Stops at the first bad batch and says
 * where and why; everything before that position is valid.
 */
final class SegmentScan {

  /**
   * @param validBytes bytes from the start of the file that hold valid batches
   * @param fileBytes the file's size when scanned
   * @param failure why the batch at {@code validBytes} is bad, or {@code null} when the file is
   *     clean
   */
  record Result(
      long validBytes,
      long fileBytes,
      long nextOffset,
      long firstTimestampMs,
      long maxTimestampMs,
      int batches,
      OffsetIndex offsetIndex,
      TimeIndex timeIndex,
      String failure) {}

  private static final int BUFFER_BYTES = 1 << 20;

  private SegmentScan() {}

  static Result scan(Path file, long baseOffset) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long fileBytes = ch.size();
      ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES);
      buf.limit(0);
      long bufStart = 0;
      long pos = 0;
      long expected = baseOffset;
      long firstTs = -1;
      long maxTs = -1;
      long lastIndexed = 0;
      int batches = 0;
      OffsetIndex oi = new OffsetIndex();
      TimeIndex ti = new TimeIndex();
      String failure = null;
      while (pos < fileBytes) {
        int rel = (int) (pos - bufStart);
        long remaining = fileBytes - pos;
        if (buf.limit() - rel < Math.min(RecordBatch.HEADER_BYTES, remaining)) {
          buf = refill(ch, buf, pos, BUFFER_BYTES, fileBytes);
          bufStart = pos;
          rel = 0;
        }
        buf.position(rel);
        RecordBatch.HeaderRead r = RecordBatch.readHeader(buf, remaining);
        if (!(r instanceof RecordBatch.Header h)) {
          failure = ((RecordBatch.BadHeader) r).reason();
          break;
        }
        if (rel + h.totalBytes() > buf.limit()) {
          buf = refill(ch, buf, pos, Math.max(BUFFER_BYTES, h.totalBytes()), fileBytes);
          bufStart = pos;
          buf.position(0);
        }
        String bad = RecordBatch.check(buf, h);
        if (bad != null) {
          failure = bad;
          break;
        }
        if (h.baseOffset() != expected) {
          failure =
              "batch base offset "
                  + h.baseOffset()
                  + " does not continue the previous batch (expected "
                  + expected
                  + ")";
          break;
        }
        if (pos > 0 && pos - lastIndexed >= OffsetIndex.INTERVAL_BYTES) {
          int relOffset = (int) (h.baseOffset() - baseOffset);
          oi.add(relOffset, (int) pos);
          ti.add(h.timestampMs(), relOffset);
          lastIndexed = pos;
        }
        if (firstTs < 0) {
          firstTs = h.timestampMs();
        }
        maxTs = Math.max(maxTs, h.timestampMs());
        expected = h.nextOffset();
        pos += h.totalBytes();
        batches++;
      }
      return new Result(pos, fileBytes, expected, firstTs, maxTs, batches, oi, ti, failure);
    }
  }

  /**
   * The first valid batch at or after byte {@code from} and before {@code limit} whose base offset
   * is at least {@code minOffset}: {@code {position, baseOffset}}, or null when there is none. Used
   * to find where readable data goes on after a damaged batch, whose length field may itself be
   * damaged: every byte position is tried, and a candidate must pass the header checks and the CRC.
   */
  static long[] resync(FileChannel ch, long from, long limit, long minOffset) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES);
    buf.limit(0);
    long bufStart = from;
    for (long pos = from; pos + RecordBatch.HEADER_BYTES <= limit; pos++) {
      int rel = (int) (pos - bufStart);
      if (buf.limit() - rel < RecordBatch.HEADER_BYTES) {
        buf = refill(ch, buf, pos, BUFFER_BYTES, limit);
        bufStart = pos;
        rel = 0;
      }
      buf.position(rel);
      if (!(RecordBatch.readHeader(buf, limit - pos) instanceof RecordBatch.Header h)
          || h.baseOffset() < minOffset) {
        continue;
      }
      if (rel + h.totalBytes() > buf.limit()) {
        buf = refill(ch, buf, pos, Math.max(BUFFER_BYTES, h.totalBytes()), limit);
        bufStart = pos;
        buf.position(0);
      }
      if (RecordBatch.check(buf, h) == null) {
        return new long[] {pos, h.baseOffset()};
      }
    }
    return null;
  }

  /**
   * Every damaged range of a segment, reading it whole (up to {@code limit} bytes) and going on
   * after each damage ({@link #resync}). {@code nextOffset} is where the segment's records end.
   */
  static java.util.List<CorruptRange> verify(
      String log, int partition, Path file, long baseOffset, long limit, long nextOffset)
      throws IOException {
    java.util.List<CorruptRange> out = new java.util.ArrayList<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long end = Math.min(limit, ch.size());
      ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES);
      buf.limit(0);
      long bufStart = 0;
      long pos = 0;
      long expected = baseOffset;
      while (pos < end) {
        int rel = (int) (pos - bufStart);
        long remaining = end - pos;
        if (buf.limit() - rel < Math.min(RecordBatch.HEADER_BYTES, remaining)) {
          buf = refill(ch, buf, pos, BUFFER_BYTES, end);
          bufStart = pos;
          rel = 0;
        }
        buf.position(rel);
        RecordBatch.HeaderRead r = RecordBatch.readHeader(buf, remaining);
        String bad;
        RecordBatch.Header h = null;
        if (r instanceof RecordBatch.Header header) {
          h = header;
          if (rel + h.totalBytes() > buf.limit()) {
            buf = refill(ch, buf, pos, Math.max(BUFFER_BYTES, h.totalBytes()), end);
            bufStart = pos;
            buf.position(0);
          }
          bad = RecordBatch.check(buf, h);
          if (bad == null && h.baseOffset() != expected) {
            bad = "batch base offset " + h.baseOffset() + " where " + expected + " was expected";
          }
        } else {
          bad = ((RecordBatch.BadHeader) r).reason();
        }
        if (bad == null) {
          expected = h.nextOffset();
          pos += h.totalBytes();
          continue;
        }
        long[] next = resync(ch, pos + 1, end, expected);
        long to = next == null ? Math.max(nextOffset, expected) : next[1];
        out.add(new CorruptRange(log, partition, file.toString(), pos, expected, to, bad));
        if (next == null) {
          break;
        }
        pos = next[0];
        expected = next[1];
        buf.limit(0);
        bufStart = pos;
      }
    }
    return out;
  }

  private static ByteBuffer refill(
      FileChannel ch, ByteBuffer buf, long pos, int capacity, long fileBytes) throws IOException {
    ByteBuffer b = buf.capacity() >= capacity ? buf : ByteBuffer.allocate(capacity);
    b.clear();
    b.limit((int) Math.min(b.capacity(), fileBytes - pos));
    LogSegment.readFully(ch, b, pos);
    b.flip();
    return b;
  }
}

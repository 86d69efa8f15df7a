package io.sluice.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Sparse map from offsets to byte positions in one segment: one entry about every {@value
 * #INTERVAL_BYTES} bytes of log, at the start of a batch.
 *
 * <p>File {@code <baseOffset>.idx}: entries of [relativeOffset:int][position:int], both strictly
 * increasing. Written whole when the segment is sealed or the log closes; the active segment's
 * index is rebuilt on recovery, so a stale or missing file is never trusted blindly.
 *
 * <p>One writer; readers on any thread see entries added before they looked (the array is published
 * before the size).
 */
final class OffsetIndex {

  static final int INTERVAL_BYTES = 4096;
  static final int ENTRY_BYTES = 8;

  private volatile long[] entries = new long[16];
  private volatile int size;

  void add(int relativeOffset, int position) {
    int n = size;
    long[] e = entries;
    if (n == e.length) {
      long[] bigger = new long[n * 2];
      System.arraycopy(e, 0, bigger, 0, n);
      entries = bigger;
      e = bigger;
    }
    e[n] = ((long) relativeOffset << 32) | (position & 0xffffffffL);
    size = n + 1;
  }

  int size() {
    return size;
  }

  /** Position of the last indexed batch starting at or before {@code relativeOffset}; 0 if none. */
  int floorPosition(long relativeOffset) {
    int n = size;
    long[] e = entries;
    int lo = 0;
    int hi = n - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if ((e[mid] >>> 32) <= relativeOffset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? 0 : (int) e[found];
  }

  /**
   * The last indexed batch starting at or before {@code relativeOffset}: {@code {position,
   * relativeOffset}}, or {@code {0, 0}} when there is none (the segment's first batch).
   */
  long[] floorEntry(long relativeOffset) {
    int n = size;
    long[] e = entries;
    int lo = 0;
    int hi = n - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if ((e[mid] >>> 32) <= relativeOffset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? new long[] {0, 0} : new long[] {(int) e[found], e[found] >>> 32};
  }

  /** Relative offset of entry {@code i}. */
  int relativeOffset(int i) {
    return (int) (entries[i] >>> 32);
  }

  int position(int i) {
    return (int) entries[i];
  }

  /** Drops entries at or beyond {@code position} (after a truncation). */
  void truncateTo(long position) {
    int n = size;
    while (n > 0 && position(n - 1) >= position) {
      n--;
    }
    size = n;
  }

  void write(Path file) throws IOException {
    int n = size;
    ByteBuffer b = ByteBuffer.allocate(n * ENTRY_BYTES);
    for (int i = 0; i < n; i++) {
      b.putInt(relativeOffset(i)).putInt(position(i));
    }
    b.flip();
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
  }

  /**
   * Loads an index file, or returns {@code null} when it is missing or inconsistent with a segment
   * of {@code segmentBytes} bytes holding {@code records} records.
   */
  static OffsetIndex read(Path file, long segmentBytes, long records) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    if (bytes.length % ENTRY_BYTES != 0) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    OffsetIndex idx = new OffsetIndex();
    long lastRel = -1;
    long lastPos = 0;
    while (b.hasRemaining()) {
      int rel = b.getInt();
      int pos = b.getInt();
      if (rel <= lastRel || rel >= records || pos <= lastPos || pos >= segmentBytes) {
        return null;
      }
      idx.add(rel, pos);
      lastRel = rel;
      lastPos = pos;
    }
    return idx;
  }
}

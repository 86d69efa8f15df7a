package io.sluice.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Sparse map from append time to offsets in one segment, with entries at the same batches as the
 * {@link OffsetIndex}.
 *
 * <p>File {@code <baseOffset>.tix}: entries of [timestampMs:long][relativeOffset:int]; timestamps
 * never decrease and relative offsets strictly increase. Same writing, rebuilding and thread-safety
 * rules as the offset index.
 */
final class TimeIndex {

  static final int ENTRY_BYTES = 12;

  private volatile long[] entries = new long[32];
  private volatile int size;

  void add(long timestampMs, int relativeOffset) {
    int n = size;
    long[] e = entries;
    if (2 * n + 1 >= e.length) {
      long[] bigger = new long[e.length * 2];
      System.arraycopy(e, 0, bigger, 0, 2 * n);
      entries = bigger;
      e = bigger;
    }
    e[2 * n] = timestampMs;
    e[2 * n + 1] = relativeOffset;
    size = n + 1;
  }

  int size() {
    return size;
  }

  /** Relative offset of the last entry whose time is before {@code timestampMs}; 0 if none. */
  int floorRelativeOffsetBefore(long timestampMs) {
    int n = size;
    long[] e = entries;
    int lo = 0;
    int hi = n - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (e[2 * mid] < timestampMs) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? 0 : (int) e[2 * found + 1];
  }

  /** Drops entries at or beyond {@code relativeOffset}. */
  void truncateTo(long relativeOffset) {
    int n = size;
    long[] e = entries;
    while (n > 0 && e[2 * (n - 1) + 1] >= relativeOffset) {
      n--;
    }
    size = n;
  }

  void write(Path file) throws IOException {
    int n = size;
    long[] e = entries;
    ByteBuffer b = ByteBuffer.allocate(n * ENTRY_BYTES);
    for (int i = 0; i < n; i++) {
      b.putLong(e[2 * i]).putInt((int) e[2 * i + 1]);
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

  /** Loads an index file, or {@code null} when missing or inconsistent. */
  static TimeIndex read(Path file, long records, long maxTimestampMs) throws IOException {
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
    TimeIndex idx = new TimeIndex();
    long lastTs = Long.MIN_VALUE;
    long lastRel = -1;
    while (b.hasRemaining()) {
      long ts = b.getLong();
      int rel = b.getInt();
      if (ts < lastTs || ts > maxTimestampMs || rel <= lastRel || rel >= records) {
        return null;
      }
      idx.add(ts, rel);
      lastTs = ts;
      lastRel = rel;
    }
    return idx;
  }
}

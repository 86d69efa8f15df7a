package io.sluice.log;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The on-disk record batch, version 1. All integers big-endian.
 *
 * <pre>
 * offset size field
 *  0     4    length       bytes after this field (26 + records)
 *  4     8    baseOffset   offset of the first record; not covered by the CRC so that offsets can
 *                          be assigned after encoding (checked by sequence instead)
 * 12     4    crc32c       CRC32C of bytes [16, 4 + length)
 * 16     1    magic        1
 * 17     1    attributes   0 (reserved: compression)
 * 18     8    timestamp    append time in epoch ms, shared by all records of the batch
 * 26     4    recordCount  at least 1
 * 30     ...  records      recordCount × [keyLength:int (-1 = no key)][key][valueLength:int][value]
 * </pre>
 *
 * <p>A batch is valid when its length fits the file, the CRC matches, the magic is 1, the records
 * exactly fill the body and its base offset continues the previous batch. Anything else is a torn
 * or damaged tail.
 */
final class RecordBatch {

  static final int LENGTH_FIELD = 4;
  static final int HEADER_BYTES = 30;
  static final int CRC_START = 16;
  static final byte MAGIC = 1;

  /** Largest batch accepted (length field value); bigger appends are refused. */
  static final int MAX_BATCH_BYTES = 16 * 1024 * 1024;

  private RecordBatch() {}

  /** Encodes the records' bodies (everything after the header). */
  static ByteBuffer encodeRecords(List<LogRecord> records) {
    int size = 0;
    for (LogRecord r : records) {
      size += r.encodedSize();
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    for (LogRecord r : records) {
      if (r.key() == null) {
        b.putInt(-1);
      } else {
        b.putInt(r.key().length).put(r.key());
      }
      b.putInt(r.value().length).put(r.value());
    }
    return b.flip();
  }

  /**
   * Writes a header for {@code records} (its position and limit untouched) into a new buffer,
   * computing the CRC over the header tail and the records.
   */
  static ByteBuffer header(long baseOffset, long timestampMs, int recordCount, ByteBuffer records) {
    ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
    h.putInt(HEADER_BYTES - LENGTH_FIELD + records.remaining());
    h.putLong(baseOffset);
    h.putInt(0);
    h.put(MAGIC);
    h.put((byte) 0);
    h.putLong(timestampMs);
    h.putInt(recordCount);
    CRC32C crc = new CRC32C();
    crc.update(h.array(), CRC_START, HEADER_BYTES - CRC_START);
    crc.update(records.duplicate());
    h.putInt(12, (int) crc.getValue());
    return h.flip();
  }

  /** What reading a batch header gives: the header, or why there is none. */
  sealed interface HeaderRead permits Header, BadHeader {}

  /** A batch header read back. {@code totalBytes} includes the length field. */
  record Header(
      long baseOffset, int crc, byte magic, long timestampMs, int recordCount, int totalBytes)
      implements HeaderRead {
    long nextOffset() {
      return baseOffset + recordCount;
    }
  }

  /** Bytes that are not a valid batch header, and why. */
  record BadHeader(String reason) implements HeaderRead {}

  /**
   * Reads the header at {@code buf}'s position, or explains why it is not a valid header ({@code
   * fileRemaining} bytes are left in the file from that position).
   */
  static HeaderRead readHeader(ByteBuffer buf, long fileRemaining) {
    if (fileRemaining < HEADER_BYTES) {
      return new BadHeader(
          "incomplete batch header: " + fileRemaining + " bytes left, a header is " + HEADER_BYTES);
    }
    int p = buf.position();
    int length = buf.getInt(p);
    if (length < HEADER_BYTES - LENGTH_FIELD || length > MAX_BATCH_BYTES) {
      return new BadHeader(
          "batch length "
              + length
              + " is outside "
              + (HEADER_BYTES - LENGTH_FIELD)
              + ".."
              + MAX_BATCH_BYTES);
    }
    if (LENGTH_FIELD + (long) length > fileRemaining) {
      return new BadHeader(
          "batch of "
              + (LENGTH_FIELD + length)
              + " bytes runs past the end of the file ("
              + fileRemaining
              + " bytes left)");
    }
    byte magic = buf.get(p + 16);
    if (magic != MAGIC) {
      return new BadHeader("unknown batch magic " + magic + " (expected " + MAGIC + ")");
    }
    int count = buf.getInt(p + 26);
    if (count < 1) {
      return new BadHeader("batch record count " + count + " is not positive");
    }
    return new Header(
        buf.getLong(p + 4),
        buf.getInt(p + 12),
        magic,
        buf.getLong(p + 18),
        count,
        LENGTH_FIELD + length);
  }

  /**
   * Checks a whole batch at {@code buf}'s position ({@code h.totalBytes()} bytes available): the
   * CRC and that the records exactly fill the body. Returns {@code null} when valid, else why not.
   */
  static String check(ByteBuffer buf, Header h) {
    int p = buf.position();
    CRC32C crc = new CRC32C();
    crc.update(buf.slice(p + CRC_START, h.totalBytes() - CRC_START));
    if ((int) crc.getValue() != h.crc()) {
      return String.format(
          "CRC32C mismatch: stored %08x, computed %08x", h.crc(), (int) crc.getValue());
    }
    int q = p + HEADER_BYTES;
    int end = p + h.totalBytes();
    for (int i = 0; i < h.recordCount(); i++) {
      if (q + 4 > end) {
        return "record " + i + " of " + h.recordCount() + " runs past the batch end";
      }
      int kl = buf.getInt(q);
      q += 4;
      if (kl < -1 || (kl > 0 && q + (long) kl > end)) {
        return "record " + i + " has a bad key length " + kl;
      }
      q += Math.max(kl, 0);
      if (q + 4 > end) {
        return "record " + i + " of " + h.recordCount() + " runs past the batch end";
      }
      int vl = buf.getInt(q);
      q += 4;
      if (vl < 0 || q + (long) vl > end) {
        return "record " + i + " has a bad value length " + vl;
      }
      q += vl;
    }
    if (q != end) {
      return (end - q) + " bytes after the last record of the batch";
    }
    return null;
  }

  /** Decodes the records of a checked batch with offsets in [from, until) into {@code out}. */
  static void decode(
      ByteBuffer buf, Header h, int partition, long from, long until, List<LogEntry> out) {
    int q = buf.position() + HEADER_BYTES;
    long offset = h.baseOffset();
    for (int i = 0; i < h.recordCount(); i++, offset++) {
      int kl = buf.getInt(q);
      q += 4;
      byte[] key = null;
      if (kl >= 0) {
        key = new byte[kl];
        buf.get(q, key);
        q += kl;
      }
      int vl = buf.getInt(q);
      q += 4;
      if (offset >= from && offset < until) {
        byte[] value = new byte[vl];
        buf.get(q, value);
        out.add(new LogEntry(partition, offset, h.timestampMs(), key, value));
      }
      q += vl;
    }
  }

  static List<LogEntry> decodeAll(ByteBuffer buf, Header h, int partition) {
    List<LogEntry> out = new ArrayList<>(h.recordCount());
    decode(buf, h, partition, Long.MIN_VALUE, Long.MAX_VALUE, out);
    return out;
  }
}

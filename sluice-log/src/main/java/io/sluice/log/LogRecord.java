package io.sluice.log;

/**
 * One record to append.
 *
 * @param partition the partition to append to, or {@code null} to choose by key hash (murmur2, as
 *     Kafka's default partitioner) or round-robin when there is no key
 * @param key the record key, or {@code null}
 * @param value the record bytes (the stored event); never {@code null}
 */
public record LogRecord(Integer partition, byte[] key, byte[] value) {

  public LogRecord {
    if (value == null) {
      throw new IllegalArgumentException("value must not be null");
    }
  }

  public static LogRecord of(byte[] value) {
    return new LogRecord(null, null, value);
  }

  public static LogRecord keyed(byte[] key, byte[] value) {
    return new LogRecord(null, key, value);
  }

  /** Bytes this record takes inside a batch. */
  int encodedSize() {
    return 8 + (key == null ? 0 : key.length) + value.length;
  }
}

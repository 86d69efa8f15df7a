package io.sluice.log;

/**
 * Chooses a partition for a keyed record the way Kafka's default partitioner does (murmur2 of the
 * key bytes, made positive, modulo the partition count), so a key lands on the same partition
 * number in the embedded log and in a Kafka topic.
 */
final class Partitioner {

  private Partitioner() {}

  static int partitionFor(byte[] key, int partitions) {
    return (murmur2(key) & 0x7fffffff) % partitions;
  }

  /** MurmurHash2, 32-bit, seed 0x9747b28c, as Kafka uses it. */
  static int murmur2(byte[] data) {
    int length = data.length;
    final int m = 0x5bd1e995;
    final int r = 24;
    int h = 0x9747b28c ^ length;
    int length4 = length / 4;
    for (int i = 0; i < length4; i++) {
      int i4 = i * 4;
      int k =
          (data[i4] & 0xff)
              + ((data[i4 + 1] & 0xff) << 8)
              + ((data[i4 + 2] & 0xff) << 16)
              + ((data[i4 + 3] & 0xff) << 24);
      k *= m;
      k ^= k >>> r;
      k *= m;
      h *= m;
      h ^= k;
    }
    int tail = length & ~3;
    int left = length % 4;
    if (left == 3) {
      h ^= (data[tail + 2] & 0xff) << 16;
    }
    if (left >= 2) {
      h ^= (data[tail + 1] & 0xff) << 8;
    }
    if (left >= 1) {
      h ^= data[tail] & 0xff;
      h *= m;
    }
    h ^= h >>> 13;
    h *= m;
    h ^= h >>> 15;
    return h;
  }
}

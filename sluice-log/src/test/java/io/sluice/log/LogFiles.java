package io.sluice.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** File helpers for log tests: crash images, damage, reading everything back. */
final class LogFiles {

  private LogFiles() {}

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /**
   * Copies a directory tree while the log that owns it is running: what the copy holds is what a
   * crash at this moment would leave on disk (the kernel already has every written byte).
   */
  static void crashImage(Path from, Path to) {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Path> segments(Path partitionDir) throws IOException {
    try (Stream<Path> s = Files.list(partitionDir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
    }
  }

  static void flipByte(Path file, long position) throws IOException {
    try (var ch =
        java.nio.channels.FileChannel.open(
            file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      var b = java.nio.ByteBuffer.allocate(1);
      ch.read(b, position);
      b.flip();
      byte v = b.get();
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) (v ^ 0x5a)}), position);
    }
  }

  static void truncate(Path file, long size) throws IOException {
    try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(size);
    }
  }

  static void appendBytes(Path file, byte[] extra) throws IOException {
    Files.write(file, extra, StandardOpenOption.APPEND);
  }

  /** Byte positions at which each batch of a segment starts, from a clean scan. */
  static List<Long> batchPositions(Path segment) throws IOException {
    List<Long> out = new ArrayList<>();
    byte[] all = Files.readAllBytes(segment);
    var buf = java.nio.ByteBuffer.wrap(all);
    long pos = 0;
    while (pos < all.length) {
      out.add(pos);
      pos += 4 + buf.getInt((int) pos);
    }
    return out;
  }

  static List<LogEntry> readAll(EventLog log, String name, int partition) {
    List<LogEntry> out = new ArrayList<>();
    try (LogReader r = log.reader(name, partition, 0)) {
      while (true) {
        List<LogEntry> b = r.poll(1000, Duration.ZERO);
        if (b.isEmpty()) {
          return out;
        }
        out.addAll(b);
      }
    }
  }
}

package io.sluice.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A small text file of keys and values that is either wholly there or not at all: cursors and
 * recovery points.
 *
 * <pre>
 * sluice-checkpoint 1 &lt;kind&gt;
 * &lt;key&gt; &lt;value&gt;
 * …
 * crc32c &lt;8 hex digits: CRC32C of every byte above this line&gt;
 * </pre>
 *
 * <p>Keys have no spaces; values run to the end of the line. Written to {@code <name>.tmp},
 * fsynced, renamed over the old file, then the directory is fsynced, so a crash leaves either the
 * old or the new content. {@link #read} returns {@code null} for a missing file and throws {@link
 * io.sluice.core.CorruptDataException} for a damaged one.
 */
final class CheckpointFile {

  static final String MAGIC = "sluice-checkpoint 1 ";

  private CheckpointFile() {}

  /** The previous content of {@code file}, kept by {@link #writeKeepingPrevious}. */
  static Path previous(Path file) {
    return file.resolveSibling(file.getFileName() + ".prev");
  }

  /**
   * As {@link #write}, keeping the content it replaces as {@link #previous}: a reader that finds
   * the file damaged can fall back to the commit before it. The old file is renamed aside and the
   * new one renamed in (one directory fsync for both); a crash in between leaves no file and the
   * previous one, which is the same fallback.
   */
  static void writeKeepingPrevious(Path file, String kind, Map<String, String> entries)
      throws IOException {
    Path tmp = writeTemp(file, encode(kind, entries));
    if (Files.exists(file)) {
      Files.move(
          file,
          previous(file),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDirectory(file.toAbsolutePath().getParent());
  }

  static void write(Path file, String kind, Map<String, String> entries) throws IOException {
    writeAtomically(file, encode(kind, entries));
  }

  private static ByteBuffer encode(String kind, Map<String, String> entries) {
    StringBuilder b = new StringBuilder(MAGIC).append(kind).append('\n');
    for (Map.Entry<String, String> e : entries.entrySet()) {
      if (e.getKey().isEmpty() || e.getKey().indexOf(' ') >= 0 || e.getKey().indexOf('\n') >= 0) {
        throw new IllegalArgumentException(
            "checkpoint key must be non-empty without spaces: " + e.getKey());
      }
      if (e.getValue().indexOf('\n') >= 0) {
        throw new IllegalArgumentException("checkpoint value must be one line: " + e.getValue());
      }
      b.append(e.getKey()).append(' ').append(e.getValue()).append('\n');
    }
    byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
    CRC32C crc = new CRC32C();
    crc.update(body);
    byte[] tail =
        String.format("crc32c %08x%n", (int) crc.getValue()).getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(body.length + tail.length).put(body).put(tail).flip();
  }

  /** Writes {@code content} to {@code <file>.tmp} and fsyncs it; returns the temp file. */
  private static Path writeTemp(Path file, ByteBuffer content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      while (content.hasRemaining()) {
        ch.write(content);
      }
      ch.force(true);
    }
    return tmp;
  }

  /** temp → fsync → rename → fsync directory. */
  static void writeAtomically(Path file, ByteBuffer content) throws IOException {
    Path tmp = writeTemp(file, content);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
    fsyncDirectory(file.toAbsolutePath().getParent());
  }

  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some file systems refuse to open or sync directories; the rename is then as durable as
      // the platform allows.
      if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win")) {
        throw e;
      }
    }
  }

  /** The entries, or {@code null} when the file does not exist. */
  static Map<String, String> read(Path file, String kind) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    int crcLine = text.lastIndexOf("crc32c ");
    if (!text.startsWith(MAGIC + kind + "\n") || crcLine < 0 || !text.endsWith("\n")) {
      throw new io.sluice.core.CorruptDataException(
          file.toString(),
          0,
          "not a '" + kind + "' checkpoint (bad header or missing crc32c line)");
    }
    CRC32C crc = new CRC32C();
    byte[] body = text.substring(0, crcLine).getBytes(StandardCharsets.UTF_8);
    crc.update(body);
    String stored = text.substring(crcLine + 7).trim();
    String computed = String.format("%08x", (int) crc.getValue());
    if (!stored.equals(computed)) {
      throw new io.sluice.core.CorruptDataException(
          file.toString(),
          body.length,
          "checkpoint CRC32C mismatch: stored " + stored + ", computed " + computed);
    }
    Map<String, String> out = new LinkedHashMap<>();
    String[] lines = text.substring(0, crcLine).split("\n");
    for (int i = 1; i < lines.length; i++) {
      int sp = lines[i].indexOf(' ');
      if (sp <= 0) {
        throw new io.sluice.core.CorruptDataException(
            file.toString(), 0, "line " + (i + 1) + " has no value");
      }
      out.put(lines[i].substring(0, sp), lines[i].substring(sp + 1));
    }
    return out;
  }
}

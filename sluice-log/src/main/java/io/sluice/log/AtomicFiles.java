package io.sluice.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Writes a small file so that a crash leaves the old content or the new, never a mix: temp file,
 * fsync, rename over the old one, fsync the directory. For state files such as the rule catalog;
 * its fsync helpers serve every module that renames files into place.
 */
public final class AtomicFiles {

  private AtomicFiles() {}

  public static void write(Path file, byte[] content) throws IOException {
    CheckpointFile.writeAtomically(file, ByteBuffer.wrap(content));
  }

  /** Makes a file's content durable. */
  public static void fsyncFile(Path file) throws IOException {
    try (java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** Makes a directory's entries (a rename, a new file) durable. */
  public static void fsyncDirectory(Path dir) throws IOException {
    CheckpointFile.fsyncDirectory(dir);
  }
}

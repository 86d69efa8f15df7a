package io.sluice.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Writes a small file so that a crash leaves the old content or the new, never a mix: temp file,
 * fsync, rename over the old one, fsync the directory. For state files such as the rule catalog.
 */
public final class AtomicFiles {

  private AtomicFiles() {}

  public static void write(Path file, byte[] content) throws IOException {
    CheckpointFile.writeAtomically(file, ByteBuffer.wrap(content));
  }
}

package io.sluice.functions.process;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Finds interpreters on Sluice's {@code PATH}. Python is asked for its real executable once per
 * process ({@code sys.executable}), so a shim (pyenv's, a venv's wrapper) is not run on every cold
 * start.
 *
 * <p>Thread-safe.
 */
final class Interpreters {

  private static final ConcurrentHashMap<Path, Path> PYTHONS = new ConcurrentHashMap<>();

  private Interpreters() {}

  /** The first executable {@code name} on {@code PATH}, or {@code null}. */
  static Path onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** {@link #onPath}, or an IOException saying it is not there. */
  static Path require(String name) throws IOException {
    Path p = onPath(name);
    if (p == null) {
      throw new IOException(name + " is not on PATH");
    }
    return p;
  }

  /** The real executable behind {@code python3} on {@code PATH}. */
  static Path python() throws IOException {
    Path shim = require("python3");
    Path known = PYTHONS.get(shim);
    if (known != null) {
      return known;
    }
    Process p =
        new ProcessBuilder(shim.toString(), "-c", "import sys; sys.stdout.write(sys.executable)")
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String out;
    try {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(shim + " does not run: " + out);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking " + shim + " for its executable", e);
    }
    Path real = out.isEmpty() ? shim : Path.of(out);
    PYTHONS.put(shim, real);
    return real;
  }
}

package io.sluice.lake;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps DuckDB's native library from piling up in the temporary directory. The JDBC driver copies
 * its bundled library (about 70 MB) to {@code java.io.tmpdir/libduckdb_java<random>.so} at every
 * start and deletes it only on a normal exit, so every kill -9 left one behind (17 crashes, 1.2
 * GB). Once the library is loaded its file is no longer needed: a loaded library stays mapped after
 * its file is unlinked. So this process removes its own copy right after loading it, and copies
 * left by processes that died (older than a minute, so never one another process is still loading).
 *
 * <p>Linux: the process's own copy is found in {@code /proc/self/maps}. Elsewhere only the driver's
 * delete-on-exit applies.
 */
final class NativeLibraryFiles {

  private static final Logger LOG = LoggerFactory.getLogger(NativeLibraryFiles.class);
  private static final AtomicBoolean DONE = new AtomicBoolean();
  private static final String PREFIX = "libduckdb_java";

  /** A copy this old can no longer be in the middle of being loaded. */
  static final Duration STALE = Duration.ofMinutes(1);

  private NativeLibraryFiles() {}

  /**
   * Once per process, after DuckDB's library is loaded. Never fails: it only tidies up. {@code
   * clock} is compared with the files' modification times.
   */
  static void removeExtracted(java.time.Clock clock) {
    if (!DONE.compareAndSet(false, true)) {
      return;
    }
    Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
    try {
      Path maps = Path.of("/proc/self/maps");
      if (Files.isReadable(maps)) {
        try (Stream<String> lines = Files.lines(maps)) {
          lines
              .map(l -> l.indexOf('/') >= 0 ? l.substring(l.indexOf('/')) : "")
              .filter(f -> f.startsWith(tmp.toString()) && isCopy(Path.of(f)))
              .distinct()
              .forEach(f -> delete(Path.of(f), "this process's copy, loaded"));
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("could not read /proc/self/maps: {}", e.toString());
    }
    Instant before = clock.instant().minus(STALE);
    try (Stream<Path> s = Files.list(tmp)) {
      for (Path p : s.filter(NativeLibraryFiles::isCopy).toList()) {
        FileTime t = Files.getLastModifiedTime(p);
        if (t.toInstant().isBefore(before)) {
          delete(p, "left by a process that ended without cleaning up");
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("could not list {}: {}", tmp, e.toString());
    }
  }

  private static boolean isCopy(Path p) {
    String f = p.getFileName().toString();
    return f.startsWith(PREFIX) && f.endsWith(".so");
  }

  private static void delete(Path p, String why) {
    try {
      long size = Files.size(p);
      if (Files.deleteIfExists(p)) {
        LOG.debug("removed DuckDB's library copy {} ({} bytes): {}", p, size, why);
      }
    } catch (IOException e) {
      LOG.debug("could not remove {}: {}", p, e.toString());
    }
  }
}

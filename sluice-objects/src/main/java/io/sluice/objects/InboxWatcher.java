package io.sluice.objects;

import io.sluice.engine.Health;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a directory and uploads what lands there: a file whose size and modification time did not
 * change over one interval is complete; it is stored as {@code prefix + its path in the directory}
 * (emitting {@code Object Created} like any upload) and then deleted. A file that cannot be stored
 * (a name that is not a valid key, over the size limit), or that cannot be read in {@link
 * #MAX_READ_ATTEMPTS} passes, is moved to {@code .failed/} beside a {@code .error.txt} saying why.
 * Names starting with a dot are skipped (editors and copying tools write there first). A crash
 * between storing and deleting uploads the file again: the same key, the same content, which
 * validation recognises as a duplicate.
 *
 * <p>The watcher never stops on an error: a scan or an upload that fails is reported to {@link
 * Health} as {@code inbox <dir>} (logged once, counted, shown by {@code /health/ready}) and tried
 * again on the next pass, with passes spaced out (doubling up to {@link #MAX_BACKOFF}) while it
 * keeps failing; the first pass that works clears it.
 */
public final class InboxWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(InboxWatcher.class);

  private final Path dir;
  private final String bucket;
  private final String prefix;
  private final Duration interval;
  private final ObjectStore store;
  private final Health health;
  private final String component;
  private final Map<Path, String> lastSeen = new HashMap<>();
  private final Map<Path, Integer> unreadable = new HashMap<>();

  /** Passes a file that cannot be read is tried in before it is set aside in {@code .failed/}. */
  static final int MAX_READ_ATTEMPTS = 5;

  /** Reading the inbox file failed (not storing it). */
  static final class UnreadableFile extends IOException {
    private static final long serialVersionUID = 1L;

    UnreadableFile(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  private final Thread thread;
  private volatile boolean stopped;

  /** Passes while failing are spaced out up to this. */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /**
   * @param health where failures are reported while they last
   */
  public InboxWatcher(
      Path dir, String bucket, String prefix, Duration interval, ObjectStore store, Health health)
      throws IOException {
    this.dir = dir.toAbsolutePath().normalize();
    this.bucket = bucket;
    this.prefix = prefix;
    this.interval = interval;
    this.store = store;
    this.health = health;
    this.component = "inbox " + this.dir;
    Files.createDirectories(this.dir);
    this.thread = Thread.ofPlatform().daemon().name("sluice-inbox").start(this::run);
  }

  private void run() {
    long pause = interval.toMillis();
    while (!stopped) {
      String failure;
      try {
        failure = scan();
      } catch (IOException | RuntimeException e) {
        failure = "scan failed: " + e;
      }
      if (failure == null) {
        health.ok(component);
        pause = interval.toMillis();
      } else if (!stopped) {
        health.failed(component, failure);
        // never below the interval: two passes one interval apart are what says a file is complete
        long cap = Math.max(MAX_BACKOFF.toMillis(), interval.toMillis());
        pause = Math.min(Math.max(pause * 2, interval.toMillis()), cap);
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * One pass: uploads the files that were already there, unchanged, on the previous pass. Returns
   * why a file could not be uploaded (it stays for the next pass; the others go on), or null.
   */
  String scan() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files =
          s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
              .filter(p -> !hidden(dir.relativize(p)))
              .sorted()
              .toList();
    }
    Map<Path, String> now = new HashMap<>();
    String failure = null;
    for (Path f : files) {
      String stamp;
      try {
        stamp = Files.size(f) + "/" + Files.getLastModifiedTime(f).toMillis();
      } catch (IOException gone) {
        continue;
      }
      now.put(f, stamp);
      if (stamp.equals(lastSeen.get(f))) {
        try {
          upload(f);
          unreadable.remove(f);
        } catch (UnreadableFile e) {
          // the file itself: tried again, and after MAX_READ_ATTEMPTS passes set aside with why,
          // so one file cannot keep the inbox failing
          int attempts = unreadable.merge(f, 1, Integer::sum);
          if (attempts >= MAX_READ_ATTEMPTS) {
            unreadable.remove(f);
            setAside(f, "could not be read in " + attempts + " passes: " + e.getCause());
            now.remove(f);
          } else {
            failure = dir.relativize(f) + " not uploaded: cannot read it: " + e.getCause();
          }
          continue;
        } catch (IOException | RuntimeException e) {
          // storing failed: the file stays until the store takes it, however long that is
          failure = dir.relativize(f) + " not uploaded: " + e;
          continue; // one bad file must not hold back the others
        }
        now.remove(f);
      }
    }
    lastSeen.clear();
    lastSeen.putAll(now);
    return failure;
  }

  private static boolean hidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private void upload(Path f) throws IOException {
    String key = prefix + dir.relativize(f).toString().replace(java.io.File.separatorChar, '/');
    try {
      ObjectStore.ObjectInfo info;
      try (InputStream in = readable(f)) {
        info = store.put(bucket, key, in, "Inbox"); // stores Object Created too
      }
      Files.delete(f);
      LOG.info("inbox: {} → {}/{} ({} bytes)", dir.relativize(f), bucket, key, info.size());
    } catch (io.sluice.core.InvalidInputException e) {
      setAside(f, e.getMessage());
    }
  }

  /** The file's bytes; a failure to open or read it is an {@link UnreadableFile}. */
  private static InputStream readable(Path f) throws UnreadableFile {
    InputStream raw;
    try {
      raw = Files.newInputStream(f, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new UnreadableFile(e);
    }
    return new java.io.FilterInputStream(raw) {
      @Override
      public int read() throws IOException {
        try {
          return super.read();
        } catch (IOException e) {
          throw new UnreadableFile(e);
        }
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          return super.read(b, off, len);
        } catch (IOException e) {
          throw new UnreadableFile(e);
        }
      }
    };
  }

  /** Moves {@code f} to {@code .failed/} beside a {@code .error.txt} saying {@code why}. */
  private void setAside(Path f, String why) throws IOException {
    Path failed = dir.resolve(".failed");
    Files.createDirectories(failed);
    Path target = failed.resolve(f.getFileName());
    Files.move(f, target, StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(
        failed.resolve(f.getFileName() + ".error.txt"), why + "\n", StandardCharsets.UTF_8);
    LOG.warn("inbox: {} not uploaded: {}; moved to {}", f, why, target);
  }

  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

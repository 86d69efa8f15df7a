package io.sluice.engine.targets.file;

import io.sluice.core.targets.DeliveryException;
import io.sluice.core.targets.Outbound;
import io.sluice.core.targets.Sender;
import io.sluice.core.transform.TransformOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Appends one line per delivery to NDJSON files {@code
 * <dir>/<rule>.<target>.<yyyyMMdd-HHmmss>-<n>.ndjson}, rolled by size and age. A delivery counts
 * once its line is written and fsynced. Text output (a template that is not JSON) is written as a
 * JSON string so every line stays JSON.
 *
 * <p>Thread-safe (one writer at a time).
 */
final class FileSender implements Sender {

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final FileTarget target;
  private final String prefix;
  private final Clock clock;
  private FileChannel current;
  private long currentBytes;
  private long openedMs;
  private int seq;

  FileSender(FileTarget target, String rule, String id, Clock clock) {
    this.target = target;
    this.prefix = rule + "." + id + ".";
    this.clock = clock;
  }

  @Override
  public synchronized void send(List<Outbound> items) throws DeliveryException {
    try {
      if (current == null
          || currentBytes >= target.rollBytes()
          || clock.millis() - openedMs >= target.rollInterval().toMillis()) {
        roll();
      }
      StringBuilder lines = new StringBuilder();
      for (Outbound o : items) {
        String line =
            o.body() instanceof TransformOutput.Text t
                ? io.sluice.core.Json.MAPPER.getNodeFactory().textNode(t.text()).toString()
                : new String(o.body().bytes(), StandardCharsets.UTF_8);
        lines.append(line).append('\n');
      }
      ByteBuffer b = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        currentBytes += current.write(b);
      }
      current.force(false);
    } catch (IOException e) {
      closeQuietly();
      throw new DeliveryException(
          true, "writing to " + target.dir() + " failed: " + e.getMessage(), null, e);
    }
  }

  private void roll() throws IOException {
    closeQuietly();
    Files.createDirectories(target.dir());
    Path file;
    do {
      file =
          target.dir().resolve(prefix + STAMP.format(clock.instant()) + "-" + (seq++) + ".ndjson");
    } while (Files.exists(file));
    current = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    currentBytes = 0;
    openedMs = clock.millis();
  }

  private void closeQuietly() {
    if (current != null) {
      try {
        current.close();
      } catch (IOException ignored) {
        // the data was fsynced; closing cannot lose it
      }
      current = null;
    }
  }

  @Override
  public synchronized void close() {
    closeQuietly();
  }
}

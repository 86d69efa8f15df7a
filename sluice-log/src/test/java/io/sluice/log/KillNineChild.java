package io.sluice.log;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * The process {@link KillNineIT} kills: appends forever from several threads and prints one line
 * {@code ACK <id> <partition> <offset>} per acknowledged record. Each value carries its id, filler
 * and a CRC of both, so the parent can tell an intact record from a damaged one.
 */
public final class KillNineChild {

  static final String LOG = "kill";

  private KillNineChild() {}

  static byte[] value(String id, int fillerBytes) {
    String body = id + "|" + "f".repeat(fillerBytes);
    CRC32C crc = new CRC32C();
    crc.update(body.getBytes(StandardCharsets.UTF_8));
    return (body + "|" + Long.toHexString(crc.getValue())).getBytes(StandardCharsets.UTF_8);
  }

  /** The id of an intact value, or {@code null} when the value is damaged. */
  static String idOfIntact(byte[] value) {
    String s = new String(value, StandardCharsets.UTF_8);
    int last = s.lastIndexOf('|');
    if (last < 0) {
      return null;
    }
    CRC32C crc = new CRC32C();
    crc.update(s.substring(0, last).getBytes(StandardCharsets.UTF_8));
    if (!Long.toHexString(crc.getValue()).equals(s.substring(last + 1))) {
      return null;
    }
    return s.substring(0, s.indexOf('|'));
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String cycle = args[1];
    int threads = Integer.parseInt(args[2]);
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    EmbeddedEventLog log = EmbeddedEventLog.open(dir, Clock.systemUTC());
    log.create(LOG, LogSpec.defaults(3).withSegmentBytes(32 * 1024));
    out.println("READY");
    out.flush();
    AtomicLong seq = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w =
          new Thread(
              () -> {
                while (true) {
                  int n = 1 + (int) (seq.get() % 4);
                  List<LogRecord> batch = new ArrayList<>(n);
                  List<String> ids = new ArrayList<>(n);
                  for (int i = 0; i < n; i++) {
                    String id = cycle + "-" + seq.incrementAndGet();
                    ids.add(id);
                    batch.add(LogRecord.of(value(id, 50 + (int) (seq.get() % 700))));
                  }
                  List<AppendResult> results = log.append(LOG, batch).join();
                  StringBuilder lines = new StringBuilder();
                  for (int i = 0; i < n; i++) {
                    AppendResult r = results.get(i);
                    if (r.isOk()) {
                      lines
                          .append("ACK ")
                          .append(ids.get(i))
                          .append(' ')
                          .append(r.partition())
                          .append(' ')
                          .append(r.offset())
                          .append('\n');
                    }
                  }
                  synchronized (out) {
                    out.print(lines);
                    out.flush();
                  }
                }
              });
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      w.join();
    }
  }
}

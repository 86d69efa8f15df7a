package io.sluice.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random moments, many times: a child JVM appends from several threads and reports every
 * acknowledgement; the parent kills it with SIGKILL, sometimes leaves a torn batch at the end of a
 * segment (what a power loss during a write leaves), reopens the log and checks that every
 * acknowledged record is there, intact, at its acknowledged position, and that every torn tail was
 * cut and reported.
 */
class KillNineIT {

  private static final int CYCLES = 20;

  @TempDir Path dir;

  record Ack(int partition, long offset) {}

  @Test
  void everyAcknowledgedRecordSurvivesSigkillAndTornTailsAreTruncatedAndReported()
      throws Exception {
    Random random = new Random(20261124L);
    Map<String, Ack> acked = new HashMap<>();
    int tornInjected = 0;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      Map<String, Ack> cycleAcks = runAndKill(cycle, 200 + random.nextInt(3000), random);
      acked.putAll(cycleAcks);

      Path torn = null;
      long tornBytes = 0;
      if (cycle % 2 == 1) {
        // a power loss in the middle of a write: part of a batch at the end of a segment
        torn =
            lastSegment(
                dir.resolve(KillNineChild.LOG).resolve(Integer.toString(random.nextInt(3))));
        byte[] partial = tornBatch(random);
        LogFiles.appendBytes(torn, partial);
        tornBytes = partial.length;
        tornInjected++;
      }

      try (EmbeddedEventLog log = EmbeddedEventLog.open(dir, Clock.systemUTC())) {
        RecoveryReport report = log.recoveryReport();
        if (torn != null) {
          Path t = torn;
          long expected = tornBytes;
          assertThat(report.truncations())
              .as("cycle %d: the injected torn tail of %s is reported", cycle, torn)
              .anySatisfy(
                  tr -> {
                    assertThat(tr.file()).isEqualTo(t.toString());
                    assertThat(tr.bytesRemoved()).isEqualTo(expected);
                  });
        }
        assertThat(report.quarantined()).isEmpty();
        Map<String, Ack> stored = new HashMap<>();
        for (int p = 0; p < 3; p++) {
          long expectedOffset = log.info(KillNineChild.LOG).partitions().get(p).startOffset();
          for (LogEntry e : LogFiles.readAll(log, KillNineChild.LOG, p)) {
            assertThat(e.offset()).isEqualTo(expectedOffset++);
            String id = KillNineChild.idOfIntact(e.value());
            assertThat(id).as("record at %d/%d is intact", p, e.offset()).isNotNull();
            stored.put(id, new Ack(p, e.offset()));
          }
        }
        for (Map.Entry<String, Ack> a : acked.entrySet()) {
          assertThat(stored.get(a.getKey()))
              .as("acknowledged record %s at %s", a.getKey(), a.getValue())
              .isEqualTo(a.getValue());
        }
      }
    }
    assertThat(acked.size()).isGreaterThan(CYCLES * 200);
    assertThat(tornInjected).isEqualTo(CYCLES / 2);
  }

  private Map<String, Ack> runAndKill(int cycle, int killAfterAcks, Random random)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "-Xmx256m",
                KillNineChild.class.getName(),
                dir.toString(),
                "c" + cycle,
                Integer.toString(1 + random.nextInt(12)))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    Map<String, Ack> acks = new ConcurrentHashMap<>();
    AtomicLong count = new AtomicLong();
    CountDownLatch enough = new CountDownLatch(1);
    Thread readerThread =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  if (line.startsWith("ACK ")) {
                    String[] f = line.split(" ");
                    if (f.length == 4) {
                      acks.put(f[1], new Ack(Integer.parseInt(f[2]), Long.parseLong(f[3])));
                      if (count.incrementAndGet() >= killAfterAcks) {
                        enough.countDown();
                      }
                    }
                  }
                }
              } catch (IOException e) {
                // the process died: that is the point
              }
            });
    readerThread.start();
    boolean reached = enough.await(60, TimeUnit.SECONDS);
    p.destroyForcibly(); // SIGKILL on Unix
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    readerThread.join(10_000);
    assertThat(reached).as("cycle %d reached %d acks", cycle, killAfterAcks).isTrue();
    return new HashMap<>(acks);
  }

  private static Path lastSegment(Path partitionDir) throws IOException {
    List<Path> segs = new ArrayList<>(LogFiles.segments(partitionDir));
    return segs.get(segs.size() - 1);
  }

  /** The first bytes of a valid-looking batch, cut short. */
  private static byte[] tornBatch(Random random) {
    byte[] value = KillNineChild.value("torn", 200);
    var records = RecordBatch.encodeRecords(List.of(LogRecord.of(value)));
    var header = RecordBatch.header(1L << 40, System.currentTimeMillis(), 1, records);
    byte[] whole = new byte[header.remaining() + records.remaining()];
    header.get(whole, 0, header.remaining());
    records.get(whole, RecordBatch.HEADER_BYTES, records.remaining());
    int cut = 1 + random.nextInt(whole.length - 1);
    byte[] partial = new byte[cut];
    System.arraycopy(whole, 0, partial, 0, cut);
    return partial;
  }

  @Test
  void childValuesAreSelfChecking() {
    byte[] v = KillNineChild.value("c1-7", 10);
    assertThat(KillNineChild.idOfIntact(v)).isEqualTo("c1-7");
    v[3] ^= 1;
    assertThat(KillNineChild.idOfIntact(v)).isNull();
    assertThat(Files.exists(dir)).isTrue();
  }
}

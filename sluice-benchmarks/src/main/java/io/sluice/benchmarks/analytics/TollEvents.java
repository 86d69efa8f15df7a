package io.sluice.benchmarks.analytics;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Properties;

/**
 * The toll workload: a seeded generator of {@code VehiclePassed} events as NDJSON, one EventBridge
 * envelope a line (the form Sluice stores on a bus), and the reference table {@code stations.csv}
 * ({@code station,expected_per_minute,name}, with a header line).
 *
 * <p>One line looks like this (no spaces, no trailing newline inside the object):
 *
 * <pre>
 * {"version":"0","id":"3f2a…","detail-type":"VehiclePassed","source":"tolls",
 *  "account":"000000000000","time":"2026-11-02T08:00:00.000Z","region":"local","resources":[],
 *  "detail":{"station":"S00042","passedAt":"2026-11-02T07:59:58.123Z","amount":3.5,"plate":"AB123"}}
 * </pre>
 *
 * <ul>
 *   <li>Event {@code i} reaches the bus at {@code time = start + floor(i * 60000 / perMinute)} ms:
 *       {@code time} never goes back. {@code detail.passedAt}, the event time the query windows on,
 *       is {@code time} minus a jitter of 0 to {@code jitterMs} ms (3 s by default), so the stream
 *       is out of order by at most that much: fewer than the query's 10 s watermark delay, so no
 *       event is late and every one of them counts.
 *   <li>Stations {@code S00000}..: a tenth are large (weight 10), three tenths medium (3), the rest
 *       small (1); a station's {@code expected_per_minute} is its share of the steady traffic. In
 *       every minute (of {@code time}) 20 stations chosen by the seed are hot: 2 % of all events go
 *       to them on top, which pushes most hot small and medium stations over {@code 1.5 × expected}
 *       and so gives the alert query something to find.
 *   <li>Amounts are 1.75, 3.5, 5.25 or 9.75 (binary fractions), so sums of them are exact in a
 *       {@code double} and two engines can be compared for equality.
 *   <li>Everything comes from a counter-based generator (SplitMix64 of seed and index): the same
 *       spec gives the same bytes on every machine.
 * </ul>
 *
 * <p>The generator also counts every (window, station) group itself while it writes, so {@link
 * Expected} holds the exact answer of both query variants (row count, vehicles, revenue and an
 * order-independent {@link TollChecksum}), kept in {@code toll.properties} beside the data.
 *
 * <p>Standalone: {@code ./sluice-benchmarks/run.sh analytics.TollEvents --events 10000000 --dir
 * /tmp/toll}.
 */
public final class TollEvents {

  /** Where event time starts: a whole minute, fixed so the data never depends on the clock. */
  public static final long DEFAULT_START_MILLIS =
      Instant.parse("2026-11-02T08:00:00Z").toEpochMilli();

  public static final String EVENTS_FILE = "events.ndjson";
  public static final String STATIONS_FILE = "stations.csv";
  public static final String MANIFEST_FILE = "toll.properties";

  static final int HOT_PER_MINUTE = 20;

  /** Out of 65,536: the share of events that go to the minute's hot stations (2 %). */
  static final int HOT_SHARE = 1311;

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private static final long HOT_SALT = 0x5DEECE66DL;
  private static final long CLASS_SALT = 0x2545F4914F6CDD1DL;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private TollEvents() {}

  /** What to generate. */
  public record Spec(long events, int stations, long seed, int perMinute, int jitterMs) {

    public Spec {
      if (events < 1 || stations < 1 || stations > 100_000 || perMinute < 1 || jitterMs < 0) {
        throw new IllegalArgumentException("bad toll spec " + this);
      }
    }

    public static Spec of(long events, int stations, long seed) {
      return new Spec(events, stations, seed, 150_000, 3_000);
    }

    void store(Properties p) {
      p.setProperty("spec.events", Long.toString(events));
      p.setProperty("spec.stations", Integer.toString(stations));
      p.setProperty("spec.seed", Long.toString(seed));
      p.setProperty("spec.perMinute", Integer.toString(perMinute));
      p.setProperty("spec.jitterMs", Integer.toString(jitterMs));
      p.setProperty("spec.start", Long.toString(DEFAULT_START_MILLIS));
      p.setProperty("spec.format", "2");
    }

    boolean matches(Properties p) {
      Properties mine = new Properties();
      store(mine);
      for (String k : mine.stringPropertyNames()) {
        if (!mine.getProperty(k).equals(p.getProperty(k))) {
          return false;
        }
      }
      return true;
    }
  }

  /** The exact answer of one query variant over the generated events. */
  public record Answer(long rows, long vehicles, double revenue, long checksum) {

    void store(Properties p, String prefix) {
      p.setProperty(prefix + ".rows", Long.toString(rows));
      p.setProperty(prefix + ".vehicles", Long.toString(vehicles));
      p.setProperty(prefix + ".revenue", Double.toString(revenue));
      p.setProperty(prefix + ".checksum", Long.toString(checksum));
    }

    static Answer load(Properties p, String prefix) {
      return new Answer(
          Long.parseLong(p.getProperty(prefix + ".rows")),
          Long.parseLong(p.getProperty(prefix + ".vehicles")),
          Double.parseDouble(p.getProperty(prefix + ".revenue")),
          Long.parseLong(p.getProperty(prefix + ".checksum")));
    }
  }

  /** The exact answers: {@code all} for the query without the filter, {@code alerts} with it. */
  public record Expected(Answer all, Answer alerts, long windows) {

    public Answer of(TollQuery.Variant v) {
      return v == TollQuery.Variant.ALL ? all : alerts;
    }
  }

  /** Generated data on disk. */
  public record Data(Path dir, Path events, Path stations, Spec spec, Expected expected) {}

  /** The data in {@code dir} for {@code spec}: generated unless a matching manifest is there. */
  public static Data ensure(Path dir, Spec spec, boolean regenerate) throws IOException {
    Files.createDirectories(dir);
    Path manifest = dir.resolve(MANIFEST_FILE);
    Path events = dir.resolve(EVENTS_FILE);
    Path stations = dir.resolve(STATIONS_FILE);
    if (!regenerate && Files.exists(manifest) && Files.exists(events) && Files.exists(stations)) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(manifest)) {
        p.load(r);
      }
      if (spec.matches(p)) {
        return new Data(dir, events, stations, spec, load(p));
      }
    }
    Files.deleteIfExists(manifest);
    Expected expected = generate(spec, events, stations);
    Properties p = new Properties();
    spec.store(p);
    expected.all().store(p, "all");
    expected.alerts().store(p, "alerts");
    p.setProperty("windows", Long.toString(expected.windows()));
    Path tmp = dir.resolve(MANIFEST_FILE + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp)) {
      p.store(w, "toll workload: spec and the exact answers (TollEvents)");
    }
    Files.move(tmp, manifest, StandardCopyOption.REPLACE_EXISTING);
    return new Data(dir, events, stations, spec, expected);
  }

  private static Expected load(Properties p) {
    return new Expected(
        Answer.load(p, "all"), Answer.load(p, "alerts"), Long.parseLong(p.getProperty("windows")));
  }

  /** Writes both files (each through a temporary name) and returns the exact answers. */
  public static Expected generate(Spec spec, Path eventsFile, Path stationsFile)
      throws IOException {
    int n = spec.stations();
    int[] weight = new int[n];
    int totalWeight = 0;
    for (int s = 0; s < n; s++) {
      int cls = (int) Long.remainderUnsigned(mix64(spec.seed() ^ CLASS_SALT ^ (s * GOLDEN)), 10);
      weight[s] = cls == 0 ? 10 : cls <= 3 ? 3 : 1;
      totalWeight += weight[s];
    }
    int[] slots = new int[totalWeight];
    for (int s = 0, k = 0; s < n; s++) {
      for (int w = 0; w < weight[s]; w++) {
        slots[k++] = s;
      }
    }
    int[] expectedPerMinute = new int[n];
    double steady = spec.perMinute() * (1.0 - HOT_SHARE / 65536.0);
    for (int s = 0; s < n; s++) {
      expectedPerMinute[s] = (int) Math.round(steady * weight[s] / totalWeight);
    }
    writeStations(stationsFile, expectedPerMinute);

    long start = DEFAULT_START_MILLIS;
    long lastTime = start + (spec.events() - 1) * 60_000L / spec.perMinute();
    // window 0 starts a minute before `start`: jitter can carry the first events back into it
    long origin = start - 60_000L;
    int windows = (int) ((lastTime - origin) / 60_000L) + 1;
    int[] counts = new int[windows * n];
    long[] quarters = new long[windows * n]; // revenue in units of 0.25

    Path tmp = eventsFile.resolveSibling(eventsFile.getFileName() + ".tmp");
    LineWriter writer = new LineWriter(tmp);
    try (writer) {
      int[] hot = new int[HOT_PER_MINUTE];
      long hotMinute = Long.MIN_VALUE;
      int jitterRange = spec.jitterMs() + 1;
      long seedMix = mix64(spec.seed());
      for (long i = 0; i < spec.events(); i++) {
        long time = start + i * 60_000L / spec.perMinute();
        long r1 = mix64(seedMix + (2 * i + 1) * GOLDEN);
        long r2 = mix64(seedMix + (2 * i + 2) * GOLDEN);
        long minute = (time - start) / 60_000L;
        if (minute != hotMinute) {
          hotMinute = minute;
          for (int j = 0; j < HOT_PER_MINUTE; j++) {
            hot[j] =
                (int)
                    Long.remainderUnsigned(
                        mix64(spec.seed() ^ HOT_SALT ^ ((minute * 64 + j) * GOLDEN)), n);
          }
        }
        int station =
            (r1 & 0xFFFF) < HOT_SHARE
                ? hot[(int) ((r1 >>> 16) & 0xFF) % HOT_PER_MINUTE]
                : slots[(int) Long.remainderUnsigned(r2, totalWeight)];
        int cls = (int) ((r1 >>> 24) & 0xFF);
        int amountQuarters = cls < 179 ? 14 : cls < 205 ? 7 : cls < 236 ? 21 : 39;
        long passedAt = time - Long.remainderUnsigned(r1 >>> 32, jitterRange);
        int w = (int) ((Math.floorDiv(passedAt, 60_000L) * 60_000L - origin) / 60_000L);
        counts[w * n + station]++;
        quarters[w * n + station] += amountQuarters;
        writer.event(r1, r2, time, passedAt, station, amountQuarters);
      }
    }
    Files.move(tmp, eventsFile, StandardCopyOption.REPLACE_EXISTING);

    TollChecksum all = new TollChecksum();
    TollChecksum alerts = new TollChecksum();
    for (int w = 0; w < windows; w++) {
      long windowStart = origin + w * 60_000L;
      for (int s = 0; s < n; s++) {
        int c = counts[w * n + s];
        if (c == 0) {
          continue;
        }
        String name = stationId(s);
        double revenue = quarters[w * n + s] / 4.0;
        all.add(windowStart, name, c, revenue);
        if (2L * c > 3L * expectedPerMinute[s]) { // vehicles > 1.5 * expected, exactly
          alerts.add(windowStart, name, c, revenue);
        }
      }
    }
    return new Expected(all.answer(), alerts.answer(), windows);
  }

  private static void writeStations(Path file, int[] expectedPerMinute) throws IOException {
    StringBuilder sb = new StringBuilder("station,expected_per_minute,name\n");
    for (int s = 0; s < expectedPerMinute.length; s++) {
      sb.append(stationId(s))
          .append(',')
          .append(expectedPerMinute[s])
          .append(",Plaza ")
          .append(s)
          .append('\n');
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, sb, StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
  }

  /** {@code S00042} for station 42. */
  public static String stationId(int s) {
    String digits = Integer.toString(s);
    return "S" + "0".repeat(Math.max(0, 5 - digits.length())) + digits;
  }

  /** SplitMix64's finalizer: a bijection of 64-bit values that mixes every bit into every bit. */
  public static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Formats lines straight into a large byte buffer and writes it through a file channel. */
  private static final class LineWriter implements AutoCloseable {
    private static final byte[] P1 = ascii("{\"version\":\"0\",\"id\":\"");
    private static final byte[] P2 =
        ascii(
            "\",\"detail-type\":\"VehiclePassed\",\"source\":\"tolls\",\"account\":\"000000000000\","
                + "\"time\":\"");
    private static final byte[] P3 =
        ascii("\",\"region\":\"local\",\"resources\":[],\"detail\":{\"station\":\"S");
    private static final byte[] P4 = ascii("\",\"passedAt\":\"");
    private static final byte[] P5 = ascii("\",\"amount\":");
    private static final byte[] P6 = ascii(",\"plate\":\"");
    private static final byte[] P7 = ascii("\"}}\n");

    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(8 << 20);
    private final byte[] line = new byte[512];
    private int pos;
    private long day = Long.MIN_VALUE;
    private byte[] dayPrefix; // "2026-11-02T"

    LineWriter(Path file) throws IOException {
      ch =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING);
    }

    void event(long r1, long r2, long time, long passedAt, int station, int amountQuarters)
        throws IOException {
      pos = 0;
      put(P1);
      uuid(r1, r2);
      put(P2);
      timestamp(time);
      put(P3);
      digits(station, 5);
      put(P4);
      timestamp(passedAt);
      put(P5);
      amount(amountQuarters);
      put(P6);
      long p = mix64(r2 ^ r1);
      line[pos++] = (byte) ('A' + Long.remainderUnsigned(p, 26));
      line[pos++] = (byte) ('A' + Long.remainderUnsigned(p >>> 8, 26));
      digits((int) Long.remainderUnsigned(p >>> 16, 1000), 3);
      put(P7);
      if (buf.remaining() < pos) {
        drain();
      }
      buf.put(line, 0, pos);
    }

    private void put(byte[] b) {
      System.arraycopy(b, 0, line, pos, b.length);
      pos += b.length;
    }

    /** 8-4-4-4-12 hex digits of (r1, r2), with the version nibble of a random UUID. */
    private void uuid(long r1, long r2) {
      long hi = (r1 & ~0xF000L) | 0x4000L;
      long lo = (r2 & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
      hex(hi >>> 32, 8);
      line[pos++] = '-';
      hex(hi >>> 16, 4);
      line[pos++] = '-';
      hex(hi, 4);
      line[pos++] = '-';
      hex(lo >>> 48, 4);
      line[pos++] = '-';
      hex(lo, 12);
    }

    private void hex(long v, int n) {
      for (int i = n - 1; i >= 0; i--) {
        line[pos + i] = HEX[(int) (v & 0xF)];
        v >>>= 4;
      }
      pos += n;
    }

    private void digits(int v, int n) {
      for (int i = n - 1; i >= 0; i--) {
        line[pos + i] = (byte) ('0' + v % 10);
        v /= 10;
      }
      pos += n;
    }

    /** RFC 3339 in UTC with milliseconds: {@code 2026-11-02T08:00:00.123Z}. */
    private void timestamp(long millis) {
      long d = Math.floorDiv(millis, 86_400_000L);
      if (d != day) {
        day = d;
        dayPrefix = ascii(LocalDate.ofEpochDay(d) + "T");
      }
      put(dayPrefix);
      int ms = (int) Math.floorMod(millis, 86_400_000L);
      digits(ms / 3_600_000, 2);
      line[pos++] = ':';
      digits(ms / 60_000 % 60, 2);
      line[pos++] = ':';
      digits(ms / 1000 % 60, 2);
      line[pos++] = '.';
      digits(ms % 1000, 3);
      line[pos++] = 'Z';
    }

    private void amount(int quarters) {
      // 7 -> 1.75, 14 -> 3.5, 21 -> 5.25, 39 -> 9.75
      int whole = quarters / 4;
      int frac = quarters % 4;
      digits(whole, whole >= 10 ? 2 : 1);
      line[pos++] = '.';
      switch (frac) {
        case 0 -> line[pos++] = '0';
        case 1 -> {
          line[pos++] = '2';
          line[pos++] = '5';
        }
        case 2 -> line[pos++] = '5';
        default -> {
          line[pos++] = '7';
          line[pos++] = '5';
        }
      }
    }

    private void drain() throws IOException {
      buf.flip();
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      buf.clear();
    }

    @Override
    public void close() throws IOException {
      try {
        drain();
      } finally {
        ch.close();
      }
    }

    private static byte[] ascii(String s) {
      return s.getBytes(StandardCharsets.US_ASCII);
    }
  }

  /** Generates the data: {@code --events N --stations N --seed N --dir DIR [--per-minute N]}. */
  public static void main(String[] args) throws IOException {
    Map<String, String> a = io.sluice.benchmarks.Args.parse(args);
    Spec spec = spec(a);
    Path dir = Path.of(a.getOrDefault("dir", "/tmp/toll"));
    long t0 = System.nanoTime();
    Data d = ensure(dir, spec, a.containsKey("regenerate"));
    System.out.printf(
        "%s: %,d events (%,d bytes), %,d stations, %d windows, in %.1f s%n  all: %s%n  alerts:"
            + " %s%n",
        d.events(),
        spec.events(),
        Files.size(d.events()),
        spec.stations(),
        d.expected().windows(),
        (System.nanoTime() - t0) / 1e9,
        d.expected().all(),
        d.expected().alerts());
  }

  static Spec spec(Map<String, String> a) {
    return new Spec(
        Long.parseLong(a.getOrDefault("events", "10000000")),
        Integer.parseInt(a.getOrDefault("stations", "10000")),
        Long.parseLong(a.getOrDefault("seed", "1")),
        Integer.parseInt(a.getOrDefault("per-minute", "150000")),
        Integer.parseInt(a.getOrDefault("jitter-ms", "3000")));
  }
}

package io.sluice.benchmarks.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.log.EmbeddedEventLog;
import io.sluice.log.EventLog;
import io.sluice.log.LogRecord;
import io.sluice.log.LogSpec;
import io.sluice.objects.ObjectEvents;
import io.sluice.objects.ObjectStore;
import io.sluice.server.Node;
import io.sluice.server.SluiceKinds;
import java.io.BufferedReader;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sluice's side of the toll benchmark: the events (NDJSON, EventBridge envelopes) are appended to a
 * one-partition bus first ("already on the bus"), the stations CSV is stored as an object, then a
 * node starts with the toll analysis (tumbling 1m, count and sum per station, joined with the
 * reference) and the clock runs until it has read every event and emitted every closed window.
 * events/s is over that wall time; per core is over the process's CPU time in it.
 */
public final class SluiceToll {

  /** What one run measured. */
  public record Result(
      long events,
      double seconds,
      double cpuSeconds,
      long resultRows,
      long vehicles,
      double emitP99Ms,
      double emitMaxMs,
      long heapUsedAfterMb) {
    public double eventsPerSecond() {
      return events / seconds;
    }

    public double eventsPerCpuSecond() {
      return events / cpuSeconds;
    }
  }

  static final String YAML =
      """
      buses: [{name: tolls}, {name: results}]
      lake: {threads: 1}
      analyses:
        - name: toll
          bus: tolls
          pattern: {source: [tolls], detail-type: [VehiclePassed]}
          eventTime: detail.passedAt
          window: {tumbling: 1m}
          watermark: {maxOutOfOrder: 10s}
          reference: {stations: {object: tolls/ref/stations.csv}}
          key: [station]
          fields: {station: VARCHAR, amount: DOUBLE, passedAt: VARCHAR, plate: VARCHAR}
          sql: |
            SELECT e.detail.station AS station, count(*) AS vehicles, sum(e.detail.amount) AS revenue,
                   any_value(r.expected_per_minute) AS expected
            FROM events e JOIN stations r ON r.station = e.detail.station
            GROUP BY ALL
            %s
          emit: {bus: results}
          limits: {stateBytes: 64GB}
      """;

  private SluiceToll() {}

  /**
   * @param having e.g. {@code HAVING count(*) > 1.5 * any_value(r.expected_per_minute)}, or empty
   */
  public static Result run(Path events, Path stations, Path work, String having) throws Exception {
    return run(events, stations, work, having, row -> {});
  }

  /** The usage of the last {@link #run}'s measured stretch. */
  static volatile ProcessMeter.Usage lastUsage;

  /**
   * One run; {@code rows} gets each result row's detail. After the events, one event an hour later
   * (outside the measured time; a station no reference row has) moves the watermark past every
   * window, as the end of a bounded input does for Flink.
   */
  public static Result run(
      Path events,
      Path stations,
      Path work,
      String having,
      java.util.function.Consumer<JsonNode> rows)
      throws Exception {
    Path data = work.resolve("sluice-data");
    if (Files.exists(data)) {
      try (var s = Files.walk(data)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Clock clock = Clock.systemUTC();
    long n = 0;
    try (EventLog log = EmbeddedEventLog.open(data.resolve("log"), clock)) {
      log.create("tolls", LogSpec.defaults(1));
      try (BufferedReader r = Files.newBufferedReader(events, StandardCharsets.UTF_8)) {
        List<LogRecord> batch = new ArrayList<>(1000);
        String line;
        while ((line = r.readLine()) != null) {
          if (line.isBlank()) {
            continue;
          }
          batch.add(new LogRecord(0, null, line.getBytes(StandardCharsets.UTF_8)));
          if (batch.size() == 1000) {
            log.append("tolls", batch).join();
            n += batch.size();
            batch = new ArrayList<>(1000);
          }
        }
        if (!batch.isEmpty()) {
          log.append("tolls", batch).join();
          n += batch.size();
        }
        long lastTime = 0;
        try (BufferedReader r2 = Files.newBufferedReader(events, StandardCharsets.UTF_8)) {
          String l;
          String tail = null;
          while ((l = r2.readLine()) != null) {
            if (!l.isBlank()) {
              tail = l;
            }
          }
          JsonNode t = io.sluice.core.Json.MAPPER.readTree(tail);
          lastTime =
              java.time.Instant.parse(t.path("detail").path("passedAt").asText()).toEpochMilli();
        }
        String end =
            "{\"version\":\"0\",\"id\":\"end\",\"detail-type\":\"VehiclePassed\",\"source\":\"tolls\","
                + "\"account\":\"0\",\"time\":\""
                + java.time.Instant.ofEpochMilli(lastTime + 3_600_000)
                + "\",\"region\":\"local\",\"resources\":[],\"detail\":{\"station\":\"END\","
                + "\"passedAt\":\""
                + java.time.Instant.ofEpochMilli(lastTime + 3_600_000)
                + "\",\"amount\":0,\"plate\":\"-\"}}";
        log.append("tolls", List.of(new LogRecord(0, null, end.getBytes(StandardCharsets.UTF_8))))
            .join();
      }
    }
    ObjectStore store =
        new ObjectStore(data.resolve("objects"), 1L << 30, ObjectEvents.NONE, clock);
    try (InputStream in = Files.newInputStream(stations)) {
      store.put("tolls", "ref/stations.csv", in, "benchmark");
    }
    SluiceConfig c =
        ConfigLoader.parse(YAML.formatted(having), "toll.yaml", work, SluiceKinds.forReading());
    c = c.withDataDir(data);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    ProcessMeter meter = ProcessMeter.start();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    long last;
    try (Node node = Node.start(c, clock, EmbeddedEventLog.Options.DEFAULTS, meters)) {
      // done when every event is read and the watermark stands still past the last full window
      long stable = 0;
      String before = null;
      while (true) {
        JsonNode s = node.analyses().show("toll").orElseThrow();
        if (!s.path("error").isNull()) {
          throw new IllegalStateException("the analysis failed: " + s.path("error").asText());
        }
        String now = s.path("eventsIn").asLong() + "/" + s.path("results").asLong();
        if (s.path("lag").asLong() == 0
            && s.path("eventsIn").asLong() == n + 1
            && now.equals(before)) {
          if (++stable >= 3) {
            break;
          }
        } else {
          stable = 0;
        }
        before = now;
        Thread.sleep(100);
      }
      last = System.nanoTime();
      long cpu1 = os.getProcessCpuTime();
      lastUsage = meter.stop();
      // the wait above adds up to 300 ms of polling at the end: taken off the wall time
      double seconds = Math.max(0.001, (last - t0) / 1e9 - 0.3);
      long resultRows = 0;
      long vehicles = 0;
      var buses = node.engine().buses();
      var info = buses.info("results");
      try (var reader = buses.log().reader("results", 0, 0)) {
        while (true) {
          var batch = reader.poll(1000, java.time.Duration.ZERO);
          if (batch.isEmpty()) {
            break;
          }
          for (var e : batch) {
            JsonNode d = io.sluice.core.Json.MAPPER.readTree(e.value()).path("detail");
            rows.accept(d);
            resultRows++;
            vehicles += d.path("vehicles").asLong();
          }
        }
      }
      Timer t = meters.find("sluice.analysis.emit.latency").timer();
      double p99 = 0;
      if (t != null) {
        for (var v : t.takeSnapshot().percentileValues()) {
          if (v.percentile() == 0.99) {
            p99 = v.value(TimeUnit.MILLISECONDS);
          }
        }
      }
      double max = t == null ? 0 : t.max(TimeUnit.MILLISECONDS);
      Runtime rt = Runtime.getRuntime();
      long heap = (rt.totalMemory() - rt.freeMemory()) >> 20;
      if (info.records() < 0) {
        throw new IllegalStateException();
      }
      return new Result(n, seconds, (cpu1 - cpu0) / 1e9, resultRows, vehicles, p99, max, heap);
    }
  }

  /** {@code SluiceToll EVENTS.ndjson STATIONS.csv WORKDIR}: one run, printed. */
  public static void main(String[] args) throws Exception {
    Result r =
        run(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), args.length > 3 ? args[3] : "");
    System.out.printf(
        "sluice: %d events in %.2f s = %.0f events/s, %.0f events per CPU-second; %d result rows,"
            + " %d vehicles; emit p99 %.1f ms, max %.1f ms; heap after %d MB%n",
        r.events(),
        r.seconds(),
        r.eventsPerSecond(),
        r.eventsPerCpuSecond(),
        r.resultRows(),
        r.vehicles(),
        r.emitP99Ms(),
        r.emitMaxMs(),
        r.heapUsedAfterMb());
  }
}

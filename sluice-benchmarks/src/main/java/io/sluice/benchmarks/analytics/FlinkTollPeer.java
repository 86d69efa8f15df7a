package io.sluice.benchmarks.analytics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

/**
 * The peer of the toll benchmark: Apache Flink SQL (from Flink's Maven jars) running {@link
 * TollQuery} over the same NDJSON file, in a local mini-cluster inside this JVM.
 *
 * <ul>
 *   <li>Source: the filesystem connector with the {@code json} format over {@code events.ndjson}:
 *       the envelope as columns, {@code detail} as a {@code ROW}, {@code detail.passedAt} parsed as
 *       {@code TIMESTAMP_LTZ(3)} (ISO-8601) and made the event-time attribute {@code ts} with
 *       {@code WATERMARK FOR ts AS ts - INTERVAL '10' SECOND}. Only the columns the query uses are
 *       decoded (projection push-down), but every line is still scanned.
 *   <li>Reference table: the filesystem connector with the {@code csv} format over a copy of {@code
 *       stations.csv} without its header line (Flink's CSV format has no option to skip one),
 *       declared a <em>versioned table</em>: {@code PRIMARY KEY (station) NOT ENFORCED} and a
 *       constant event time {@code valid_from = epoch 0} with a watermark on it.
 *   <li>Join: an <em>event-time temporal join</em> ({@code FOR SYSTEM_TIME AS OF w.window_time}) of
 *       each window's groups with that table. Flink SQL has three joins that could enrich a stream
 *       with a bounded reference table, and this is the one that fits: a lookup join needs a
 *       connector that can be looked up (JDBC, HBase, ...), not a file; a regular join keeps both
 *       inputs in state forever (every window's groups, growing with the run, so memory would not
 *       be flat). The temporal join keeps only the 10,000 stations and the groups of windows its
 *       watermark has not passed yet, and emits each group as soon as the window closes (the
 *       groups' {@code window_time} is the window end minus 1 ms, and the stations' watermark is at
 *       the end of time once the file has been read).
 *   <li>Sink: every result row goes to a {@link TollChecksum} in this JVM (a Sink V2 writer that
 *       only counts and hashes), so the answer can be compared with {@link TollEvents.Expected} and
 *       with Sluice.
 *   <li>Settings: streaming mode (the file is bounded, so when it ends the sources send the final
 *       watermark and every window closes); {@code parallelism} as asked; object reuse on; session
 *       time zone UTC; no checkpoints; otherwise Flink's defaults (heap state backend, 200 ms
 *       watermark interval, window aggregation with its own local buffer).
 * </ul>
 *
 * <p>The mini-cluster is started once (one task manager, as many slots as the largest parallelism)
 * and kept for every run, so a run measures one job: from its submission to its end, with the query
 * already planned and compiled into a job graph.
 */
public final class FlinkTollPeer implements TollRunner, AutoCloseable {

  private final int parallelism;
  private final MiniCluster cluster;
  private final boolean ownsCluster;
  private final Map<String, String> settings;

  private FlinkTollPeer(
      int parallelism, MiniCluster cluster, boolean ownsCluster, Map<String, String> settings) {
    this.parallelism = parallelism;
    this.cluster = cluster;
    this.ownsCluster = ownsCluster;
    this.settings = Map.copyOf(settings);
  }

  /** Starts a mini-cluster with {@code slots} slots and a runner of the given parallelism on it. */
  public static FlinkTollPeer start(int parallelism, int slots) throws Exception {
    if (parallelism > slots) {
      throw new IllegalArgumentException("parallelism " + parallelism + " > slots " + slots);
    }
    Configuration conf = new Configuration();
    conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
    conf.set(RestOptions.BIND_PORT, "0");
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
    cluster.start();
    return new FlinkTollPeer(parallelism, cluster, true, Map.of());
  }

  /** Another runner, of another parallelism, on the same mini-cluster (which this one owns). */
  public FlinkTollPeer withParallelism(int p) {
    return new FlinkTollPeer(p, cluster, false, settings);
  }

  /**
   * This runner with Flink options of its own on top of the defaults (pipeline and table options
   * such as {@code table.optimizer.agg-phase-strategy=ONE_PHASE}), to try Flink's tunings.
   */
  public FlinkTollPeer withSettings(Map<String, String> more) {
    Map<String, String> all = new java.util.TreeMap<>(settings);
    all.putAll(more);
    return new FlinkTollPeer(parallelism, cluster, ownsCluster, all);
  }

  @Override
  public String name() {
    return "flink p=" + parallelism + (settings.isEmpty() ? "" : " tuned");
  }

  @Override
  public TollResult run(TollEvents.Data data, TollQuery.Variant variant) throws Exception {
    Path work = Files.createDirectories(data.dir().resolve("flink"));
    Path stations = work.resolve("stations-noheader.csv");
    List<String> lines = Files.readAllLines(data.stations(), StandardCharsets.US_ASCII);
    Files.write(stations, lines.subList(1, lines.size()), StandardCharsets.US_ASCII);

    Path source = sourcePath(data, parallelism);
    long planStart = System.nanoTime();
    Configuration conf = new Configuration();
    conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
    conf.set(PipelineOptions.OBJECT_REUSE, true);
    conf.setString("table.local-time-zone", "UTC");
    settings.forEach(conf::setString);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
    env.setParallelism(parallelism);
    StreamTableEnvironment tEnv =
        StreamTableEnvironment.create(env, EnvironmentSettings.inStreamingMode());
    settings.forEach((k, v) -> tEnv.getConfig().set(k, v));
    tEnv.executeSql(eventsDdl(source));
    tEnv.executeSql(stationsDdl(stations));
    tEnv.executeSql(
        "CREATE TEMPORARY VIEW passed AS SELECT detail.station AS station, detail.amount AS"
            + " amount, ts FROM toll_events WHERE `detail-type` = 'VehiclePassed' AND `source` ="
            + " 'tolls'");
    Table result = tEnv.sqlQuery(query(variant));
    String key = UUID.randomUUID().toString();
    tEnv.toDataStream(result).sinkTo(new ChecksumSink(key)).name("checksum");
    JobGraph job = env.getStreamGraph().getJobGraph();
    double planSeconds = (System.nanoTime() - planStart) / 1e9;

    ChecksumSink.SINKS.put(key, new TollChecksum());
    ProcessMeter meter = ProcessMeter.start();
    JobExecutionResult r;
    try {
      r = cluster.executeJobBlocking(job);
    } finally {
      meter.stop();
    }
    TollEvents.Answer answer = ChecksumSink.SINKS.remove(key).answer();
    return new TollResult(
        name(),
        variant,
        data.spec().events(),
        answer,
        meter.stop(),
        Double.NaN,
        Double.NaN,
        String.format(
            "Flink %s mini-cluster in this JVM%s%s; measured: job submission to job end"
                + " (Flink's own net runtime %.2f s); not measured: planning and compiling the"
                + " query to a job graph (%.2f s), starting the mini-cluster",
            org.apache.flink.runtime.util.EnvironmentInformation.getVersion(),
            parallelism == 1
                ? ""
                : ", reading " + parallelism + " files dealt line by line from the one",
            settings.isEmpty() ? "" : ", settings " + settings,
            r.getNetRuntime() / 1000.0,
            planSeconds));
  }

  /**
   * The file, or for parallelism {@code p > 1} a directory of {@code p} parts dealt from it line by
   * line (line {@code i} to part {@code i mod p}, made once and kept). Flink reads one file with
   * one reader (a local file is one block, hence one split), so without parts a higher parallelism
   * would only spread the aggregation; dealt parts are like the partitions of a topic, each
   * covering the whole stretch of event time.
   */
  static Path sourcePath(TollEvents.Data data, int p) throws IOException {
    if (p == 1) {
      return data.events();
    }
    Path dir = data.dir().resolve("flink").resolve("parts-" + p);
    Path done = dir.resolve("_complete");
    if (Files.exists(done)
        && Files.getLastModifiedTime(done).compareTo(Files.getLastModifiedTime(data.events()))
            > 0) {
      return dir;
    }
    Files.createDirectories(dir);
    Files.deleteIfExists(done);
    java.io.OutputStream[] out = new java.io.OutputStream[p];
    try (java.io.InputStream in =
        new java.io.BufferedInputStream(Files.newInputStream(data.events()), 1 << 20)) {
      for (int i = 0; i < p; i++) {
        out[i] =
            new java.io.BufferedOutputStream(
                Files.newOutputStream(dir.resolve("part-" + i + ".ndjson")), 1 << 20);
      }
      byte[] buf = new byte[1 << 20];
      int part = 0;
      for (int n; (n = in.read(buf)) > 0; ) {
        int from = 0;
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            out[part].write(buf, from, i + 1 - from);
            from = i + 1;
            part = (part + 1) % p;
          }
        }
        out[part].write(buf, from, n - from);
      }
    } finally {
      for (java.io.OutputStream o : out) {
        if (o != null) {
          o.close();
        }
      }
    }
    // the underscore keeps Flink's file source from reading the marker as data
    Files.writeString(done, "");
    return dir;
  }

  static String eventsDdl(Path events) {
    return "CREATE TEMPORARY TABLE toll_events (\n"
        + "  `version` STRING,\n"
        + "  `id` STRING,\n"
        + "  `detail-type` STRING,\n"
        + "  `source` STRING,\n"
        + "  `account` STRING,\n"
        + "  `time` STRING,\n"
        + "  `region` STRING,\n"
        + "  `resources` ARRAY<STRING>,\n"
        + "  `detail` ROW<station STRING, passedAt TIMESTAMP_LTZ(3), amount DOUBLE, plate STRING>,\n"
        + "  ts AS detail.passedAt,\n"
        + "  WATERMARK FOR ts AS ts - INTERVAL '10' SECOND\n"
        + ") WITH (\n"
        + "  'connector' = 'filesystem',\n"
        + "  'path' = '"
        + events.toAbsolutePath().toUri()
        + "',\n"
        + "  'format' = 'json',\n"
        + "  'json.timestamp-format.standard' = 'ISO-8601',\n"
        + "  'json.fail-on-missing-field' = 'false',\n"
        + "  'json.ignore-parse-errors' = 'false'\n"
        + ")";
  }

  static String stationsDdl(Path stations) {
    return "CREATE TEMPORARY TABLE stations (\n"
        + "  station STRING,\n"
        + "  expected_per_minute INT,\n"
        + "  name STRING,\n"
        + "  valid_from AS TO_TIMESTAMP_LTZ(0, 3),\n"
        + "  WATERMARK FOR valid_from AS valid_from,\n"
        + "  PRIMARY KEY (station) NOT ENFORCED\n"
        + ") WITH (\n"
        + "  'connector' = 'filesystem',\n"
        + "  'path' = '"
        + stations.toAbsolutePath().toUri()
        + "',\n"
        + "  'format' = 'csv'\n"
        + ")";
  }

  static String query(TollQuery.Variant variant) {
    return "SELECT w.window_start, w.window_end, w.station, w.vehicles, w.revenue,\n"
        + "       s.expected_per_minute AS expected, s.name\n"
        + "FROM (\n"
        + "  SELECT window_start, window_end, window_time, station,\n"
        + "         COUNT(*) AS vehicles, SUM(amount) AS revenue\n"
        + "  FROM TABLE(TUMBLE(TABLE passed, DESCRIPTOR(ts), INTERVAL '1' MINUTE))\n"
        + "  GROUP BY window_start, window_end, window_time, station) AS w\n"
        + "JOIN stations FOR SYSTEM_TIME AS OF w.window_time AS s ON w.station = s.station\n"
        + (variant == TollQuery.Variant.ALERTS
            ? "WHERE w.vehicles > 1.5 * s.expected_per_minute\n"
            : "");
  }

  /** The plan Flink makes of the query, for the record. */
  public String explain(TollEvents.Data data, TollQuery.Variant variant) throws IOException {
    Path work = Files.createDirectories(data.dir().resolve("flink"));
    Configuration conf = new Configuration();
    conf.setString("table.local-time-zone", "UTC");
    settings.forEach(conf::setString);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
    env.setParallelism(parallelism);
    StreamTableEnvironment tEnv =
        StreamTableEnvironment.create(env, EnvironmentSettings.inStreamingMode());
    settings.forEach((k, v) -> tEnv.getConfig().set(k, v));
    tEnv.executeSql(eventsDdl(sourcePath(data, parallelism)));
    tEnv.executeSql(stationsDdl(work.resolve("stations-noheader.csv")));
    tEnv.executeSql(
        "CREATE TEMPORARY VIEW passed AS SELECT detail.station AS station, detail.amount AS"
            + " amount, ts FROM toll_events WHERE `detail-type` = 'VehiclePassed' AND `source` ="
            + " 'tolls'");
    return tEnv.explainSql(query(variant));
  }

  @Override
  public void close() {
    if (ownsCluster) {
      try {
        cluster.closeAsync().get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("closing the Flink mini-cluster", e.getCause());
      }
    }
  }

  /**
   * Feeds every row to the {@link TollChecksum} registered under its key. The mini-cluster runs in
   * this JVM with this class loader, so the writers find the checksum through a static map.
   */
  static final class ChecksumSink implements Sink<Row> {
    private static final long serialVersionUID = 1L;
    static final Map<String, TollChecksum> SINKS = new ConcurrentHashMap<>();

    private final String key;

    ChecksumSink(String key) {
      this.key = key;
    }

    @Override
    public SinkWriter<Row> createWriter(WriterInitContext context) {
      TollChecksum sum = SINKS.get(key);
      if (sum == null) {
        throw new IllegalStateException("no checksum registered for " + key);
      }
      return new SinkWriter<>() {
        @Override
        public void write(Row row, Context ctx) {
          LocalDateTime windowStart = row.getFieldAs(0);
          String station = row.getFieldAs(2);
          long vehicles = row.<Long>getFieldAs(3);
          double revenue = row.<Double>getFieldAs(4);
          sum.add(windowStart.toInstant(ZoneOffset.UTC).toEpochMilli(), station, vehicles, revenue);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }
}

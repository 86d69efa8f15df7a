package io.sluice.core.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A validated Sluice configuration (one YAML file). Built only by {@link ConfigLoader}, which
 * reports every problem at once.
 *
 * @param source where it came from (a file path, or "embedded default")
 * @param dataDir where logs and state live ({@code storage.dir})
 * @param smtp the node's mail server ({@code smtp:}), or null when none is configured
 * @param analyses continuous SQL over event-time windows ({@code analyses:})
 */
public record SluiceConfig(
    String source,
    ServerConfig server,
    Path dataDir,
    List<BusConfig> buses,
    AuthConfig auth,
    List<RuleConfig> rules,
    ObjectsConfig objects,
    LakeConfig lake,
    List<FunctionConfig> functions,
    List<ScheduleConfig> schedules,
    List<ReportConfig> reports,
    SmtpConfig smtp,
    List<AlarmConfig> alarms,
    List<AnalysisConfig> analyses) {

  /**
   * How the lake runs: DuckDB's threads and memory, the SQL limits, compaction.
   *
   * @param compactionInterval zero turns background compaction off
   * @param maxConcurrentQueries queries running at once; more wait in the queue
   * @param maxQueuedQueries queries waiting for a slot; past it a query is refused (HTTP 429)
   */
  public record LakeConfig(
      int threads,
      String memoryLimit,
      java.time.Duration queryTimeout,
      long maxRows,
      java.time.Duration compactionInterval,
      int compactionMinFiles,
      long smallFileBytes,
      int maxConcurrentQueries,
      int maxQueuedQueries) {
    public static final LakeConfig DEFAULTS =
        new LakeConfig(
            2,
            "1GB",
            java.time.Duration.ofSeconds(30),
            100_000,
            java.time.Duration.ofMinutes(1),
            10,
            32L << 20,
            2,
            16);
  }

  /**
   * The object store: which bus its {@code Object Created}/{@code Object Deleted} events go to
   * (null: none), and the largest object accepted.
   */
  public record ObjectsConfig(String bus, long maxObjectBytes, Inbox inbox) {}

  /**
   * A directory watched for files: each complete file (unchanged for one interval) is uploaded to
   * {@code bucket} under {@code prefix} plus its path in the directory, then deleted.
   */
  public record Inbox(Path dir, String bucket, String prefix, java.time.Duration interval) {}

  public SluiceConfig {
    buses = List.copyOf(buses);
    rules = List.copyOf(rules);
    functions = List.copyOf(functions);
    schedules = List.copyOf(schedules);
    reports = List.copyOf(reports);
    alarms = List.copyOf(alarms);
    analyses = List.copyOf(analyses);
  }

  /** Without analyses. */
  public SluiceConfig(
      String source,
      ServerConfig server,
      Path dataDir,
      List<BusConfig> buses,
      AuthConfig auth,
      List<RuleConfig> rules,
      ObjectsConfig objects,
      LakeConfig lake,
      List<FunctionConfig> functions,
      List<ScheduleConfig> schedules,
      List<ReportConfig> reports,
      SmtpConfig smtp,
      List<AlarmConfig> alarms) {
    this(
        source, server, dataDir, buses, auth, rules, objects, lake, functions, schedules, reports,
        smtp, alarms, List.of());
  }

  /** The analysis named {@code name}. */
  public Optional<AnalysisConfig> analysis(String name) {
    return analyses.stream().filter(a -> a.name().equals(name)).findFirst();
  }

  /** Without schedules, reports, a mail server and alarms. */
  public SluiceConfig(
      String source,
      ServerConfig server,
      Path dataDir,
      List<BusConfig> buses,
      AuthConfig auth,
      List<RuleConfig> rules,
      ObjectsConfig objects,
      LakeConfig lake,
      List<FunctionConfig> functions) {
    this(
        source, server, dataDir, buses, auth, rules, objects, lake, functions, List.of(), List.of(),
        null, List.of());
  }

  /** The report named {@code name}. */
  public Optional<ReportConfig> report(String name) {
    return reports.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  /** Without functions (configs of the parts that have none). */
  public SluiceConfig(
      String source,
      ServerConfig server,
      Path dataDir,
      List<BusConfig> buses,
      AuthConfig auth,
      List<RuleConfig> rules,
      ObjectsConfig objects,
      LakeConfig lake) {
    this(source, server, dataDir, buses, auth, rules, objects, lake, List.of());
  }

  public Optional<BusConfig> bus(String name) {
    return buses.stream().filter(b -> b.name().equals(name)).findFirst();
  }

  public SluiceConfig withDataDir(Path dir) {
    return new SluiceConfig(
        source, server, dir, buses, auth, rules, objects, lake, functions, schedules, reports, smtp,
        alarms, analyses);
  }

  public SluiceConfig withServer(ServerConfig s) {
    return new SluiceConfig(
        source, s, dataDir, buses, auth, rules, objects, lake, functions, schedules, reports, smtp,
        alarms, analyses);
  }
}

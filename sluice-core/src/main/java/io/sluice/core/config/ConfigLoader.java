package io.sluice.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.TransientException;
import io.sluice.core.config.AuthConfig.ApiKeyConfig;
import io.sluice.core.kinds.Kinds;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a Sluice YAML configuration and reports every problem at once, each with its JSON Pointer
 * path: {@code /buses/1/retention: expected a duration like 7d or 12h, got "seven"}.
 *
 * <pre>{@code
 * server:  {host: 127.0.0.1, port: 7070, limits: {maxBodyBytes: 10MB, maxEventBytes: 256KB}}
 * storage: {dir: ./sluice-data}          # relative to the config file's directory
 * buses:
 *   - {name: orders, partitions: 4, retention: 7d, fsync: always}
 * auth:
 *   keys: [{name: shop, sha256: <hex>, scopes: ["ingest:orders", read]}]
 * }</pre>
 *
 * <p>The JSON Schema for editors is {@code docs/sluice-config.schema.json}.
 */
public final class ConfigLoader {

  /** Bus names with this prefix are Sluice's internal logs ({@code sluice.retries}, …). */
  public static final String RESERVED_PREFIX = "sluice.";

  public static final Pattern BUS_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern SCOPE =
      Pattern.compile(
          "ingest:(\\*|[A-Za-z0-9][A-Za-z0-9._-]{0,127})|objects:write|functions:invoke|read|admin");

  /** What {@link #isScope} accepts, for messages. */
  public static final String SCOPE_EXPECTED =
      "expected a scope ingest:<bus>, ingest:*, objects:write, functions:invoke, read or admin";

  /** True for a well-formed API key scope (whether its bus exists is checked with the config). */
  public static boolean isScope(String scope) {
    return SCOPE.matcher(scope).matches();
  }

  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  /** Environment lookup for {@code ${env:NAME}}; tests replace it. */
  static java.util.function.Function<String, String> ENV = System::getenv;

  private ConfigLoader() {}

  /**
   * Loads a config file; relative paths in it resolve against its directory, and its targets may
   * use the target kinds of {@code kinds}.
   */
  public static SluiceConfig load(Path file, Kinds kinds) {
    return load(file, kinds, ENV);
  }

  /**
   * Loads a config file as {@link #load(Path, Kinds)} does, looking up {@code ${env:NAME}} with
   * {@code env} (which returns {@code null} for a variable that is not set).
   */
  public static SluiceConfig load(
      Path file, Kinds kinds, java.util.function.Function<String, String> env) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_CONFIG,
          Problem.of("", "config file " + file + " does not exist"));
    } catch (IOException e) {
      throw new TransientException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    Path base = file.toAbsolutePath().getParent();
    return parse(text, file.toString(), base, kinds, env);
  }

  /** The embedded default: one bus {@code default}, port 7070, data in {@code ./sluice-data}. */
  public static SluiceConfig defaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream("default.yaml")) {
      return parse(
          new String(in.readAllBytes(), StandardCharsets.UTF_8),
          "embedded default",
          Path.of("").toAbsolutePath(),
          Kinds.of());
    } catch (IOException e) {
      throw new IllegalStateException("the embedded default config is missing", e);
    }
  }

  /** Parses YAML text; {@code base} resolves relative paths; targets may use {@code kinds}. */
  public static SluiceConfig parse(String yaml, String source, Path base, Kinds kinds) {
    return parse(yaml, source, base, kinds, ENV);
  }

  private static SluiceConfig parse(
      String yaml,
      String source,
      Path base,
      Kinds kinds,
      java.util.function.Function<String, String> env) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      String where =
          loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
      String msg = e.getOriginalMessage();
      int nl = msg.indexOf('\n');
      throw new InvalidInputException(
          InvalidInputException.INVALID_CONFIG,
          Problem.of("", "malformed YAML" + where + ": " + (nl > 0 ? msg.substring(0, nl) : msg)));
    }
    List<Problem> problems = new ArrayList<>();
    ConfigNode top = new ConfigNode(root, "", problems);
    if (root == null || root.isMissingNode() || root.isNull()) {
      root = YAML.createObjectNode();
      top = new ConfigNode(root, "", problems);
    }
    SluiceConfig config = null;
    if (top.isObject(true, "a YAML mapping of server, storage, buses, auth, rules")) {
      top.allowOnly(
          "server",
          "storage",
          "buses",
          "auth",
          "smtp",
          "functions",
          "rules",
          "objects",
          "lake",
          "schedules",
          "reports",
          "alarms",
          "analyses");
      ServerConfig server = server(top.field("server"));
      Path dataDir = storage(top.field("storage"), base);
      List<BusConfig> buses = buses(top.field("buses"));
      AuthConfig auth = auth(top.field("auth"), buses);
      java.util.Set<String> busNames = new java.util.LinkedHashSet<>();
      buses.forEach(b -> busNames.add(b.name()));
      List<FunctionConfig> functions =
          new FunctionReader(kinds, new io.sluice.core.kinds.ReadContext(busNames, env, base))
              .readAll(top.field("functions"));
      SmtpConfig smtp =
          SmtpReader.read(
              top.field("smtp"), new io.sluice.core.kinds.ReadContext(busNames, env, base));
      java.util.Set<String> functionNames = new java.util.LinkedHashSet<>();
      functions.forEach(f -> functionNames.add(f.name()));
      List<ScheduleConfig> schedules = new ScheduleReader(busNames).readAll(top.field("schedules"));
      // a report on a schedule gets an implicit rule on that schedule's bus
      Map<String, String> scheduleBuses = new java.util.LinkedHashMap<>();
      schedules.forEach(sc -> scheduleBuses.put(sc.name(), sc.bus()));
      ReportReader reportReader = new ReportReader(kinds, busNames, functionNames, scheduleBuses);
      List<ReportConfig> reports = reportReader.readAll(top.field("reports"));
      java.util.Set<String> reportNames = new java.util.LinkedHashSet<>();
      reports.forEach(r -> reportNames.add(r.name()));
      RuleReader ruleReader =
          new RuleReader(busNames, env, base, kinds, functionNames, reportNames);
      List<RuleConfig> rules = new ArrayList<>(ruleReader.readAll(top.field("rules")));
      for (Map.Entry<String, JsonNode> e : reportReader.implicitRules.entrySet()) {
        RuleConfig implicit =
            ruleReader.read(new ConfigNode(e.getValue(), e.getKey(), problems), null, null);
        if (implicit == null) {
          continue;
        }
        if (rules.stream()
            .anyMatch(r -> r.bus().equals(implicit.bus()) && r.name().equals(implicit.name()))) {
          new ConfigNode(e.getValue(), e.getKey(), problems)
              .problem(
                  "makes rule "
                      + implicit.name()
                      + " on bus "
                      + implicit.bus()
                      + ", and the rules section has one of that name; rename that rule");
          continue;
        }
        rules.add(implicit);
      }
      requiredSections(top, kinds);
      mailedReportsNeedSmtp(top);
      config =
          new SluiceConfig(
              source,
              server,
              dataDir,
              buses,
              auth,
              rules,
              objects(top.field("objects"), busNames, base),
              lake(top.field("lake")),
              functions,
              schedules,
              reports,
              smtp,
              new AlarmReader(busNames).readAll(top.field("alarms")),
              new AnalysisReader(busNames).readAll(top.field("analyses")));
    }
    if (!problems.isEmpty()) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_CONFIG,
          source + " has " + problems.size() + (problems.size() == 1 ? " problem" : " problems"),
          problems);
    }
    return config;
  }

  /** A report with {@code email:} needs the {@code smtp:} section, as email targets do. */
  private static void mailedReportsNeedSmtp(ConfigNode top) {
    if (top.raw().hasNonNull("smtp") || !top.field("reports").raw().isArray()) {
      return;
    }
    for (ConfigNode report : top.field("reports").list(false, "")) {
      if (report.raw().has("email")) {
        report
            .problems()
            .add(
                Problem.of(
                    report.field("email").path(),
                    "a mailed report needs the smtp: section at the top of the config, which is"
                        + " not configured"));
      }
    }
  }

  /**
   * A target whose kind needs a top-level section ({@link
   * io.sluice.core.kinds.TargetKind#requires}, e.g. email targets need {@code smtp}) in a config
   * without it: a problem on the target's kind key.
   */
  private static void requiredSections(ConfigNode top, Kinds kinds) {
    for (ConfigNode rule :
        top.field("rules").raw().isArray()
            ? top.field("rules").list(false, "")
            : List.<ConfigNode>of()) {
      if (!rule.field("targets").raw().isArray()) {
        continue;
      }
      for (ConfigNode target : rule.field("targets").list(false, "")) {
        for (io.sluice.core.kinds.TargetKind<?> k : kinds.targets()) {
          String section = k.requires();
          if (section != null && target.raw().has(k.name()) && !top.raw().hasNonNull(section)) {
            target
                .field(k.name())
                .problems()
                .add(
                    Problem.of(
                        target.field(k.name()).path(),
                        k.name()
                            + " targets need the "
                            + section
                            + ": section at the top of the config, which is not configured"));
          }
        }
      }
    }
  }

  private static final Pattern MEMORY =
      Pattern.compile("[0-9]+(\\.[0-9]+)?\\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)");

  private static SluiceConfig.LakeConfig lake(ConfigNode n) {
    var d = SluiceConfig.LakeConfig.DEFAULTS;
    if (!n.isObject(
        false,
        "a mapping with threads, memoryLimit, queryTimeout, maxRows, maxConcurrentQueries,"
            + " maxQueuedQueries, compaction")) {
      return d;
    }
    n.allowOnly(
        "threads",
        "memoryLimit",
        "queryTimeout",
        "maxRows",
        "maxConcurrentQueries",
        "maxQueuedQueries",
        "compaction");
    int threads = n.field("threads").integer(d.threads(), 1, 256);
    String memory =
        n.field("memoryLimit").matching(d.memoryLimit(), MEMORY, "a size such as 512MB or 4GB");
    Duration timeout = n.field("queryTimeout").duration(d.queryTimeout());
    if (timeout.isZero() || timeout.compareTo(Duration.ofHours(1)) > 0) {
      n.field("queryTimeout")
          .problem("expected a duration above 0 and at most 1h, got " + Durations.format(timeout));
    }
    long maxRows = n.field("maxRows").integer((int) d.maxRows(), 1, 100_000_000);
    int concurrent = n.field("maxConcurrentQueries").integer(d.maxConcurrentQueries(), 1, 256);
    int queued = n.field("maxQueuedQueries").integer(d.maxQueuedQueries(), 0, 10_000);
    Duration every = d.compactionInterval();
    int minFiles = d.compactionMinFiles();
    long small = d.smallFileBytes();
    ConfigNode c = n.field("compaction");
    if (c.isObject(false, "a mapping with interval, minFiles, smallFileBytes")) {
      c.allowOnly("interval", "minFiles", "smallFileBytes");
      every = c.field("interval").duration(every);
      minFiles = c.field("minFiles").integer(minFiles, 2, 100_000);
      small = c.field("smallFileBytes").bytes(small, 1024, 1L << 40);
    }
    return new SluiceConfig.LakeConfig(
        threads, memory, timeout, maxRows, every, minFiles, small, concurrent, queued);
  }

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");
  private static final Pattern KEY_PREFIX = Pattern.compile("([A-Za-z0-9._-]+/)*");

  private static SluiceConfig.ObjectsConfig objects(
      ConfigNode n, java.util.Set<String> buses, Path base) {
    String bus = buses.contains("default") ? "default" : null;
    long max = 5L << 30;
    SluiceConfig.Inbox inbox = null;
    if (n.isObject(false, "a mapping with bus, maxObjectBytes, inbox")) {
      n.allowOnly("bus", "maxObjectBytes", "inbox");
      if (!n.field("bus").isMissing()) {
        bus = n.field("bus").string(null);
        io.sluice.core.kinds.ReadContext.checkBus(buses, n.field("bus"), bus);
      }
      max = n.field("maxObjectBytes").bytes(max, 1, 1L << 40);
      ConfigNode in = n.field("inbox");
      if (in.isObject(false, "a mapping with dir, bucket, prefix, interval")) {
        in.allowOnly("dir", "bucket", "prefix", "interval");
        String dir = in.field("dir").requiredString("a directory to watch");
        String bucket =
            in.field("bucket").matching(null, BUCKET, "a bucket name of 2-63 characters a-z 0-9 -");
        if (bucket == null && in.field("bucket").isMissing()) {
          in.field("bucket").problem("is required: the bucket files are uploaded to");
        }
        String prefix = in.field("prefix").matching("", KEY_PREFIX, "a key prefix like raw/");
        java.time.Duration interval =
            in.field("interval").duration(java.time.Duration.ofSeconds(1));
        if (interval.compareTo(java.time.Duration.ofMillis(100)) < 0
            || interval.compareTo(java.time.Duration.ofMinutes(10)) > 0) {
          in.field("interval")
              .problem("expected a duration from 100ms to 10m, got " + Durations.format(interval));
        }
        if (dir != null && bucket != null) {
          inbox = new SluiceConfig.Inbox(base.resolve(dir).normalize(), bucket, prefix, interval);
        }
      }
    }
    return new SluiceConfig.ObjectsConfig(bus, max, inbox);
  }

  private static ServerConfig server(ConfigNode n) {
    if (!n.isObject(false, "a mapping of host, port, limits, logLevel")) {
      return new ServerConfig(
          ServerConfig.DEFAULT_HOST, ServerConfig.DEFAULT_PORT, LimitsConfig.DEFAULTS);
    }
    n.allowOnly("host", "port", "limits", "logLevel");
    String host = n.field("host").string(ServerConfig.DEFAULT_HOST);
    int port = n.field("port").integer(ServerConfig.DEFAULT_PORT, 0, 65535);
    ConfigNode levelNode = n.field("logLevel");
    String level = levelNode.string(ServerConfig.DEFAULT_LOG_LEVEL);
    if (!ServerConfig.LOG_LEVELS.contains(level)) {
      levelNode.problem(
          "expected one of "
              + String.join(", ", ServerConfig.LOG_LEVELS)
              + ", got "
              + Problem.render(level));
      level = ServerConfig.DEFAULT_LOG_LEVEL;
    }
    return new ServerConfig(host, port, limits(n.field("limits")), level);
  }

  private static LimitsConfig limits(ConfigNode n) {
    LimitsConfig d = LimitsConfig.DEFAULTS;
    if (!n.isObject(false, "a mapping of limits")) {
      return d;
    }
    n.allowOnly(
        "maxBodyBytes",
        "maxEventBytes",
        "maxDepth",
        "maxBatchEntries",
        "memoryBudget",
        "maxInflightBytes",
        "idleTimeout");
    Duration idle = n.field("idleTimeout").duration(d.idleTimeout());
    if (idle.compareTo(Duration.ofMillis(100)) < 0 || idle.compareTo(Duration.ofHours(1)) > 0) {
      n.field("idleTimeout")
          .problem("expected a duration from 100ms to 1h, got " + Durations.format(idle));
      idle = d.idleTimeout();
    }
    return new LimitsConfig(
        n.field("maxBodyBytes").bytes(d.maxBodyBytes(), 1024, 1L << 30),
        (int) n.field("maxEventBytes").bytes(d.maxEventBytes(), 1024, 16L << 20),
        n.field("maxDepth").integer(d.maxDepth(), 2, 1_000),
        n.field("maxBatchEntries").integer(d.maxBatchEntries(), 1, 1_000_000),
        memoryBudget(n, d),
        idle);
  }

  /**
   * {@code memoryBudget}, or from {@code maxInflightBytes} of earlier versions (request bytes in
   * flight: a budget of four times as much).
   */
  private static long memoryBudget(ConfigNode n, LimitsConfig d) {
    ConfigNode old = n.field("maxInflightBytes");
    if (old.isMissing()) {
      return n.field("memoryBudget").bytes(d.memoryBudget(), 16L << 20, 1L << 40);
    }
    if (!n.field("memoryBudget").isMissing()) {
      old.problem("is the older name of memoryBudget (a quarter of it); give only memoryBudget");
      return d.memoryBudget();
    }
    return 4 * old.bytes(d.memoryBudget() / 4, 1L << 20, 1L << 38);
  }

  private static Path storage(ConfigNode n, Path base) {
    if (!n.isObject(false, "a mapping with dir")) {
      return base.resolve("sluice-data").normalize();
    }
    n.allowOnly("dir");
    String dir = n.field("dir").string("sluice-data");
    return base.resolve(dir).normalize();
  }

  private static List<BusConfig> buses(ConfigNode n) {
    if (n.isMissing()) {
      return List.of(BusConfig.named("default"));
    }
    List<BusConfig> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    List<ConfigNode> items = n.list(true, "a list of buses");
    if (items.isEmpty() && n.raw().isArray()) {
      n.problem("expected at least one bus, got an empty list");
    }
    for (ConfigNode b : items) {
      if (!b.isObject(true, "a bus mapping with name, partitions, retention, fsync")) {
        continue;
      }
      b.allowOnly(
          "name",
          "partitions",
          "retention",
          "retentionBytes",
          "fsync",
          "fsyncInterval",
          "segmentBytes",
          "deduplicate");
      ConfigNode nameNode = b.field("name");
      String name = nameNode.requiredString("a bus name");
      if (name != null && !BUS_NAME.matcher(name).matches()) {
        nameNode.problem(
            "expected 1-128 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit, got "
                + Problem.render(name));
        name = null;
      } else if (name != null && name.startsWith(RESERVED_PREFIX)) {
        nameNode.problem(
            "names starting with \""
                + RESERVED_PREFIX
                + "\" are reserved for Sluice's own logs (retries, dead letters), got "
                + Problem.render(name));
        name = null;
      }
      if (name != null) {
        String before = seen.putIfAbsent(name, nameNode.path());
        if (before != null) {
          nameNode.problem(
              "duplicate bus name " + Problem.render(name) + " (first at " + before + ")");
        }
      }
      BusConfig d = BusConfig.named(name == null ? "?" : name);
      int partitions = b.field("partitions").integer(d.partitions(), 1, 1024);
      Duration retention = b.field("retention").duration(d.retention());
      long retentionBytes = b.field("retentionBytes").bytes(-1, 1L << 20, Long.MAX_VALUE >> 1);
      String fsync = b.field("fsync").oneOf("always", "always", "interval");
      ConfigNode intervalNode = b.field("fsyncInterval");
      Duration interval = intervalNode.duration(d.fsyncInterval());
      if (!intervalNode.isMissing() && "always".equals(fsync)) {
        intervalNode.problem("only applies with fsync: interval (fsync is always)");
      }
      if (interval.isZero() || interval.isNegative()) {
        intervalNode.problem("expected a positive duration, got " + Durations.format(interval));
      }
      if (retention.isZero()) {
        b.field("retention").problem("expected a positive duration, got 0s");
      }
      long segmentBytes = b.field("segmentBytes").bytes(d.segmentBytes(), 1L << 20, 1L << 30);
      Duration deduplicate = deduplicate(b.field("deduplicate"), retention);
      out.add(
          new BusConfig(
              d.name(),
              partitions,
              retention,
              retentionBytes,
              fsync,
              interval,
              segmentBytes,
              deduplicate));
    }
    return out;
  }

  /**
   * A bus's {@code deduplicate} window, {@code null} when absent or refused: between {@link
   * BusConfig#MIN_DEDUPLICATE} and {@link BusConfig#MAX_DEDUPLICATE}, and at most the bus's {@code
   * retention}, since the ids are found again in the bus's events at start.
   */
  private static Duration deduplicate(ConfigNode n, Duration retention) {
    Duration window = n.duration(null);
    if (window == null) {
      return null;
    }
    if (window.compareTo(BusConfig.MIN_DEDUPLICATE) < 0
        || window.compareTo(BusConfig.MAX_DEDUPLICATE) > 0) {
      n.problem(
          "expected a duration from "
              + Durations.format(BusConfig.MIN_DEDUPLICATE)
              + " to "
              + Durations.format(BusConfig.MAX_DEDUPLICATE)
              + ", got "
              + Durations.format(window));
      return null;
    }
    if (retention.isPositive() && window.compareTo(retention) > 0) {
      n.problem(
          "expected at most the bus's retention ("
              + Durations.format(retention)
              + "), got "
              + Durations.format(window));
      return null;
    }
    return window;
  }

  private static AuthConfig auth(ConfigNode n, List<BusConfig> buses) {
    if (!n.isObject(false, "a mapping with keys")) {
      return AuthConfig.NONE;
    }
    n.allowOnly("keys");
    List<ApiKeyConfig> keys = new ArrayList<>();
    for (ConfigNode k : n.field("keys").list(false, "a list of API keys")) {
      if (!k.isObject(true, "a key mapping with name, sha256, scopes")) {
        continue;
      }
      k.allowOnly("name", "sha256", "scopes");
      String name = k.field("name").requiredString("a key name");
      String hash =
          k.field("sha256")
              .requiredString(
                  "the SHA-256 of the key, as 64 lowercase hex digits (sluice keys new prints it)");
      if (hash != null && !SHA256_HEX.matcher(hash).matches()) {
        k.field("sha256")
            .problem(
                "expected 64 lowercase hex digits (sluice keys new prints them), got "
                    + Problem.render(hash));
      }
      List<String> scopes = new ArrayList<>();
      for (ConfigNode s :
          k.field("scopes")
              .list(
                  true,
                  "a list of scopes: ingest:<bus>, ingest:*, objects:write, functions:invoke, read,"
                      + " admin")) {
        String scope = s.string(null);
        if (scope == null) {
          continue;
        }
        if (!isScope(scope)) {
          s.problem(SCOPE_EXPECTED + ", got " + Problem.render(scope));
          continue;
        }
        if (scope.startsWith("ingest:") && !scope.equals("ingest:*")) {
          String bus = scope.substring("ingest:".length());
          if (buses.stream().noneMatch(b -> b.name().equals(bus))) {
            s.problem("scope names bus " + Problem.render(bus) + ", which is not configured");
          }
        }
        scopes.add(scope);
      }
      keys.add(new ApiKeyConfig(name, hash, scopes));
    }
    return new AuthConfig(keys);
  }
}

package io.sluice.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Problem;
import io.sluice.core.config.TargetConfig.BatchConfig;
import io.sluice.core.config.TargetConfig.RetryConfig;
import io.sluice.core.config.TargetConfig.TargetSpec;
import io.sluice.core.rules.PatternValidator;
import io.sluice.core.transform.InputTransformer;
import io.sluice.core.transform.JqTransform;
import io.sluice.core.transform.Transform;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads rules and their targets, from the config file's {@code rules:} list or from one rule sent
 * to the admin API, reporting every problem with its path.
 *
 * <pre>{@code
 * rules:
 *   - name: big-orders
 *     bus: orders
 *     pattern: {source: [shop], detail: {amount: [{numeric: [">", 100]}]}}
 *     targets:
 *       - id: hook
 *         http: {url: "http://localhost:9000/hook", headers: {Authorization: "Bearer ${env:HOOK_TOKEN}"}}
 *         inputTransformer: {inputPathsMap: {amount: $.detail.amount}, inputTemplate: '{"amount": <amount>}'}
 *         retry: {maxAttempts: 185, maxAge: 24h}
 * }</pre>
 */
public final class RuleReader {

  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  public static final int MAX_TARGETS = 10;
  private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");
  private static final String[] TARGET_KINDS = {"bus", "http", "file", "log", "lake", "validate"};

  private final Set<String> buses;
  private final Function<String, String> env;
  private final Path base;

  /**
   * @param buses names of the configured buses (rules and bus targets must name one)
   * @param env environment lookup for {@code ${env:NAME}} in header values
   * @param base directory that relative file-target paths resolve against
   */
  public RuleReader(Set<String> buses, Function<String, String> env, Path base) {
    this.buses = buses;
    this.env = env;
    this.base = base;
  }

  /** Reads a list of rules; names must be unique per bus. */
  public List<RuleConfig> readAll(ConfigNode list) {
    List<RuleConfig> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (ConfigNode n : list.list(false, "a list of rules")) {
      RuleConfig r = read(n, null, null);
      if (r != null) {
        String key = r.bus() + "/" + r.name();
        String before = seen.putIfAbsent(key, n.path());
        if (before != null) {
          n.field("name")
              .problem(
                  "duplicate rule "
                      + Problem.render(r.name())
                      + " on bus "
                      + r.bus()
                      + " (first at "
                      + before
                      + ")");
          continue;
        }
        out.add(r);
      }
    }
    return out;
  }

  /**
   * Reads one rule. {@code name} and {@code bus}, when given (admin API path), win over the body's
   * and must agree with it. Returns {@code null} when there was a problem.
   */
  public RuleConfig read(ConfigNode n, String name, String bus) {
    int before = n.problems().size();
    if (!n.isObject(true, "a rule mapping with name, bus, pattern, targets")) {
      return null;
    }
    n.allowOnly("name", "bus", "pattern", "enabled", "description", "targets");
    String ruleName = name;
    ConfigNode nameNode = n.field("name");
    if (ruleName == null) {
      ruleName = nameNode.matching(null, NAME, "a rule name of 1-64 characters A-Z a-z 0-9 . _ -");
      if (ruleName == null && nameNode.isMissing()) {
        nameNode.problem("is required: a rule name");
      }
    } else if (!nameNode.isMissing() && !ruleName.equals(nameNode.string(ruleName))) {
      nameNode.problem("does not match the rule name in the path, " + Problem.render(ruleName));
    }
    String ruleBus = bus;
    ConfigNode busNode = n.field("bus");
    if (ruleBus == null) {
      ruleBus = busNode.string("default");
      if (ruleBus != null && !buses.contains(ruleBus)) {
        busNode.problem(
            "names bus "
                + Problem.render(ruleBus)
                + ", which is not configured (buses: "
                + String.join(", ", buses)
                + ")");
      }
    } else if (!busNode.isMissing() && !ruleBus.equals(busNode.string(ruleBus))) {
      busNode.problem("does not match the bus in the path, " + Problem.render(ruleBus));
    }
    ConfigNode patternNode = n.field("pattern");
    JsonNode pattern = patternNode.raw();
    if (patternNode.isMissing()) {
      patternNode.problem("is required: an EventBridge event pattern such as {source: [shop]}");
    } else {
      n.problems().addAll(PatternValidator.check(pattern, patternNode.path()));
    }
    boolean enabled = n.field("enabled").bool(true);
    String description = n.field("description").string(null);
    List<TargetConfig> targets = new ArrayList<>();
    List<ConfigNode> targetNodes =
        n.field("targets").list(true, "a list of 1 to " + MAX_TARGETS + " targets");
    if (targetNodes.size() > MAX_TARGETS) {
      n.field("targets")
          .problem("has " + targetNodes.size() + " targets, over the limit of " + MAX_TARGETS);
    } else if (targetNodes.isEmpty() && n.field("targets").raw().isArray()) {
      n.field("targets").problem("expected at least one target, got an empty list");
    }
    Map<String, String> ids = new LinkedHashMap<>();
    for (ConfigNode t : targetNodes) {
      JsonNode rawId = t.raw().path("id");
      if (rawId.isTextual()) {
        String prev = ids.putIfAbsent(rawId.asText(), t.path());
        if (prev != null) {
          t.field("id")
              .problem(
                  "duplicate target id "
                      + Problem.render(rawId.asText())
                      + " in this rule (first at "
                      + prev
                      + ")");
        }
      }
      TargetConfig tc = target(t);
      if (tc != null) {
        targets.add(tc);
      }
    }
    if (n.problems().size() > before) {
      return null;
    }
    return new RuleConfig(ruleName, ruleBus, pattern, enabled, description, targets, n.raw());
  }

  private TargetConfig target(ConfigNode t) {
    int before = t.problems().size();
    if (!t.isObject(
        true, "a target mapping with id and one of bus, http, file, log, lake, validate")) {
      return null;
    }
    t.allowOnly(
        "id",
        "bus",
        "http",
        "file",
        "log",
        "lake",
        "validate",
        "inputTransformer",
        "jq",
        "concurrency",
        "rateLimit",
        "timeout",
        "retry",
        "ordered",
        "batch");
    String id =
        t.field("id").matching(null, NAME, "a target id of 1-64 characters A-Z a-z 0-9 . _ -");
    if (id == null && t.field("id").isMissing()) {
      t.field("id").problem("is required: a target id, unique within the rule");
    }
    List<String> kinds = new ArrayList<>();
    for (String k : TARGET_KINDS) {
      if (!t.field(k).isMissing()) {
        kinds.add(k);
      }
    }
    TargetSpec spec = null;
    if (kinds.size() != 1) {
      t.problem(
          "expected exactly one of bus, http, file, log, lake, validate, got "
              + (kinds.isEmpty() ? "none" : String.join(", ", kinds)));
    } else {
      spec =
          switch (kinds.get(0)) {
            case "bus" -> busTarget(t.field("bus"));
            case "http" -> httpTarget(t.field("http"));
            case "file" -> fileTarget(t.field("file"));
            case "lake" -> lakeTarget(t.field("lake"));
            case "validate" -> validateTarget(t.field("validate"));
            default -> {
              ConfigNode l = t.field("log");
              if (l.isObject(false, "an empty mapping {}")) {
                l.allowOnly();
              }
              yield new TargetConfig.LogTarget();
            }
          };
    }
    Transform transform = Transform.IDENTITY;
    ConfigNode it = t.field("inputTransformer");
    ConfigNode jq = t.field("jq");
    if (!it.isMissing() && !jq.isMissing()) {
      t.problem("expected at most one of inputTransformer and jq, got both");
    } else if (!it.isMissing()) {
      if (it.isObject(true, "a mapping with inputPathsMap and inputTemplate")) {
        it.allowOnly("inputPathsMap", "inputTemplate");
        Map<String, String> paths = new LinkedHashMap<>();
        ConfigNode pm = it.field("inputPathsMap");
        if (pm.isObject(false, "a mapping of variable names to JSON paths")) {
          for (Map.Entry<String, JsonNode> e : pm.raw().properties()) {
            String v = pm.field(e.getKey()).string(null);
            if (v != null) {
              paths.put(e.getKey(), v);
            }
          }
        }
        InputTransformer compiled =
            InputTransformer.compile(
                paths, it.field("inputTemplate").string(null), it.path(), t.problems());
        transform = compiled == null ? Transform.IDENTITY : compiled;
      }
    } else if (!jq.isMissing()) {
      JqTransform compiled = JqTransform.compile(jq.string(null), jq.path(), t.problems());
      transform = compiled == null ? Transform.IDENTITY : compiled;
    }
    int concurrency = t.field("concurrency").integer(4, 1, 256);
    double rateLimit = 0;
    ConfigNode rl = t.field("rateLimit");
    if (!rl.isMissing()) {
      if (!rl.raw().isNumber() || rl.raw().asDouble() <= 0 || rl.raw().asDouble() > 1_000_000) {
        rl.problem(
            "expected deliveries per second, a number above 0 and at most 1000000, got "
                + io.sluice.core.Json.describe(rl.raw()));
      } else {
        rateLimit = rl.raw().asDouble();
      }
    }
    Duration timeout = t.field("timeout").duration(Duration.ofSeconds(10));
    if (timeout.isZero() || timeout.compareTo(Duration.ofMinutes(15)) > 0) {
      t.field("timeout")
          .problem("expected a duration above 0 and at most 15m, got " + Durations.format(timeout));
    }
    RetryConfig retry = retry(t.field("retry"));
    boolean ordered = t.field("ordered").bool(false);
    if (spec instanceof TargetConfig.LakeTarget) {
      // (validate targets take concurrency: files are validated in parallel)
      for (String f : List.of("ordered", "concurrency", "rateLimit")) {
        if (!t.field(f).isMissing()) {
          t.field(f)
              .problem(
                  "does not apply to a lake target: it writes each bus partition in order with one"
                      + " writer and flushes by its buffer settings");
        }
      }
      concurrency = 1;
    }
    BatchConfig batch = null;
    ConfigNode b = t.field("batch");
    if (!b.isMissing()) {
      if (spec != null && !(spec instanceof TargetConfig.HttpTarget)) {
        b.problem("only http targets batch; this target is " + spec.kind());
      } else if (b.isObject(true, "a mapping with size and interval")) {
        b.allowOnly("size", "interval");
        int size = b.field("size").integer(10, 1, 1000);
        Duration interval = b.field("interval").duration(Duration.ofSeconds(1));
        if (interval.isNegative() || interval.compareTo(Duration.ofMinutes(1)) > 0) {
          b.field("interval")
              .problem("expected a duration of at most 1m, got " + Durations.format(interval));
        }
        batch = new BatchConfig(size, interval);
      }
    }
    if (t.problems().size() > before) {
      return null;
    }
    return new TargetConfig(
        id, spec, transform, concurrency, rateLimit, timeout, retry, ordered, batch);
  }

  private TargetSpec busTarget(ConfigNode n) {
    String b = n.raw().isTextual() ? n.string(null) : null;
    if (b == null && n.raw().isObject()) {
      n.allowOnly("name");
      b = n.field("name").requiredString("a bus name");
    } else if (b == null) {
      n.problem("expected a bus name, got " + io.sluice.core.Json.describe(n.raw()));
      return null;
    }
    if (b != null && !buses.contains(b)) {
      n.problem(
          "names bus "
              + Problem.render(b)
              + ", which is not configured (buses: "
              + String.join(", ", buses)
              + ")");
    }
    return new TargetConfig.BusTarget(b);
  }

  private TargetSpec httpTarget(ConfigNode n) {
    if (!n.isObject(true, "a mapping with url, method, headers")) {
      return null;
    }
    n.allowOnly("url", "method", "headers");
    String url = n.field("url").requiredString("an http:// or https:// URL");
    if (url != null) {
      try {
        URI u = URI.create(url);
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
            || u.getHost() == null) {
          throw new IllegalArgumentException("scheme");
        }
      } catch (IllegalArgumentException e) {
        n.field("url").problem("expected an http:// or https:// URL, got " + Problem.render(url));
      }
    }
    String method = n.field("method").oneOf("POST", "POST", "PUT", "PATCH");
    Map<String, String> headers = new LinkedHashMap<>();
    ConfigNode h = n.field("headers");
    if (h.isObject(false, "a mapping of header names to values")) {
      for (Map.Entry<String, JsonNode> e : h.raw().properties()) {
        ConfigNode hv = h.field(e.getKey());
        String value = hv.string(null);
        if (value == null) {
          continue;
        }
        Matcher m = ENV.matcher(value);
        StringBuilder resolved = new StringBuilder();
        while (m.find()) {
          String v = env.apply(m.group(1));
          if (v == null) {
            hv.problem("uses environment variable " + m.group(1) + ", which is not set");
            v = "";
          }
          m.appendReplacement(resolved, Matcher.quoteReplacement(v));
        }
        m.appendTail(resolved);
        headers.put(e.getKey(), resolved.toString());
      }
    }
    return new TargetConfig.HttpTarget(url, method, headers);
  }

  /** Table names: what SQL can use without quoting, and never one of Sluice's own. */
  static final Pattern TABLE = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  private static TargetSpec lakeTarget(ConfigNode n) {
    if (!n.isObject(true, "a mapping with table, buffer, partitionBy, compression")) {
      return null;
    }
    n.allowOnly("table", "buffer", "partitionBy", "compression");
    String table =
        n.field("table")
            .matching(
                null, TABLE, "a table name of 1-63 characters a-z 0-9 _, starting with a letter");
    if (table == null && n.field("table").isMissing()) {
      n.field("table").problem("is required: the lake table to write");
    }
    long bytes = 8L << 20;
    Duration interval = Duration.ofSeconds(60);
    ConfigNode b = n.field("buffer");
    if (b.isObject(false, "a mapping with size and interval")) {
      b.allowOnly("size", "interval");
      bytes = b.field("size").bytes(bytes, 1024, 1L << 30);
      interval = b.field("interval").duration(interval);
      if (interval.compareTo(Duration.ofSeconds(1)) < 0
          || interval.compareTo(Duration.ofMinutes(15)) > 0) {
        b.field("interval")
            .problem("expected a duration from 1s to 15m, got " + Durations.format(interval));
      }
    }
    List<io.sluice.core.lake.PartitionKey> keys = new ArrayList<>();
    ConfigNode pb = n.field("partitionBy");
    if (!pb.isMissing()) {
      List<ConfigNode> items = pb.list(false, "a list of keys like dt=${time:yyyy-MM-dd}");
      if (items != null) {
        if (items.size() > 8) {
          pb.problem("expected at most 8 partition keys, got " + items.size());
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (ConfigNode item : items) {
          String spec = item.string(null);
          if (spec == null) {
            continue;
          }
          var key = io.sluice.core.lake.PartitionKey.compile(spec, item.path(), item.problems());
          if (key != null && !names.add(key.name())) {
            item.problem("names partition key " + key.name() + " twice");
          } else if (key != null) {
            keys.add(key);
          }
        }
      }
    }
    String compression =
        n.field("compression").oneOf("zstd", "zstd", "snappy", "gzip", "uncompressed");
    return new TargetConfig.LakeTarget(table, bytes, interval, List.copyOf(keys), compression);
  }

  private static final Pattern PREFIX = Pattern.compile("([A-Za-z0-9._-]+/)+");

  private static TargetSpec validateTarget(ConfigNode n) {
    if (!n.isObject(true, "a mapping with format, schema, processedPrefix, rejectedPrefix")) {
      return null;
    }
    n.allowOnly(
        "format",
        "schema",
        "jsonSchema",
        "processedPrefix",
        "rejectedPrefix",
        "table",
        "maxLineBytes");
    String format = n.field("format").oneOf("csv", "csv", "ndjson", "json");
    String processed =
        n.field("processedPrefix").matching("processed/", PREFIX, "a key prefix like processed/");
    String rejected =
        n.field("rejectedPrefix").matching("rejected/", PREFIX, "a key prefix like rejected/");
    if (processed != null && processed.equals(rejected)) {
      n.field("rejectedPrefix")
          .problem("must differ from processedPrefix, got " + Problem.render(rejected));
    }
    String table =
        n.field("table")
            .matching(
                null, TABLE, "a table name of 1-63 characters a-z 0-9 _, starting with a letter");
    long maxLine = n.field("maxLineBytes").bytes(1L << 20, 64, 64L << 20);
    JsonNode jsonSchema = null;
    ConfigNode js = n.field("jsonSchema");
    if (!js.isMissing()) {
      if (format != null && format.equals("csv")) {
        js.problem("applies to json and ndjson files; csv files are checked by schema.columns");
      } else if (js.isObject(true, "a JSON Schema object")) {
        jsonSchema = io.sluice.core.Json.MAPPER.valueToTree(js.raw());
        try {
          io.sluice.core.lake.RecordSchema.compile(jsonSchema);
        } catch (RuntimeException e) {
          js.problem("is not a usable JSON Schema: " + e.getMessage());
        }
      }
    }
    ConfigNode sc = n.field("schema");
    io.sluice.core.lake.FileSchema schema = null;
    boolean needColumns = js.isMissing() || !sc.isMissing();
    if (format != null && format.equals("json") && sc.isMissing() && js.isMissing()) {
      n.field("jsonSchema").problem("is required for json files: the JSON Schema of a record");
      needColumns = false;
    }
    if (needColumns && sc.isObject(true, "a mapping with version and columns")) {
      sc.allowOnly("version", "columns");
      int version = sc.field("version").integer(1, 1, 1_000_000);
      List<io.sluice.core.lake.FileSchema.Column> cols = new ArrayList<>();
      java.util.Set<String> names = new java.util.HashSet<>();
      for (ConfigNode c : sc.field("columns").list(true, "a list of columns")) {
        var col = column(c);
        if (col != null && !names.add(col.name())) {
          c.field("name").problem("names column " + col.name() + " twice");
        } else if (col != null) {
          cols.add(col);
        }
      }
      if (cols.isEmpty() && sc.problems().isEmpty()) {
        sc.field("columns").problem("expected at least one column");
      }
      schema = new io.sluice.core.lake.FileSchema(version, cols);
    }
    if (schema == null) {
      schema = new io.sluice.core.lake.FileSchema(1, List.of());
    }
    return new TargetConfig.ValidateTarget(
        format, schema, processed, rejected, table, maxLine, jsonSchema);
  }

  private static io.sluice.core.lake.FileSchema.Column column(ConfigNode c) {
    if (!c.isObject(true, "a column mapping with name and type")) {
      return null;
    }
    c.allowOnly("name", "type", "required", "min", "max", "enum", "pattern", "format");
    String name = c.field("name").requiredString("a column name");
    String type =
        c.field("type")
            .oneOf("string", "string", "integer", "number", "boolean", "timestamp", "date");
    boolean required = c.field("required").bool(false);
    java.math.BigDecimal min = decimal(c.field("min"));
    java.math.BigDecimal max = decimal(c.field("max"));
    if (min != null && max != null && min.compareTo(max) > 0) {
      c.field("max")
          .problem("must not be below min " + min.toPlainString() + ", got " + max.toPlainString());
    }
    java.util.Set<String> allowed = null;
    ConfigNode e = c.field("enum");
    if (!e.isMissing()) {
      allowed = new java.util.LinkedHashSet<>();
      for (ConfigNode v : e.list(false, "a list of allowed values")) {
        allowed.add(v.raw().isValueNode() ? v.raw().asText() : v.raw().toString());
      }
    }
    Pattern pattern = null;
    String p = c.field("pattern").string(null);
    if (p != null) {
      try {
        pattern = Pattern.compile(p);
      } catch (java.util.regex.PatternSyntaxException ex) {
        c.field("pattern")
            .problem(
                "is not a regular expression ("
                    + ex.getDescription()
                    + "), got "
                    + Problem.render(p));
      }
    }
    java.time.format.DateTimeFormatter dateFormat = null;
    String f = c.field("format").string(null);
    if (f != null) {
      try {
        dateFormat = java.time.format.DateTimeFormatter.ofPattern(f);
      } catch (IllegalArgumentException ex) {
        c.field("format")
            .problem("is not a date pattern (" + ex.getMessage() + "), got " + Problem.render(f));
      }
    }
    if (name == null || type == null) {
      return null;
    }
    return new io.sluice.core.lake.FileSchema.Column(
        name,
        io.sluice.core.lake.FileSchema.Type.valueOf(type.toUpperCase(java.util.Locale.ROOT)),
        required,
        min,
        max,
        allowed == null ? null : java.util.Collections.unmodifiableSet(allowed),
        pattern,
        dateFormat);
  }

  private static java.math.BigDecimal decimal(ConfigNode n) {
    if (n.isMissing()) {
      return null;
    }
    if (!n.raw().isNumber()) {
      n.problem("expected a number, got " + io.sluice.core.Json.describe(n.raw()));
      return null;
    }
    return n.raw().decimalValue();
  }

  private TargetSpec fileTarget(ConfigNode n) {
    if (!n.isObject(true, "a mapping with dir, rollBytes, rollInterval")) {
      return null;
    }
    n.allowOnly("dir", "rollBytes", "rollInterval");
    String dir = n.field("dir").requiredString("a directory for the NDJSON files");
    long rollBytes = n.field("rollBytes").bytes(64L << 20, 1024, 1L << 40);
    Duration rollInterval = n.field("rollInterval").duration(Duration.ofHours(1));
    return new TargetConfig.FileTarget(
        dir == null ? null : base.resolve(dir).normalize(), rollBytes, rollInterval);
  }

  private static RetryConfig retry(ConfigNode n) {
    RetryConfig d = RetryConfig.DEFAULTS;
    if (!n.isObject(false, "a mapping with maxAttempts, maxAge")) {
      return d;
    }
    n.allowOnly("maxAttempts", "maxAge", "initialBackoff", "maxBackoff");
    int attempts = n.field("maxAttempts").integer(d.maxAttempts(), 1, 10_000);
    Duration maxAge = n.field("maxAge").duration(d.maxAge());
    Duration initial = n.field("initialBackoff").duration(d.initialBackoff());
    Duration max = n.field("maxBackoff").duration(d.maxBackoff());
    if (maxAge.isZero() || maxAge.compareTo(Duration.ofDays(7)) > 0) {
      n.field("maxAge")
          .problem("expected a duration above 0 and at most 7d, got " + Durations.format(maxAge));
    }
    if (max.compareTo(initial) < 0) {
      n.field("maxBackoff")
          .problem(
              "must not be below initialBackoff ("
                  + Durations.format(initial)
                  + "), got "
                  + Durations.format(max));
    }
    return new RetryConfig(attempts, maxAge, initial, max);
  }
}

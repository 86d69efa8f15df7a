package io.sluice.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Problem;
import io.sluice.core.config.TargetConfig.BatchConfig;
import io.sluice.core.config.TargetConfig.RetryConfig;
import io.sluice.core.config.TargetConfig.TargetSpec;
import io.sluice.core.kinds.Kinds;
import io.sluice.core.kinds.ReadContext;
import io.sluice.core.kinds.TargetKind;
import io.sluice.core.rules.PatternValidator;
import io.sluice.core.transform.InputTransformer;
import io.sluice.core.transform.JqTransform;
import io.sluice.core.transform.Transform;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
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

  /** The keys of a target besides its id and its kind. */
  private static final List<String> COMMON_KEYS =
      List.of(
          "inputTransformer",
          "jq",
          "transform",
          "concurrency",
          "rateLimit",
          "timeout",
          "retry",
          "ordered",
          "batch");

  private final Set<String> buses;
  private final ReadContext context;
  private final Kinds kinds;

  /**
   * @param buses names of the configured buses (rules and bus targets must name one)
   * @param env environment lookup for {@code ${env:NAME}} in settings such as header values
   * @param base directory that relative paths (a file target's) resolve against
   * @param kinds the target kinds a target may use
   */
  public RuleReader(Set<String> buses, Function<String, String> env, Path base, Kinds kinds) {
    this(buses, env, base, kinds, Set.of());
  }

  /** As above, for a config that declares {@code functions} (targets may name them). */
  public RuleReader(
      Set<String> buses,
      Function<String, String> env,
      Path base,
      Kinds kinds,
      Set<String> functions) {
    this(buses, env, base, kinds, functions, Set.of());
  }

  /** As above, for a config that also declares {@code reports} (targets may name them). */
  public RuleReader(
      Set<String> buses,
      Function<String, String> env,
      Path base,
      Kinds kinds,
      Set<String> functions,
      Set<String> reports) {
    this.buses = buses;
    this.context = new ReadContext(buses, env, base, functions, reports);
    this.kinds = kinds;
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
    List<String> names = kinds.targetNames();
    String oneOfKinds = String.join(", ", names);
    if (!t.isObject(true, "a target mapping with id and one of " + oneOfKinds)) {
      return null;
    }
    List<String> allowed = new ArrayList<>();
    allowed.add("id");
    allowed.addAll(names);
    allowed.addAll(COMMON_KEYS);
    t.allowOnly(allowed.toArray(String[]::new));
    String id =
        t.field("id").matching(null, NAME, "a target id of 1-64 characters A-Z a-z 0-9 . _ -");
    if (id == null && t.field("id").isMissing()) {
      t.field("id").problem("is required: a target id, unique within the rule");
    }
    List<String> present = new ArrayList<>();
    for (String k : names) {
      if (!t.field(k).isMissing()) {
        present.add(k);
      }
    }
    TargetSpec spec = null;
    TargetKind<?> kind = null;
    if (present.size() != 1) {
      t.problem(
          "expected exactly one of "
              + oneOfKinds
              + ", got "
              + (present.isEmpty() ? "none" : String.join(", ", present)));
    } else {
      kind = kinds.target(present.get(0));
      spec = kind.read(t.field(kind.name()), context);
    }
    Transform transform = Transform.IDENTITY;
    ConfigNode it = t.field("inputTransformer");
    ConfigNode jq = t.field("jq");
    ConfigNode fn = t.field("transform");
    List<String> transforms = new ArrayList<>();
    for (ConfigNode x : List.of(it, jq, fn)) {
      if (!x.isMissing()) {
        transforms.add(x.path().substring(x.path().lastIndexOf('/') + 1));
      }
    }
    if (transforms.size() > 1) {
      t.problem(
          "expected at most one of inputTransformer, jq and transform, got "
              + String.join(" and ", transforms));
    } else if (!fn.isMissing()) {
      if (fn.isObject(true, "a mapping {function: NAME}")) {
        fn.allowOnly("function");
        String name = fn.field("function").requiredString("the name of a declared function");
        context.checkFunction(fn.field("function"), name);
        if (name != null) {
          transform = new io.sluice.core.transform.FunctionTransform(name);
        }
      }
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
    if (spec != null && kind.singleWriter() != null) {
      for (String f : List.of("ordered", "concurrency", "rateLimit")) {
        if (!t.field(f).isMissing()) {
          t.field(f)
              .problem("does not apply to a " + kind.name() + " target: " + kind.singleWriter());
        }
      }
      concurrency = 1;
    }
    BatchConfig batch = null;
    ConfigNode b = t.field("batch");
    if (!b.isMissing()) {
      if (spec != null && !kind.batches()) {
        b.problem(
            "only "
                + String.join(
                    " and ",
                    kinds.targets().stream()
                        .filter(TargetKind::batches)
                        .map(TargetKind::name)
                        .toList())
                + " targets batch; this target is "
                + kind.name());
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

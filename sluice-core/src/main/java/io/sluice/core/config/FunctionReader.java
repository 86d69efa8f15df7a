package io.sluice.core.config;

import io.sluice.core.Problem;
import io.sluice.core.config.FunctionConfig.RuntimeSpec;
import io.sluice.core.functions.RuntimeKind;
import io.sluice.core.kinds.Kinds;
import io.sluice.core.kinds.ReadContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the {@code functions} section: the common keys of each function here, the runtime's own
 * keys by its registered {@link RuntimeKind}. Every problem is recorded with its path.
 */
final class FunctionReader {

  /** Lambda's function names: 1-64 characters of letters, digits, hyphens and underscores. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** Environment variable names, as a shell takes them. */
  static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** The variables Lambda sets itself and refuses in a function's environment. */
  static final java.util.Set<String> RESERVED =
      java.util.Set.of(
          "_HANDLER",
          "_X_AMZN_TRACE_ID",
          "AWS_DEFAULT_REGION",
          "AWS_REGION",
          "AWS_EXECUTION_ENV",
          "AWS_ACCESS_KEY",
          "AWS_ACCESS_KEY_ID",
          "AWS_SECRET_ACCESS_KEY",
          "AWS_SESSION_TOKEN",
          "LAMBDA_TASK_ROOT",
          "LAMBDA_RUNTIME_DIR");

  static final List<String> COMMON =
      List.of("name", "runtime", "description", "timeout", "memory", "concurrency", "environment");

  private final Kinds kinds;
  private final ReadContext context;

  FunctionReader(Kinds kinds, ReadContext context) {
    this.kinds = kinds;
    this.context = context;
  }

  List<FunctionConfig> readAll(ConfigNode list) {
    List<FunctionConfig> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (ConfigNode n : list.list(false, "a list of functions")) {
      FunctionConfig f = read(n);
      if (f == null) {
        continue;
      }
      String before = seen.putIfAbsent(f.name(), n.path());
      if (before != null) {
        n.field("name")
            .problem(
                "duplicate function name "
                    + Problem.render(f.name())
                    + " (first at "
                    + before
                    + ")");
        continue;
      }
      out.add(f);
    }
    return out;
  }

  private FunctionConfig read(ConfigNode n) {
    if (!n.isObject(true, "a function mapping with name, runtime and the runtime's settings")) {
      return null;
    }
    String name = n.field("name").requiredString("a function name (1-64 of A-Z a-z 0-9 - _)");
    if (name != null && !NAME.matcher(name).matches()) {
      n.field("name")
          .problem(
              "expected 1-64 characters of A-Z a-z 0-9 - _ (as Lambda names), got "
                  + Problem.render(name));
    }
    String runtime =
        n.field("runtime")
            .requiredString("a runtime: one of " + String.join(", ", kinds.runtimeNames()));
    RuntimeKind<?> kind = runtime == null ? null : kinds.runtime(runtime);
    if (runtime != null && kind == null) {
      n.field("runtime")
          .problem(
              "expected one of "
                  + (kinds.runtimeNames().isEmpty()
                      ? "nothing: no runtime is registered in this process"
                      : String.join(", ", kinds.runtimeNames()))
                  + ", got "
                  + Problem.render(runtime));
    }
    List<String> allowed = new ArrayList<>(COMMON);
    if (kind != null) {
      allowed.addAll(kind.keys());
    } else { // the runtime is wrong or missing: its keys are not the problem
      for (RuntimeKind<?> k : kinds.runtimes()) {
        k.keys().stream().filter(key -> !allowed.contains(key)).forEach(allowed::add);
      }
    }
    n.allowOnly(allowed.toArray(String[]::new));
    String description = n.field("description").string("");
    Duration timeout = n.field("timeout").duration(FunctionConfig.DEFAULT_TIMEOUT);
    if (timeout.compareTo(Duration.ofMillis(100)) < 0
        || timeout.compareTo(FunctionConfig.MAX_TIMEOUT) > 0) {
      n.field("timeout")
          .problem("expected a duration from 100ms to 15m, got " + Durations.format(timeout));
      timeout = FunctionConfig.DEFAULT_TIMEOUT;
    }
    long memory =
        n.field("memory").bytes(FunctionConfig.DEFAULT_MEMORY_BYTES, 32L << 20, 10L << 30);
    int concurrency = n.field("concurrency").integer(FunctionConfig.DEFAULT_CONCURRENCY, 1, 1000);
    Map<String, String> environment = new LinkedHashMap<>();
    ConfigNode env = n.field("environment");
    if (env.isObject(false, "a mapping of variable names to strings")) {
      env.raw()
          .properties()
          .forEach(
              e -> {
                ConfigNode v = env.field(e.getKey());
                if (!VARIABLE.matcher(e.getKey()).matches()) {
                  v.problem(
                      "expected a variable name of A-Z a-z 0-9 _ not starting with a digit, got "
                          + Problem.render(e.getKey()));
                  return;
                }
                if (RESERVED.contains(e.getKey()) || e.getKey().startsWith("AWS_LAMBDA_")) {
                  v.problem(
                      "is reserved: the runtime sets "
                          + e.getKey()
                          + " itself (as Lambda does); choose another name");
                  return;
                }
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                  v.problem(
                      "expected a string, number or boolean, got "
                          + io.sluice.core.Json.describe(e.getValue()));
                  return;
                }
                environment.put(e.getKey(), context.resolveEnv(v, e.getValue().asText()));
              });
    }
    RuntimeSpec spec = kind == null ? null : kind.read(n, context);
    if (name == null || kind == null || spec == null) {
      return null;
    }
    return new FunctionConfig(
        name, runtime, spec, description, timeout, memory, concurrency, environment);
  }
}

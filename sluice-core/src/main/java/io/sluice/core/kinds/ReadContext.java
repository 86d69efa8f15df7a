package io.sluice.core.kinds;

import io.sluice.core.Problem;
import io.sluice.core.config.ConfigNode;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Function;

/**
 * What a kind's config reader may look at besides its own settings.
 *
 * @param buses the configured bus names (a setting naming a bus must name one of them), in order
 * @param env environment lookup for {@code ${env:NAME}}
 * @param base the directory relative paths resolve against (the config file's directory)
 * @param functions the declared function names (a setting naming a function must name one)
 * @param reports the declared report names (a setting naming a report must name one)
 */
public record ReadContext(
    Set<String> buses,
    Function<String, String> env,
    Path base,
    Set<String> functions,
    Set<String> reports) {

  private static final java.util.regex.Pattern ENV =
      java.util.regex.Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

  public ReadContext(Set<String> buses, Function<String, String> env, Path base) {
    this(buses, env, base, Set.of(), Set.of());
  }

  public ReadContext(
      Set<String> buses, Function<String, String> env, Path base, Set<String> functions) {
    this(buses, env, base, functions, Set.of());
  }

  /** Records a problem on {@code n} unless {@code report} is a declared report. */
  public void checkReport(ConfigNode n, String report) {
    if (report != null && !reports.contains(report)) {
      n.problem(
          "names report "
              + Problem.render(report)
              + ", which is not declared"
              + (reports.isEmpty()
                  ? " (there is no reports section)"
                  : " (reports: " + String.join(", ", reports) + ")"));
    }
  }

  /** Records a problem on {@code n} unless {@code function} is a declared function. */
  public void checkFunction(ConfigNode n, String function) {
    if (function != null && !functions.contains(function)) {
      n.problem(
          "names function "
              + Problem.render(function)
              + ", which is not declared"
              + (functions.isEmpty()
                  ? " (there is no functions section)"
                  : " (functions: " + String.join(", ", functions) + ")"));
    }
  }

  /**
   * {@code value} with every {@code ${env:NAME}} replaced; a variable that is not set is a problem
   * recorded on {@code n} (and is replaced by nothing).
   */
  public String resolveEnv(ConfigNode n, String value) {
    if (value == null || !value.contains("${env:")) {
      return value;
    }
    java.util.regex.Matcher m = ENV.matcher(value);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String v = env.apply(m.group(1));
      if (v == null) {
        n.problem("uses environment variable " + m.group(1) + ", which is not set");
        v = "";
      }
      m.appendReplacement(b, java.util.regex.Matcher.quoteReplacement(v));
    }
    m.appendTail(b);
    return b.toString();
  }

  /** Records a problem on {@code n} unless {@code bus} is a configured bus. */
  public void checkBus(ConfigNode n, String bus) {
    checkBus(buses, n, bus);
  }

  /**
   * Records a problem on {@code n} when {@code bus} is not one of {@code buses} (null: nothing to
   * check); returns whether it is fine. For readers of sections that have no ReadContext.
   */
  public static boolean checkBus(java.util.Set<String> buses, ConfigNode n, String bus) {
    if (bus != null && !buses.contains(bus)) {
      n.problem(
          "names bus "
              + Problem.render(bus)
              + ", which is not configured (buses: "
              + String.join(", ", buses)
              + ")");
      return false;
    }
    return true;
  }
}

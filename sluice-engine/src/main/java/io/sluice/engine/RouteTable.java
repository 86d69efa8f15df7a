package io.sluice.engine;

import io.sluice.core.config.RuleConfig;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The routing's current targets and enabled rules, for the parts that find one by name: the retry
 * queue (the target a due retry belongs to) and replays (the rules and targets to replay to).
 * {@link Routing} replaces it as a whole on every rule change; reads take no lock and see one
 * version.
 */
final class RouteTable {

  private record Version(
      Map<String, TargetRunner> runners,
      Map<String, RuleConfig> rules,
      Map<String, BusRouter.Routes> routes) {}

  private volatile Version current = new Version(Map.of(), Map.of(), Map.of());

  /** Makes these the current runners (by bus/rule/target), rules (by bus/rule) and bus routes. */
  void publish(
      Map<String, TargetRunner> runners,
      Map<String, RuleConfig> rules,
      Map<String, BusRouter.Routes> routes) {
    current =
        new Version(
            Collections.unmodifiableMap(new LinkedHashMap<>(runners)),
            Collections.unmodifiableMap(new LinkedHashMap<>(rules)),
            Collections.unmodifiableMap(new LinkedHashMap<>(routes)));
  }

  /** The runner of a target of an enabled rule, or {@code null}. */
  TargetRunner runner(String bus, String rule, String target) {
    return current.runners().get(Routing.key(bus, rule, target));
  }

  /** An enabled rule, or {@code null}. */
  RuleConfig rule(String bus, String name) {
    return current.rules().get(bus + "/" + name);
  }

  /** A bus's rules and targets; empty for a bus without enabled rules. */
  BusRouter.Routes routes(String bus) {
    return current.routes().getOrDefault(bus, BusRouter.Routes.EMPTY);
  }

  /** The current routes of every bus. */
  Map<String, BusRouter.Routes> routesByBus() {
    return current.routes();
  }

  /** Every runner, in the order the rules were given. */
  Collection<TargetRunner> runners() {
    return current.runners().values();
  }
}

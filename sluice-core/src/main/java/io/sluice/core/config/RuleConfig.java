package io.sluice.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A rule: an event pattern on one bus and the targets matched events go to.
 *
 * @param pattern an EventBridge event pattern (validated)
 * @param definition the rule as written (for the admin API and persistence)
 */
public record RuleConfig(
    String name,
    String bus,
    JsonNode pattern,
    boolean enabled,
    String description,
    List<TargetConfig> targets,
    JsonNode definition) {

  public RuleConfig {
    targets = List.copyOf(targets);
  }

  public RuleConfig withEnabled(boolean e) {
    return new RuleConfig(name, bus, pattern, e, description, targets, definition);
  }
}

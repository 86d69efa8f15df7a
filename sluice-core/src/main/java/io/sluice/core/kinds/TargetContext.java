package io.sluice.core.kinds;

import io.sluice.core.config.TargetConfig;
import java.time.Clock;

/**
 * What a target kind's sender is built from, besides its own settings.
 *
 * @param bus the bus the target's rule is on
 * @param rule the rule's name
 * @param target the whole target (id, timeout, batch, retry…)
 * @param clock the node's clock
 * @param events the node's buses, for kinds that put events back on one
 */
public record TargetContext(
    String bus, String rule, TargetConfig target, Clock clock, EventSink events) {}

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
    String bus, String rule, TargetConfig target, Clock clock, EventSink events) {

  /**
   * {@code part}, which a kind delivers to; when it is {@code null} (the kind was built only to
   * read config, or the part is not running here) an error naming the target and {@code what}.
   *
   * @param what the part, for the message: "the lake"
   */
  public <T> T require(T part, String what) {
    if (part == null) {
      throw new IllegalStateException(
          "rule "
              + rule
              + " target "
              + target.id()
              + ": "
              + target.spec().kind()
              + " targets need "
              + what
              + ", which is not started");
    }
    return part;
  }
}

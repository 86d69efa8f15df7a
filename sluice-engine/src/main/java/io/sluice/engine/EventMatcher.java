package io.sluice.engine;

import io.sluice.core.rules.RuleSet;
import java.util.List;

/**
 * The router's per-event step: which rules an event stored on a bus matches, and, when it matches
 * any, its parsed envelope for the targets. Public so the routing benchmark measures exactly this
 * code.
 */
public final class EventMatcher {

  /** The rules an event matched (empty for none) and the event, to be parsed by its targets. */
  public record Match(List<String> rules, EventJson event) {
    static final Match NONE = new Match(List.of(), null);
  }

  private EventMatcher() {}

  /**
   * Matches the event's stored JSON against all rules at once. Fields no rule uses are skipped; the
   * envelope is not parsed here but by the first target that needs it ({@link EventJson}).
   *
   * @throws IllegalArgumentException when the stored bytes are not a JSON object
   */
  public static Match match(RuleSet rules, byte[] eventJson) {
    if (rules.size() == 0) {
      return Match.NONE;
    }
    List<String> matched = rules.matches(eventJson);
    return matched.isEmpty() ? Match.NONE : new Match(matched, new EventJson(eventJson));
  }
}

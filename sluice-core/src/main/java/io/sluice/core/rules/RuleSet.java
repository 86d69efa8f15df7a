package io.sluice.core.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A compiled set of named event patterns, matched all at once: the router asks once per event which
 * rules match. Exact EventBridge semantics (including array consistency: conditions on fields of
 * objects inside one array must hold within the same element).
 *
 * <p>Implementations are immutable and thread-safe; a rule change builds a new set. The only
 * implementation wraps AWS's event-ruler ({@link EventRulerRuleSet}), kept behind this interface so
 * it can be replaced.
 *
 * <pre>{@code
 * RuleSet rules = RuleSet.compile(Map.of("big-orders", pattern));
 * List<String> matched = rules.matches(eventTree);
 * }</pre>
 */
public interface RuleSet {

  /** Names of the rules whose pattern matches, each once, in no particular order. */
  List<String> matches(JsonNode event);

  /** Same as {@link #matches(JsonNode)} for an event's JSON text. */
  List<String> matches(String eventJson);

  /**
   * Same as {@link #matches(JsonNode)} for an event's UTF-8 JSON as Sluice stores it on a bus (keys
   * unique): the router's path. Fields no rule uses are skipped, not parsed.
   *
   * @throws IllegalArgumentException when the bytes are not a JSON object
   */
  List<String> matches(byte[] eventJson);

  /** Number of rules in the set. */
  int size();

  /**
   * Compiles named patterns; every invalid pattern is reported (paths {@code /<name>/…}).
   *
   * @throws InvalidInputException {@code INVALID_ARGUMENT} with all problems
   */
  static RuleSet compile(Map<String, JsonNode> patterns) {
    List<Problem> problems = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : patterns.entrySet()) {
      problems.addAll(PatternValidator.check(e.getValue(), "/" + Problem.pointerToken(e.getKey())));
    }
    if (!problems.isEmpty()) {
      throw InvalidInputException.of(InvalidInputException.INVALID_ARGUMENT, problems);
    }
    return new EventRulerRuleSet(patterns);
  }

  /** An empty set that matches nothing. */
  static RuleSet empty() {
    return new EventRulerRuleSet(Map.of());
  }
}

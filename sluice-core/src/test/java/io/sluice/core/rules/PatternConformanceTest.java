package io.sluice.core.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pattern conformance gate: every case of {@code cases/patterns.json} (EventBridge's documented
 * examples and constructed edge cases for every operator and array semantics) must match exactly as
 * expected, through our validator and our {@link RuleSet}.
 */
class PatternConformanceTest {

  static List<JsonNode> cases() throws Exception {
    try (InputStream in =
        PatternConformanceTest.class.getResourceAsStream("/cases/patterns.json")) {
      List<JsonNode> out = new ArrayList<>();
      Json.MAPPER.readTree(in).forEach(out::add);
      return out;
    }
  }

  static Stream<Arguments> patternCases() throws Exception {
    return cases().stream().map(c -> Arguments.of(c.get("name").asText(), c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("patternCases")
  void patternMatchesExactlyAsEventBridgeDoes(String name, JsonNode c) {
    JsonNode pattern = c.get("pattern");

    assertThat(PatternValidator.check(pattern, "")).as("pattern is valid").isEmpty();
    RuleSet rules = RuleSet.compile(Map.of(name, pattern));

    boolean expected = c.get("matches").asBoolean();
    String text = c.get("event").toString();
    assertThat(!rules.matches(c.get("event")).isEmpty()).as("tree: " + c).isEqualTo(expected);
    assertThat(!rules.matches(text).isEmpty()).as("text: " + c).isEqualTo(expected);
    assertThat(!rules.matches(text.getBytes(StandardCharsets.UTF_8)).isEmpty())
        .as("bytes: " + c)
        .isEqualTo(expected);
    assertThat(PatternExplainer.explain(pattern, c.get("event")).matches())
        .isEqualTo(c.get("matches").asBoolean());
  }

  @Test
  void theGoldenFileCoversEveryOperatorWithBothOutcomes() throws Exception {
    Map<String, int[]> byOperator = new HashMap<>();
    for (JsonNode c : cases()) {
      int[] counts = byOperator.computeIfAbsent(c.get("operator").asText(), k -> new int[2]);
      counts[c.get("matches").asBoolean() ? 0 : 1]++;
    }
    assertThat(cases()).hasSizeGreaterThanOrEqualTo(150);
    assertThat(byOperator)
        .containsKeys(
            "equals",
            "prefix",
            "suffix",
            "equals-ignore-case",
            "wildcard",
            "anything-but",
            "anything-but-prefix",
            "anything-but-suffix",
            "anything-but-ignore-case",
            "anything-but-wildcard",
            "numeric",
            "exists",
            "null-and-empty",
            "cidr",
            "or",
            "arrays");
    assertThat(byOperator.values())
        .allSatisfy(c -> assertThat(c[0]).isPositive())
        .allSatisfy(c -> assertThat(c[1]).isPositive());
  }

  @Test
  void oneRuleSetMatchesAllRulesAtOnce() throws Exception {
    Map<String, JsonNode> patterns = new HashMap<>();
    for (JsonNode c : cases()) {
      patterns.put(c.get("name").asText(), c.get("pattern"));
    }
    RuleSet all = RuleSet.compile(patterns);
    for (JsonNode c : cases()) {
      assertThat(all.matches(c.get("event")).contains(c.get("name").asText()))
          .as(c.get("name").asText())
          .isEqualTo(c.get("matches").asBoolean());
      assertThat(all.matches(c.get("event").toString()))
          .as("text and tree agree on %s", c.get("name").asText())
          .containsExactlyInAnyOrderElementsOf(all.matches(c.get("event")));
    }
  }
}

package io.sluice.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.event.ruler.GenericMachine;

/**
 * The rule set indexes rules by their exact {@code source} values; whatever the event's source
 * looks like, the answer is the one a single event-ruler machine would give.
 */
class RuleSetTest {

  static JsonNode json(String s) throws Exception {
    return Json.MAPPER.readTree(s);
  }

  static Map<String, JsonNode> patterns() throws Exception {
    Map<String, JsonNode> p = new LinkedHashMap<>();
    p.put("shop", json("{\"source\":[\"shop\"]}"));
    p.put("shop-or-bank", json("{\"source\":[\"shop\",\"bank\"],\"detail\":{\"n\":[1]}}"));
    p.put("prefix-s", json("{\"source\":[{\"prefix\":\"s\"}]}"));
    p.put(
        "exact-and-prefix",
        json("{\"source\":[\"shop\",{\"prefix\":\"sh\"}],\"detail-type\":[\"T\"]}"));
    p.put("empty-prefix", json("{\"source\":[{\"prefix\":\"\"}],\"detail\":{\"n\":[1]}}"));
    p.put("long-prefix", json("{\"source\":[{\"prefix\":\"shopping\"}]}"));
    p.put("no-source", json("{\"detail-type\":[\"T\"]}"));
    p.put("source-absent", json("{\"source\":[{\"exists\":false}]}"));
    p.put("numeric-source", json("{\"source\":[5]}"));
    p.put("or-source", json("{\"$or\":[{\"source\":[\"bank\"]},{\"detail-type\":[\"U\"]}]}"));
    return p;
  }

  static RuleSet rules() throws Exception {
    return RuleSet.compile(patterns());
  }

  /** What one plain event-ruler machine with all rules answers: the reference. */
  static List<String> reference(String event) throws Exception {
    GenericMachine<String> m = GenericMachine.<String>builder().build();
    for (Map.Entry<String, JsonNode> e : patterns().entrySet()) {
      m.addRule(e.getKey(), e.getValue().toString());
    }
    return m.rulesForJSONEvent(event);
  }

  static List<String> all(RuleSet r, String event) throws Exception {
    List<String> tree = r.matches(json(event));
    assertThat(tree).containsExactlyInAnyOrderElementsOf(reference(event));
    assertThat(r.matches(event)).containsExactlyInAnyOrderElementsOf(tree);
    assertThat(r.matches(event.getBytes(StandardCharsets.UTF_8)))
        .containsExactlyInAnyOrderElementsOf(tree);
    return tree;
  }

  @Test
  void eventsMatchTheRulesOfTheirSourceAndTheRulesWithoutOne() throws Exception {
    RuleSet r = rules();
    assertThat(all(r, "{\"source\":\"shop\",\"detail-type\":\"T\",\"detail\":{\"n\":1}}"))
        .containsExactlyInAnyOrder(
            "shop", "shop-or-bank", "prefix-s", "no-source", "exact-and-prefix", "empty-prefix");
    assertThat(all(r, "{\"source\":\"bank\",\"detail\":{\"n\":1}}"))
        .containsExactlyInAnyOrder("shop-or-bank", "or-source", "empty-prefix");
    assertThat(all(r, "{\"source\":\"other\",\"detail-type\":\"U\"}"))
        .containsExactlyInAnyOrder("or-source");
    assertThat(all(r, "{\"detail-type\":\"T\"}"))
        .containsExactlyInAnyOrder("no-source", "source-absent");
    assertThat(all(r, "{\"source\":\"shopping-cart\",\"detail-type\":\"T\"}"))
        .containsExactlyInAnyOrder("prefix-s", "exact-and-prefix", "long-prefix", "no-source");
    assertThat(r.size()).isEqualTo(10);
  }

  @Test
  void sourcesThatAreNotOneStringAreMatchedAgainstEveryRule() throws Exception {
    RuleSet r = rules();
    assertThat(all(r, "{\"source\":[\"bank\",\"shop\"],\"detail\":{\"n\":1}}"))
        .contains("shop", "shop-or-bank", "prefix-s", "or-source", "empty-prefix");
    assertThat(all(r, "{\"source\":5}")).containsExactlyInAnyOrder("numeric-source");
    assertThat(all(r, "{\"source\":null}")).doesNotContain("shop", "prefix-s");
    assertThat(all(r, "{\"source\":{\"shop\":1}}")).doesNotContain("shop", "prefix-s");
  }

  @Test
  void aRepeatedSourceKeyIsMatchedLikeEventRulerDoes() {
    RuleSet r =
        RuleSet.compile(
            Map.of(
                "bank",
                Json.MAPPER
                    .createObjectNode()
                    .set("source", Json.MAPPER.createArrayNode().add("bank"))));
    // event-ruler reads both values, as if they were an array
    assertThat(r.matches("{\"source\":\"shop\",\"source\":\"bank\"}")).containsExactly("bank");
  }

  @Test
  void badEventTextIsRefusedWithAClearError() throws Exception {
    RuleSet r = rules();
    assertThatThrownBy(() -> r.matches("{\"source\":\"shop\""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("event is not JSON");
    assertThatThrownBy(() -> r.matches("not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("event is not JSON");
  }

  @Test
  void invalidPatternsAreReportedByRuleName() throws Exception {
    assertThatThrownBy(
            () -> RuleSet.compile(Map.of("broken", json("{\"source\":[{\"prefix\":5}]}"))))
        .isInstanceOf(InvalidInputException.class)
        .satisfies(
            e ->
                assertThat(((InvalidInputException) e).problems().get(0).path())
                    .startsWith("/broken/source"));
  }

  @Test
  void anEmptySetMatchesNothing() throws Exception {
    assertThat(RuleSet.empty().matches("{\"source\":\"a\"}")).isEmpty();
    assertThat(RuleSet.empty().matches(json("{}"))).isEmpty();
    assertThat(RuleSet.empty().matches("x".getBytes(StandardCharsets.UTF_8))).isEmpty();
  }

  @Test
  void allGoldenPatternsTogetherAnswerLikeOneEventRulerMachine() throws Exception {
    Map<String, JsonNode> patterns = new LinkedHashMap<>();
    GenericMachine<String> reference = GenericMachine.<String>builder().build();
    java.util.Set<String> sources = new java.util.TreeSet<>();
    for (JsonNode c : PatternConformanceTest.cases()) {
      patterns.put(c.get("name").asText(), c.get("pattern"));
      reference.addRule(c.get("name").asText(), c.get("pattern").toString());
      c.get("pattern").path("source").forEach(v -> sources.add(v.toString()));
    }
    RuleSet r = RuleSet.compile(patterns);
    int checked = 0;
    for (JsonNode c : PatternConformanceTest.cases()) {
      for (String source : sources) {
        // the case's event with each source the patterns mention, and without one
        com.fasterxml.jackson.databind.node.ObjectNode e =
            ((com.fasterxml.jackson.databind.node.ObjectNode) c.get("event")).deepCopy();
        e.set("source", json(source));
        String text = e.toString();
        List<String> expected = reference.rulesForJSONEvent(text);
        assertThat(r.matches(text)).as(text).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(r.matches(e)).as(text).containsExactlyInAnyOrderElementsOf(expected);
        e.remove("source");
        assertThat(r.matches(e.toString()))
            .containsExactlyInAnyOrderElementsOf(reference.rulesForJSONEvent(e.toString()));
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(1000);
  }
}

package io.sluice.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PatternValidatorTest {

  static List<String> problems(String pattern) throws Exception {
    return PatternValidator.check(Json.MAPPER.readTree(pattern), "/rules/2/pattern").stream()
        .map(Problem::toString)
        .toList();
  }

  static Stream<Arguments> bad() {
    return Stream.of(
        Arguments.of(
            "[1]",
            "/rules/2/pattern: expected a non-empty JSON object (an event pattern), got array [1]"),
        Arguments.of(
            "{}",
            "/rules/2/pattern: expected a non-empty JSON object (an event pattern), got object {}"),
        Arguments.of(
            "{\"source\":\"shop\"}",
            "/rules/2/pattern/source: expected an array of match conditions (like [\"shop\"]) or a nested object, got string \"shop\""),
        Arguments.of(
            "{\"source\":[]}",
            "/rules/2/pattern/source: expected a non-empty array of match conditions, got []"),
        Arguments.of(
            "{\"detail\":{}}",
            "/rules/2/pattern/detail: expected an array of match conditions or a non-empty nested object, got {}"),
        Arguments.of(
            "{\"detail\":{\"amount\":[{\"numeric\":[\">\",100,\"<\"]}]}}",
            "/rules/2/pattern/detail/amount/0/numeric: numeric expects [operator, number] pairs, got 3 elements"),
        Arguments.of(
            "{\"a\":[{\"numeric\":[\"!=\",1]}]}",
            "/rules/2/pattern/a/0/numeric/0: numeric operator must be one of =, <, <=, >, >=, got string \"!=\""),
        Arguments.of(
            "{\"a\":[{\"numeric\":[\">\",\"5\"]}]}",
            "/rules/2/pattern/a/0/numeric/1: numeric value must be a number, got string \"5\""),
        Arguments.of(
            "{\"a\":[{\"numeric\":[\"<\",10,\">\",0]}]}",
            "/rules/2/pattern/a/0/numeric: numeric range must be a lower bound (> or >=) then an upper bound (< or <=), got < then >"),
        Arguments.of(
            "{\"a\":[{\"numeric\":[\">\",10,\"<\",5]}]}",
            "/rules/2/pattern/a/0/numeric: numeric range is empty: 10 is not below 5"),
        Arguments.of(
            "{\"a\":[{\"nosuch\":1}]}",
            "/rules/2/pattern/a/0/nosuch: unknown operator \"nosuch\"; expected one of prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, exists, cidr"),
        Arguments.of(
            "{\"a\":[{\"prefix\":1}]}",
            "/rules/2/pattern/a/0/prefix: prefix expects a string, got number 1"),
        Arguments.of(
            "{\"a\":[{\"prefix\":\"x\",\"suffix\":\"y\"}]}",
            "/rules/2/pattern/a/0: expected exactly one operator in a match condition, got 2: prefix, suffix"),
        Arguments.of(
            "{\"a\":[{\"equals-ignore-case\":[\"x\"]}]}",
            "/rules/2/pattern/a/0/equals-ignore-case: equals-ignore-case expects a string, got array [\"x\"]"),
        Arguments.of(
            "{\"a\":[{\"wildcard\":\"a**b\"}]}",
            "/rules/2/pattern/a/0/wildcard: wildcard has consecutive * at position 2 in \"a**b\""),
        Arguments.of(
            "{\"a\":[{\"exists\":\"yes\"}]}",
            "/rules/2/pattern/a/0/exists: exists expects true or false, got string \"yes\""),
        Arguments.of(
            "{\"a\":[{\"cidr\":\"10.0.0.0/33\"}]}",
            "/rules/2/pattern/a/0/cidr: cidr expects an IP prefix like 10.0.0.0/24 or 2001:db8::/32, got string \"10.0.0.0/33\" (prefix length 33 is outside 0..31)"),
        Arguments.of(
            "{\"a\":[{\"cidr\":\"300.0.0.0/8\"}]}",
            "/rules/2/pattern/a/0/cidr: cidr expects an IP prefix like 10.0.0.0/24 or 2001:db8::/32, got string \"300.0.0.0/8\" (octet 300 is over 255)"),
        Arguments.of(
            "{\"a\":[{\"anything-but\":[]}]}",
            "/rules/2/pattern/a/0/anything-but: anything-but expects a non-empty list, got []"),
        Arguments.of(
            "{\"a\":[{\"anything-but\":[\"x\",1]}]}",
            "/rules/2/pattern/a/0/anything-but/1: anything-but expects a list of only strings or only numbers, got number 1"),
        Arguments.of(
            "{\"a\":[{\"anything-but\":{\"nope\":\"x\"}}]}",
            "/rules/2/pattern/a/0/anything-but: anything-but expects a value, a list of values, or one of {prefix}, {suffix}, {equals-ignore-case}, {wildcard}, got object {\"nope\":\"x\"}"),
        Arguments.of(
            "{\"$or\":[{\"a\":[1]}]}",
            "/rules/2/pattern/$or: $or expects an array of at least 2 pattern objects, got array [{\"a\":[1]}]"),
        Arguments.of(
            "{\"$or\":[{\"a\":[1]},[]]}",
            "/rules/2/pattern/$or/1: expected a non-empty pattern object, got array []"),
        Arguments.of(
            "{\"a\":[[1]]}",
            "/rules/2/pattern/a/0: expected a value or an {operator: …} object, got array [1]"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("bad")
  void badPatternsAreReportedWithPathOperatorAndValue(String pattern, String expected)
      throws Exception {
    assertThat(problems(pattern)).containsExactly(expected);
  }

  @Test
  void reportsEveryProblemInOnePattern() throws Exception {
    assertThat(
            problems(
                "{\"source\":\"x\",\"detail\":{\"n\":[{\"numeric\":[1]}],\"m\":[{\"exists\":1}]}}"))
        .containsExactly(
            "/rules/2/pattern/source: expected an array of match conditions (like [\"x\"]) or a nested object, got string \"x\"",
            "/rules/2/pattern/detail/n/0/numeric: numeric expects [operator, number] pairs, got 1 elements",
            "/rules/2/pattern/detail/m/0/exists: exists expects true or false, got number 1");
  }

  @Test
  void refusesOversizedAndPathologicalPatterns() throws Exception {
    String big = "{\"a\":[" + "\"x\",".repeat(1400) + "\"x\"]}";
    assertThat(problems(big))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p)
                    .startsWith("/rules/2/pattern: pattern is ")
                    .endsWith(" characters, over the limit of 4096"));

    StringBuilder wild = new StringBuilder("{\"a\":[");
    for (int i = 0; i < 30; i++) {
      wild.append(i == 0 ? "" : ",").append("{\"wildcard\":\"*a").append(i).append("*b*c*\"}");
    }
    assertThat(problems(wild.append("]}").toString()))
        .containsExactly(
            "/rules/2/pattern: wildcard conditions use 120 * in all, over the limit of 16; use"
                + " fewer wildcard patterns or fewer * in each");
    assertThat(
            problems(
                "{\"a\":[{\"wildcard\":\"*x*y*\"},{\"anything-but\":{\"wildcard\":[\"a\\\\*b*\"]}}]}"))
        .isEmpty();
  }

  @Test
  void compileReportsProblemsOfEveryNamedPattern() throws Exception {
    assertThatThrownBy(
            () ->
                RuleSet.compile(
                    Map.of(
                        "good",
                        Json.MAPPER.readTree("{\"a\":[1]}"),
                        "bad",
                        Json.MAPPER.readTree("{\"a\":1}"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "/bad/a: expected an array of match conditions (like [\"value\"]) or a nested object, got number 1");
  }

  @Test
  void explainsWhichConditionFailed() throws Exception {
    var pattern =
        Json.MAPPER.readTree(
            "{\"source\":[\"shop\"],\"detail\":{\"amount\":[{\"numeric\":[\">\",100]}],\"note\":[{\"exists\":true}]}}");
    var event =
        Json.MAPPER.readTree(
            "{\"source\":\"shop\",\"detail-type\":\"T\",\"detail\":{\"amount\":12}}");

    var e = PatternExplainer.explain(pattern, event);

    assertThat(e.matches()).isFalse();
    assertThat(e.lines())
        .containsExactly(
            "✓ /source [\"shop\"] matched \"shop\"",
            "✗ /detail/amount [{\"numeric\":[\">\",100]}] did not match 12",
            "✗ /detail/note [{\"exists\":true}] did not match (the field is missing)");
  }

  @Test
  void explainsOrBranchesAndArrayConsistency() throws Exception {
    var or = Json.MAPPER.readTree("{\"$or\":[{\"source\":[\"a\"]},{\"detail\":{\"x\":[1]}}]}");
    var e =
        PatternExplainer.explain(
            or, Json.MAPPER.readTree("{\"source\":\"b\",\"detail\":{\"x\":1}}"));
    assertThat(e.matches()).isTrue();
    assertThat(e.lines())
        .contains("✓ / $or: a branch holds", "  branch 1 fails:", "  branch 2 holds:");

    var arrays = Json.MAPPER.readTree("{\"detail\":{\"items\":{\"sku\":[\"a\"],\"qty\":[2]}}}");
    var ev =
        Json.MAPPER.readTree(
            "{\"detail\":{\"items\":[{\"sku\":\"a\",\"qty\":1},{\"sku\":\"b\",\"qty\":2}]}}");
    var ex = PatternExplainer.explain(arrays, ev);
    assertThat(ex.matches()).isFalse();
    assertThat(ex.lines().get(ex.lines().size() - 1))
        .startsWith(
            "every condition holds on its own, but not within the same element of an array");
  }
}

package io.sluice.core.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InputTransformerTest {

  static final String EVENT =
      """
      {"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification",
       "source":"aws.ec2","account":"123456789012","time":"2015-11-11T21:29:54Z","region":"us-east-1",
       "resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
       "detail":{"instance-id":"i-0123456789","state":"RUNNING","items":[{"n":1},{"n":2}],"quote":"say \\"hi\\""}}""";

  static TransformInput input() throws Exception {
    JsonNode e = Json.MAPPER.readTree(EVENT);
    return new TransformInput(
        e,
        EVENT.getBytes(StandardCharsets.UTF_8),
        "orders",
        "ec2-state",
        "hook",
        Instant.parse("2026-11-23T10:00:00Z").toEpochMilli(),
        null);
  }

  static String apply(Map<String, String> paths, String template) throws Exception {
    List<Problem> problems = new ArrayList<>();
    InputTransformer t = InputTransformer.compile(paths, template, "/t", problems);
    assertThat(problems).isEmpty();
    TransformOutput out = t.apply(input());
    return new String(out.bytes(), StandardCharsets.UTF_8);
  }

  static final Map<String, String> PATHS =
      new LinkedHashMap<>(
          Map.of(
              "instance",
              "$.detail.instance-id",
              "state",
              "$.detail.state",
              "timestamp",
              "$.time"));

  @Test
  void followsEventBridgesDocumentedExamples() throws Exception {
    assertThat(apply(PATHS, "\"instance <instance> is in <state>\""))
        .isEqualTo("\"instance i-0123456789 is in RUNNING\"");
    assertThat(apply(PATHS, "{\"instance\" : <instance>, \"state\": <state>}"))
        .isEqualTo("{\"instance\":\"i-0123456789\",\"state\":\"RUNNING\"}");
    assertThat(
            apply(
                PATHS,
                "{\"instance\" : <instance>, \"state\": \"<state>\", \"instanceStatus\": \"instance \\\"<instance>\\\" is in <state>\"}"))
        .isEqualTo(
            "{\"instance\":\"i-0123456789\",\"state\":\"RUNNING\",\"instanceStatus\":\"instance \\\"i-0123456789\\\" is in RUNNING\"}");
    assertThat(
            apply(
                PATHS,
                "{\"instance\" : <instance>, \"state\": [ 9, <state>, true ], \"Transformed\" : \"Yes\"}"))
        .isEqualTo(
            "{\"instance\":\"i-0123456789\",\"state\":[9,\"RUNNING\",true],\"Transformed\":\"Yes\"}");
    assertThat(apply(PATHS, "\"<aws.events.rule-name> triggered\""))
        .isEqualTo("\"ec2-state triggered\"");
  }

  @Test
  void reservedVariablesGiveRuleEventAndTimes() throws Exception {
    String out =
        apply(
            Map.of(),
            "{\"rule\": <sluice.rule.name>, \"arn\": <aws.events.rule-arn>, \"at\": <sluice.event.ingestion-time>, \"event\": <sluice.event>, \"whole\": <aws.events.event.json>}");
    JsonNode n = Json.MAPPER.readTree(out);
    assertThat(n.get("rule").asText()).isEqualTo("ec2-state");
    assertThat(n.get("arn").asText())
        .isEqualTo("arn:sluice:events:local:000000000000:rule/orders/ec2-state");
    assertThat(n.get("at").asText()).isEqualTo("2026-11-23T10:00:00Z");
    assertThat(n.get("event").has("detail")).isFalse();
    assertThat(n.get("event").get("source").asText()).isEqualTo("aws.ec2");
    assertThat(n.get("whole").get("detail").get("state").asText()).isEqualTo("RUNNING");
  }

  @Test
  void valuesInsideStringsAreEscapedAndMissingPathsAreNull() throws Exception {
    Map<String, String> p =
        Map.of(
            "q",
            "$.detail.quote",
            "items",
            "$.detail.items[*].n",
            "first",
            "$.detail.items[0]",
            "none",
            "$.detail.nothing");
    assertThat(
            apply(
                p,
                "{\"text\": \"<q>\", \"q\": <q>, \"ns\": <items>, \"first\": <first>, \"none\": <none>, \"s\": \"[<none>]\"}"))
        .isEqualTo(
            "{\"text\":\"say \\\"hi\\\"\",\"q\":\"say \\\"hi\\\"\",\"ns\":[1,2],\"first\":{\"n\":1},\"none\":null,\"s\":\"[]\"}");
  }

  @Test
  void aTemplateThatIsNotJsonIsPlainText() throws Exception {
    List<Problem> problems = new ArrayList<>();
    TransformOutput out =
        InputTransformer.compile(PATHS, "<instance> is in state <state>", "/t", problems)
            .apply(input());
    assertThat(out).isInstanceOf(TransformOutput.Text.class);
    assertThat(new String(out.bytes(), StandardCharsets.UTF_8))
        .isEqualTo("\"i-0123456789\" is in state \"RUNNING\"");
    assertThat(out.contentType()).isEqualTo("text/plain; charset=utf-8");
  }

  @Test
  void compileReportsEveryProblem() {
    List<Problem> problems = new ArrayList<>();
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("ok", "$.detail.a");
    bad.put("aws.events.rule-name", "$.x");
    bad.put("nodollar", "detail.a");
    bad.put("brackets", "$['a']");
    assertThat(
            InputTransformer.compile(
                bad,
                "{\"a\": <ok>, \"b\": <unknown>}",
                "/rules/0/targets/0/inputTransformer",
                problems))
        .isNull();
    assertThat(problems)
        .map(Problem::toString)
        .containsExactly(
            "/rules/0/targets/0/inputTransformer/inputPathsMap/aws.events.rule-name: variable name \"aws.events.rule-name\" is reserved (names starting with aws. or sluice.)",
            "/rules/0/targets/0/inputTransformer/inputPathsMap/nodollar: expected a JSON path starting with $, like $.detail.amount, got \"detail.a\"",
            "/rules/0/targets/0/inputTransformer/inputPathsMap/brackets: expected an array index or * inside [ ] at position 1 of \"$['a']\" (use dot notation for names)",
            "/rules/0/targets/0/inputTransformer/inputTemplate: uses <unknown>, which is neither in inputPathsMap nor a reserved variable");
    problems.clear();
    assertThat(InputTransformer.compile(Map.of(), "", "/t", problems)).isNull();
    assertThat(problems)
        .map(Problem::toString)
        .containsExactly(
            "/t/inputTemplate: is required: a template such as {\"amount\": <amount>}");
  }

  @Test
  void jqTransformsCanReshapeSplitOrSkip() throws Exception {
    List<Problem> problems = new ArrayList<>();
    JqTransform detail =
        JqTransform.compile("{id, state: .detail.state, rule: $rule}", "/jq", problems);
    JqTransform many = JqTransform.compile(".detail.items[]", "/jq", problems);
    JqTransform none = JqTransform.compile("select(.detail.state == \"STOPPED\")", "/jq", problems);
    assertThat(problems).isEmpty();

    assertThat(new String(detail.apply(input()).bytes(), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"id\":\"7bf73129-1428-4cd3-a780-95db273d1602\",\"state\":\"RUNNING\",\"rule\":\"ec2-state\"}");
    assertThat(new String(many.apply(input()).bytes(), StandardCharsets.UTF_8))
        .isEqualTo("[{\"n\":1},{\"n\":2}]");
    assertThat(none.apply(input()))
        .isInstanceOfSatisfying(
            TransformOutput.Skip.class,
            s ->
                assertThat(s.reason())
                    .isEqualTo("jq select(.detail.state == \"STOPPED\") produced no value"));

    assertThat(JqTransform.compile(".detail | ???", "/rules/0/targets/0/jq", problems)).isNull();
    assertThat(problems)
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.toString())
                    .startsWith("/rules/0/targets/0/jq: jq expression does not compile: "));
    JqTransform failing = JqTransform.compile(".detail.state | tonumber", "/jq", new ArrayList<>());
    assertThatThrownBy(() -> failing.apply(input()))
        .isInstanceOf(Transform.TransformException.class)
        .hasMessageStartingWith("jq .detail.state | tonumber failed: ");
  }
}

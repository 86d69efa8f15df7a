package io.sluice.core.kinds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.config.ConfigSchema;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.config.TargetConfig;
import io.sluice.core.config.TargetConfig.TargetSpec;
import io.sluice.core.targets.Sender;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Kinds that core has never heard of, registered the way a module registers its own: the loader
 * reads them, its messages list them, the schema has them, and senders come from them.
 */
class KindsTest {

  record Echo(String word) implements TargetSpec {
    @Override
    public String kind() {
      return "echo";
    }
  }

  record Sink() implements TargetSpec {
    @Override
    public String kind() {
      return "sink";
    }
  }

  static final List<String> SENT = new ArrayList<>();

  static final class EchoKind implements TargetKind<Echo> {
    @Override
    public String name() {
      return "echo";
    }

    @Override
    public Class<Echo> specType() {
      return Echo.class;
    }

    @Override
    public boolean batches() {
      return true;
    }

    @Override
    public Echo read(ConfigNode n, ReadContext context) {
      if (!n.isObject(true, "a mapping with word")) {
        return null;
      }
      n.allowOnly("word");
      return new Echo(n.field("word").requiredString("a word to say"));
    }

    @Override
    public ObjectNode schema() {
      ObjectNode s = Json.MAPPER.createObjectNode().put("type", "object");
      s.putArray("required").add("word");
      s.putObject("properties").putObject("word").put("type", "string");
      return s;
    }

    @Override
    public Sender sender(Echo spec, TargetContext context) {
      return items -> SENT.add(context.rule() + "/" + context.target().id() + ": " + spec.word());
    }
  }

  static final class SinkKind implements TargetKind<Sink> {
    @Override
    public String name() {
      return "sink";
    }

    @Override
    public Class<Sink> specType() {
      return Sink.class;
    }

    @Override
    public String singleWriter() {
      return "it keeps one file per partition";
    }

    @Override
    public Sink read(ConfigNode n, ReadContext context) {
      return new Sink();
    }

    @Override
    public ObjectNode schema() {
      return Json.MAPPER.createObjectNode().put("type", "object");
    }

    @Override
    public Sender sender(Sink spec, TargetContext context) {
      throw new IllegalStateException("sink targets need the sink, which is not started");
    }
  }

  static final Kinds KINDS = Kinds.of(List.of(new EchoKind()), List.of(new SinkKind()));

  static SluiceConfig parse(String rules) {
    return ConfigLoader.parse("rules: " + rules, "test.yaml", Path.of("/srv"), KINDS);
  }

  static List<String> problems(String rules) {
    try {
      parse(rules);
    } catch (InvalidInputException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
    return List.of();
  }

  static final String RULE = "[{name: r, pattern: {source: [a]}, targets: [%s]}]";

  @Test
  void aRegisteredKindIsReadAndDeliversThroughItsSender() throws Exception {
    SluiceConfig c = parse(RULE.formatted("{id: t, echo: {word: hello}, batch: {size: 5}}"));
    TargetConfig t = c.rules().get(0).targets().get(0);
    assertThat(t.spec()).isEqualTo(new Echo("hello"));
    assertThat(t.batch().size()).isEqualTo(5);

    SENT.clear();
    KINDS.sender(new TargetContext("default", "r", t, Clock.systemUTC(), null)).send(List.of());
    assertThat(SENT).containsExactly("r/t: hello");
  }

  @Test
  void theKindsSettingsAreCheckedWithTheirPaths() {
    assertThat(problems(RULE.formatted("{id: t, echo: {word: 5, colour: red}}")))
        .containsExactly(
            "/rules/0/targets/0/echo/colour: unknown field; expected one of word",
            "/rules/0/targets/0/echo/word: expected a string, got number 5");
  }

  @Test
  void aFunctionTransformNamesADeclaredFunctionAndIsTheOnlyTransform() {
    assertThat(
            problems(
                RULE.formatted(
                    "{id: t, echo: {word: a}, jq: '.detail', transform: {function: enrich}}")))
        .containsExactly(
            "/rules/0/targets/0: expected at most one of inputTransformer, jq and transform, got"
                + " jq and transform");
    assertThat(problems(RULE.formatted("{id: t, echo: {word: a}, transform: {function: enrich}}")))
        .containsExactly(
            "/rules/0/targets/0/transform/function: names function \"enrich\", which is not"
                + " declared (there is no functions section)");
    assertThat(problems(RULE.formatted("{id: t, echo: {word: a}, transform: {fn: x}}")))
        .containsExactly(
            "/rules/0/targets/0/transform/fn: unknown field; expected one of function",
            "/rules/0/targets/0/transform/function: is required: the name of a declared function");
  }

  @Test
  void messagesNameTheRegisteredKinds() {
    assertThat(problems(RULE.formatted("{id: t}")))
        .containsExactly("/rules/0/targets/0: expected exactly one of echo, sink, got none");
    assertThat(problems(RULE.formatted("{id: t, echo: {word: a}, sink: {}}")))
        .containsExactly("/rules/0/targets/0: expected exactly one of echo, sink, got echo, sink");
    assertThat(problems(RULE.formatted("{id: t, http: {url: 'http://x'}}")))
        .containsExactly(
            "/rules/0/targets/0/http: unknown field; expected one of id, echo, sink,"
                + " inputTransformer, jq, transform, concurrency, rateLimit, timeout, retry,"
                + " ordered, batch",
            "/rules/0/targets/0: expected exactly one of echo, sink, got none");
  }

  @Test
  void aKindThatDeliversAloneRefusesOrderingConcurrencyRateAndBatch() {
    assertThat(
            problems(
                RULE.formatted(
                    "{id: t, sink: {}, ordered: true, concurrency: 2, rateLimit: 5, batch: {}}")))
        .containsExactly(
            "/rules/0/targets/0/ordered: does not apply to a sink target: it keeps one file per"
                + " partition",
            "/rules/0/targets/0/concurrency: does not apply to a sink target: it keeps one file per"
                + " partition",
            "/rules/0/targets/0/rateLimit: does not apply to a sink target: it keeps one file per"
                + " partition",
            "/rules/0/targets/0/batch: only echo targets batch; this target is sink");
    TargetConfig t = parse(RULE.formatted("{id: t, sink: {}}")).rules().get(0).targets().get(0);
    assertThat(t.concurrency()).isEqualTo(1);
  }

  @Test
  void theSchemaHasEveryKindAndItsRules() {
    var target = ConfigSchema.generate(KINDS).path("definitions").path("target");
    assertThat(target.path("properties").path("echo").path("required").toString())
        .isEqualTo("[\"word\"]");
    assertThat(target.path("oneOf").toString())
        .isEqualTo("[{\"required\":[\"echo\"]},{\"required\":[\"sink\"]}]");
    assertThat(target.path("allOf").toString())
        .contains("{\"if\":{\"required\":[\"sink\"]}")
        .doesNotContain("{\"if\":{\"required\":[\"echo\"]}");
  }

  @Test
  void twoKindsWithOneNameAreRefused() {
    assertThatThrownBy(() -> Kinds.of(List.of(new EchoKind()), List.of(new EchoKind())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two target kinds are named echo");
  }

  @Test
  void settingsOfAKindThatIsNotRegisteredHereGetNoSender() {
    TargetConfig t =
        parse(RULE.formatted("{id: t, echo: {word: a}}")).rules().get(0).targets().get(0);
    assertThatThrownBy(
            () ->
                Kinds.of(List.of(new SinkKind()))
                    .sender(new TargetContext("default", "r", t, Clock.systemUTC(), null)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "rule r target t: no target kind echo is registered in this process (kinds: sink)");
    TargetConfig s = parse(RULE.formatted("{id: s, sink: {}}")).rules().get(0).targets().get(0);
    assertThatThrownBy(
            () -> KINDS.sender(new TargetContext("default", "r", s, Clock.systemUTC(), null)))
        .hasMessage("sink targets need the sink, which is not started");
  }
}

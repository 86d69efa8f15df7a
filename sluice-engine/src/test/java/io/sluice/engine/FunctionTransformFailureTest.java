package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.config.FunctionConfig;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.functions.FunctionRuntime;
import io.sluice.core.functions.Functions;
import io.sluice.core.functions.InvocationResult;
import io.sluice.core.functions.RuntimeContext;
import io.sluice.core.functions.RuntimeKind;
import io.sluice.core.kinds.Kinds;
import io.sluice.core.kinds.ReadContext;
import io.sluice.engine.targets.EngineTargets;
import io.sluice.log.EmbeddedEventLog;
import io.sluice.testkit.Await;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A function transform that throws (a bug in a runtime, a node without its functions) never strands
 * the deliveries it was given: they are retried, then dead-lettered with what happened.
 */
class FunctionTransformFailureTest {

  @TempDir Path dir;

  record Spec() implements FunctionConfig.RuntimeSpec {
    @Override
    public String runtime() {
      return "broken";
    }
  }

  /** Reads a function of runtime {@code broken}; its functions are never started here. */
  static final class BrokenKind implements RuntimeKind<Spec> {
    @Override
    public String name() {
      return "broken";
    }

    @Override
    public Class<Spec> specType() {
      return Spec.class;
    }

    @Override
    public List<String> keys() {
      return List.of();
    }

    @Override
    public Spec read(ConfigNode function, ReadContext context) {
      return new Spec();
    }

    @Override
    public ObjectNode schema() {
      return Json.MAPPER.createObjectNode();
    }

    @Override
    public FunctionRuntime start(FunctionConfig function, Spec spec, RuntimeContext context) {
      throw new UnsupportedOperationException("not started in this test");
    }
  }

  /** Functions whose every call throws, as a runtime with a bug would. */
  static final class Throwing implements Functions {
    @Override
    public InvocationResult invoke(
        String name, byte[] payload, String caller, Duration maxWait, String requestId) {
      throw new IllegalStateException("runtime bug");
    }

    @Override
    public String invokeAsync(String name, byte[] payload) {
      throw new IllegalStateException("runtime bug");
    }

    @Override
    public boolean has(String name) {
      return true;
    }

    @Override
    public List<Info> list() {
      return List.of();
    }

    @Override
    public List<LogLine> logs(String name, long afterSequence, int limit) {
      return List.of();
    }

    @Override
    public String bootId() {
      return "test";
    }
  }

  @Test
  void aTransformThatThrowsRetriesItsBatchAndThenDeadLettersIt() throws Exception {
    Kinds kinds = Kinds.of(EngineTargets.kinds()).withRuntimes(List.of(new BrokenKind()));
    SluiceConfig c =
        ConfigLoader.parse(
                """
                functions: [{name: reshape, runtime: broken}]
                rules:
                  - name: r
                    pattern: {source: [s]}
                    targets:
                      - {id: print, log: {}, transform: {function: reshape},
                         retry: {maxAttempts: 2, initialBackoff: 10ms, maxBackoff: 10ms}}
                """,
                "t.yaml",
                dir,
                kinds)
            .withDataDir(dir.resolve("data"));
    Clock clock = Clock.systemUTC();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (Engine engine =
        Engine.start(
            c,
            EmbeddedEventLog.open(dir.resolve("data/log"), clock),
            clock,
            meters,
            kinds,
            new Health(clock, meters),
            new Throwing())) {
      engine
          .ingest()
          .store(
              "default",
              List.of(
                  engine
                      .ingest()
                      .prepare(
                          Json.MAPPER.readTree(
                              "{\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{}}"),
                          "")))
          .join();

      List<JsonNode> dead = new ArrayList<>();
      Await.until(
          Duration.ofSeconds(30),
          () -> {
            dead.clear();
            dead.addAll(
                engine.routing().deadLetters().list(DeadLetters.Filter.ALL, 0, 100).deadLetters());
            return dead.size() == 1;
          },
          () -> "dead letters: " + dead);
      assertThat(dead.get(0).get("error").asText())
          .matches(
              "gave up after 2 attempts over \\d+m?s \\(retry: maxAttempts 2, maxAge 1d\\); last"
                  + " error: transform failed unexpectedly: java.lang.IllegalStateException: runtime"
                  + " bug");
    }
  }
}

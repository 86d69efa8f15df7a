package io.sluice.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.config.FunctionConfig;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.functions.FunctionErrors;
import io.sluice.core.functions.FunctionRuntime;
import io.sluice.core.functions.Invocation;
import io.sluice.core.functions.InvocationResult;
import io.sluice.core.functions.RuntimeContext;
import io.sluice.core.functions.RuntimeKind;
import io.sluice.core.kinds.Kinds;
import io.sluice.core.kinds.ReadContext;
import io.sluice.testkit.Await;
import io.sluice.testkit.ConfigProblems;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host's own behaviour (concurrency, throttling, durable asynchronous invocations, the config
 * section), over a runtime kind of this test that runs its handler in the JVM: {@code mode: echo}
 * returns the payload, {@code fail} fails retryably, {@code permanent} fails for good, {@code
 * block} waits for the test.
 */
class FunctionHostTest {

  @TempDir Path dir;

  @org.junit.jupiter.api.BeforeEach
  void newLatch() {
    release = new CountDownLatch(1);
    SEEN.clear();
  }

  /** What {@code mode: block} waits for; a new one per test. */
  static volatile CountDownLatch release;

  static final List<String> SEEN = new CopyOnWriteArrayList<>();

  record InJvm(String mode) implements FunctionConfig.RuntimeSpec {
    @Override
    public String runtime() {
      return "injvm";
    }
  }

  static final class InJvmKind implements RuntimeKind<InJvm> {
    @Override
    public String name() {
      return "injvm";
    }

    @Override
    public Class<InJvm> specType() {
      return InJvm.class;
    }

    @Override
    public List<String> keys() {
      return List.of("mode");
    }

    @Override
    public InJvm read(ConfigNode function, ReadContext context) {
      return new InJvm(function.field("mode").oneOf("echo", "echo", "fail", "permanent", "block"));
    }

    @Override
    public ObjectNode schema() {
      ObjectNode p = Json.MAPPER.createObjectNode();
      p.putObject("mode").putArray("enum").add("echo").add("fail").add("permanent").add("block");
      return p;
    }

    @Override
    public FunctionRuntime start(FunctionConfig function, InJvm spec, RuntimeContext context) {
      return new FunctionRuntime() {
        @Override
        public InvocationResult invoke(Invocation inv) {
          String text = new String(inv.payload(), StandardCharsets.UTF_8);
          SEEN.add(function.name() + ":" + text);
          context.log().line(function.name(), inv.requestId(), "stdout", "got " + text);
          return switch (spec.mode()) {
            case "echo" -> new InvocationResult.Success(inv.payload(), Duration.ZERO);
            case "fail" ->
                FunctionErrors.handler("ValueError", "not yet", List.of("app.py:3"), Duration.ZERO);
            case "permanent" ->
                FunctionErrors.handler("OrderPermanentError", "never", List.of(), Duration.ZERO);
            default -> {
              try {
                release.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) { // the host is closing: as a runtime stopped
                Thread.currentThread().interrupt();
                yield new InvocationResult.Failure(
                    FunctionErrors.EXIT,
                    "stopped",
                    List.of(),
                    InvocationResult.Kind.CRASH,
                    Duration.ZERO);
              }
              yield new InvocationResult.Success(inv.payload(), Duration.ZERO);
            }
          };
        }

        @Override
        public void close() {}
      };
    }
  }

  static final Kinds KINDS = Kinds.of().withRuntimes(List.of(new InJvmKind()));

  FunctionHost host(String yaml) {
    SluiceConfig c = ConfigLoader.parse(yaml, "t.yaml", dir, KINDS);
    return FunctionHost.start(
        c.functions(),
        KINDS,
        dir.resolve("functions"),
        Clock.systemUTC(),
        new SimpleMeterRegistry());
  }

  @Test
  void aFunctionIsCalledWithItsPayloadAndItsLogLinesAreKept() {
    try (FunctionHost h = host("functions: [{name: echo, runtime: injvm}]")) {
      InvocationResult r =
          h.invoke("echo", "{\"a\":1}".getBytes(StandardCharsets.UTF_8), "test", Duration.ZERO);

      assertThat(r).isInstanceOf(InvocationResult.Success.class);
      assertThat(((InvocationResult.Success) r).text()).isEqualTo("{\"a\":1}");
      assertThat(h.logs("echo", 0, 10))
          .singleElement()
          .satisfies(
              l -> {
                assertThat(l.text()).isEqualTo("got {\"a\":1}");
                assertThat(l.stream()).isEqualTo("stdout");
                assertThat(l.sequence()).isEqualTo(1);
              });
      assertThat(h.list())
          .singleElement()
          .satisfies(
              i -> {
                assertThat(i.invocations()).isEqualTo(1);
                assertThat(i.errors()).isZero();
                assertThat(i.runtime()).isEqualTo("injvm");
              });
    }
  }

  @Test
  void anInvocationPastTheConcurrencyIsThrottledWithTheLimitInTheMessage() throws Exception {
    try (FunctionHost h = host("functions: [{name: slow, runtime: injvm, mode: block}]")) {
      Thread first =
          Thread.ofVirtual().start(() -> h.invoke("slow", new byte[] {'1'}, "t", Duration.ZERO));
      Await.until(
          Duration.ofSeconds(30), () -> h.list().get(0).running() == 1, () -> "not running");

      InvocationResult second = h.invoke("slow", new byte[] {'2'}, "t", Duration.ofMillis(50));

      assertThat(second)
          .isEqualTo(
              new InvocationResult.Failure(
                  "TooManyRequestsException",
                  "function slow is running its 1 invocations at once (concurrency 1) and none"
                      + " ended within 50 ms",
                  List.of(),
                  InvocationResult.Kind.THROTTLED,
                  Duration.ZERO));
      assertThat(((InvocationResult.Failure) second).isRetryable()).isTrue();
      release.countDown();
      first.join(30_000);
    }
  }

  @Test
  void anUnknownFunctionIsNotFoundWithTheDeclaredNames() {
    try (FunctionHost h =
        host("functions: [{name: a, runtime: injvm}, {name: b, runtime: injvm}]")) {
      assertThatThrownBy(() -> h.invoke("c", new byte[0], "t", Duration.ZERO))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage("/function: no function named \"c\" (functions: a, b)");
    }
  }

  @Test
  void anAsynchronousInvocationIsOnDiskBeforeItIsAcceptedAndRunsAtTheNextStart() throws Exception {
    String id;
    try (FunctionHost h = host("functions: [{name: later, runtime: injvm, mode: block}]")) {
      h.invokeAsync("later", "{\"n\":1}".getBytes(StandardCharsets.UTF_8)); // holds the worker
      id = h.invokeAsync("later", "{\"n\":2}".getBytes(StandardCharsets.UTF_8));
      try (Stream<Path> s = Files.list(dir.resolve("functions/later/async"))) {
        assertThat(s.map(p -> p.getFileName().toString()).toList())
            .hasSize(2)
            .anyMatch(n -> n.endsWith("-" + id + ".json"));
      }
      Await.until(
          Duration.ofSeconds(30), () -> h.list().get(0).running() == 1, () -> "not running");
    } // closed while the first runs: it is stopped, and both stay on disk
    SEEN.clear();
    try (FunctionHost h = host("functions: [{name: later, runtime: injvm}]")) {
      assertThat(h.has("later")).isTrue();
      Await.until(
          Duration.ofSeconds(30),
          () -> SEEN.containsAll(List.of("later:{\"n\":1}", "later:{\"n\":2}")),
          () -> "ran " + SEEN);
      Await.until(
          Duration.ofSeconds(30),
          () -> isEmpty(dir.resolve("functions/later/async")),
          () -> "files left in async/");
    }
  }

  @Test
  void anAsynchronousInvocationThatAlwaysFailsIsTriedThreeTimesThenSetAsideWithItsError()
      throws Exception {
    SEEN.clear();
    try (FunctionHost h = host("functions: [{name: flaky, runtime: injvm, mode: fail}]")) {
      h.invokeAsync("flaky", "{\"n\":7}".getBytes(StandardCharsets.UTF_8));
      Path failed = dir.resolve("functions/flaky/async-failed");
      Await.until(
          Duration.ofSeconds(30),
          () -> !isEmpty(failed) && isEmpty(dir.resolve("functions/flaky/async")),
          () -> "not set aside");

      assertThat(SEEN).containsExactly("flaky:{\"n\":7}", "flaky:{\"n\":7}", "flaky:{\"n\":7}");
      try (Stream<Path> s = Files.list(failed)) {
        Path f = s.findFirst().orElseThrow();
        assertThat(Json.MAPPER.readTree(f.toFile()))
            .isEqualTo(
                Json.MAPPER.readTree(
                    "{\"requestPayload\":{\"n\":7},\"errorType\":\"ValueError\","
                        + "\"errorMessage\":\"not yet\",\"stackTrace\":[\"app.py:3\"]}"));
      }
    }
  }

  @Test
  void aPermanentErrorIsNotRetried() {
    try (FunctionHost h = host("functions: [{name: p, runtime: injvm, mode: permanent}]")) {
      InvocationResult r = h.invoke("p", new byte[] {'1'}, "t", Duration.ZERO);

      assertThat(r).isInstanceOf(InvocationResult.Failure.class);
      var f = (InvocationResult.Failure) r;
      assertThat(f.kind()).isEqualTo(InvocationResult.Kind.PERMANENT);
      assertThat(f.isRetryable()).isFalse();
      assertThat(h.list().get(0).lastError()).isEqualTo("OrderPermanentError: never");
    }
  }

  @Test
  void theFunctionsSectionReportsEveryProblemWithItsPath() {
    assertThat(
            ConfigProblems.of(
                """
                functions:
                  - {name: "bad name", runtime: injvm}
                  - {name: a, runtime: cobol}
                  - {name: b, runtime: injvm, timeout: 20m, memory: 1MB, concurrency: 0, colour: red}
                  - {name: c, runtime: injvm, environment: {"1X": a, Y: {z: 1}, T: "${env:SLUICE_UNSET_FOR_TEST}", AWS_REGION: eu-west-1, AWS_LAMBDA_FUNCTION_NAME: x}}
                  - {name: c, runtime: injvm}
                  - {runtime: injvm}
                """,
                KINDS))
        .containsExactly(
            "/functions/0/name: expected 1-64 characters of A-Z a-z 0-9 - _ (as Lambda names), got"
                + " \"bad name\"",
            "/functions/1/runtime: expected one of injvm, got \"cobol\"",
            "/functions/2/colour: unknown field; expected one of name, runtime, description,"
                + " timeout, memory, concurrency, environment, mode",
            "/functions/2/timeout: expected a duration from 100ms to 15m, got 20m",
            "/functions/2/memory: expected a size between 32MB and 10GB, got 1MB",
            "/functions/2/concurrency: expected an integer 1..1000, got number 0",
            "/functions/3/environment/1X: expected a variable name of A-Z a-z 0-9 _ not starting"
                + " with a digit, got \"1X\"",
            "/functions/3/environment/Y: expected a string, number or boolean, got object {\"z\":1}",
            "/functions/3/environment/T: uses environment variable SLUICE_UNSET_FOR_TEST, which is"
                + " not set",
            "/functions/3/environment/AWS_REGION: is reserved: the runtime sets AWS_REGION itself"
                + " (as Lambda does); choose another name",
            "/functions/3/environment/AWS_LAMBDA_FUNCTION_NAME: is reserved: the runtime sets"
                + " AWS_LAMBDA_FUNCTION_NAME itself (as Lambda does); choose another name",
            "/functions/4/name: duplicate function name \"c\" (first at /functions/3)",
            "/functions/5/name: is required: a function name (1-64 of A-Z a-z 0-9 - _)");
  }

  private static boolean isEmpty(Path d) {
    try (Stream<Path> s = Files.list(d)) {
      return s.findAny().isEmpty();
    } catch (java.io.IOException e) {
      return false;
    }
  }
}

package io.sluice.functions.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.functions.Functions.LogLine;
import io.sluice.core.functions.InvocationResult;
import io.sluice.core.functions.InvocationResult.Failure;
import io.sluice.core.functions.InvocationResult.Kind;
import io.sluice.core.functions.InvocationResult.Success;
import io.sluice.core.kinds.Kinds;
import io.sluice.functions.FunctionHost;
import io.sluice.functions.FunctionRuntimes;
import io.sluice.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runtime: wasm} through a {@link FunctionHost}, with modules assembled from {@link Wat} in
 * each test.
 */
class WasmRuntimeTest {

  static final Kinds KINDS = Kinds.of().withRuntimes(FunctionRuntimes.kinds());

  @TempDir Path dir;

  FunctionHost host(String yaml) {
    SluiceConfig c = ConfigLoader.parse(yaml, "t.yaml", dir, KINDS);
    return FunctionHost.start(
        c.functions(),
        KINDS,
        dir.resolve("functions"),
        Clock.systemUTC(),
        new SimpleMeterRegistry());
  }

  void module(String name, String wat) {
    Wat.write(dir.resolve("fn").resolve(name + ".wasm"), wat);
  }

  static InvocationResult call(FunctionHost h, String function, String event) {
    return h.invoke(
        function, event.getBytes(StandardCharsets.UTF_8), "test", Duration.ofSeconds(30));
  }

  static String text(InvocationResult r) {
    assertThat(r).isInstanceOf(Success.class);
    return ((Success) r).text();
  }

  static List<String> lines(FunctionHost h, String function) {
    return h.logs(function, 0, 100).stream().map(l -> l.stream() + " " + l.text()).toList();
  }

  @Test
  void aReactorReadsTheEventOnStdinAndItsStdoutIsTheResult() {
    module("echo", Wat.ECHO);
    try (FunctionHost h = host("functions: [{name: echo, runtime: wasm, code: fn/echo.wasm}]")) {
      assertThat(text(call(h, "echo", "{\"a\":[1,2]}"))).isEqualTo("{\"a\":[1,2]}");
      assertThat(text(call(h, "echo", "{\"b\":3}"))).isEqualTo("{\"b\":3}");

      assertThat(lines(h, "echo"))
          .containsExactly("sluice compiled to JVM bytecode: 3 of 3 functions");
      assertThat(h.list().get(0).warmWorkers()).isEqualTo(1);
    }
  }

  @Test
  void aReactorKeepsItsInstanceBetweenInvocations() {
    module("count", Wat.COUNTER_OR_LOOP);
    try (FunctionHost h = host("functions: [{name: count, runtime: wasm, code: fn/count.wasm}]")) {
      assertThat(List.of(call(h, "count", "2"), call(h, "count", "2"), call(h, "count", "2")))
          .extracting(WasmRuntimeTest::text)
          .containsExactly("1", "2", "3");
    }
  }

  @Test
  void stderrLinesAreTheInvocationsLogLines() {
    module("logs", Wat.LOGS);
    try (FunctionHost h = host("functions: [{name: logs, runtime: wasm, code: fn/logs.wasm}]")) {
      assertThat(text(call(h, "logs", "true"))).isEqualTo("true");

      List<LogLine> stderr =
          h.logs("logs", 0, 100).stream().filter(l -> l.stream().equals("stderr")).toList();
      assertThat(stderr).extracting(LogLine::text).containsExactly("starting", "half a line");
      assertThat(stderr.get(0).requestId()).isNotNull().isEqualTo(stderr.get(1).requestId());
    }
  }

  @Test
  void aRunawayHandlerIsStoppedAtItsTimeoutAndANewInstanceServesTheNextInvocation() {
    module("count", Wat.COUNTER_OR_LOOP);
    try (FunctionHost h =
        host("functions: [{name: count, runtime: wasm, code: fn/count.wasm, timeout: 200ms}]")) {
      assertThat(text(call(h, "count", "2"))).isEqualTo("1");

      InvocationResult r = call(h, "count", "1");

      assertThat(r).isInstanceOf(Failure.class);
      Failure f = (Failure) r;
      assertThat(f.describe()).isEqualTo("Sandbox.Timedout: Task timed out after 0.20 seconds");
      assertThat(f.kind()).isEqualTo(Kind.TIMEOUT);
      assertThat(f.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
      assertThat(lines(h, "count"))
          .contains(
              "sluice Sandbox.Timedout: Task timed out after 0.20 seconds; its instance was"
                  + " discarded, the next invocation gets a new one");
      assertThat(h.list().get(0).warmWorkers()).isZero();
      assertThat(text(call(h, "count", "2"))).isEqualTo("1"); // a new instance counts from 1
      assertThat(h.list().get(0).warmWorkers()).isEqualTo(1);
    }
  }

  @Test
  void aMemoryHogIsStoppedAtItsMemoryLimit() {
    module("hog", Wat.MEMORY_HOG);
    module("echo", Wat.ECHO);
    try (FunctionHost h =
        host(
            """
            functions:
              - {name: hog, runtime: wasm, code: fn/hog.wasm, memory: 32MB}
              - {name: echo, runtime: wasm, code: fn/echo.wasm}
            """)) {
      InvocationResult r = call(h, "hog", "{}");

      assertThat(r).isInstanceOf(Failure.class);
      Failure f = (Failure) r;
      assertThat(f.describe())
          .isEqualTo(
              "Runtime.Trap: Trapped on unreachable instruction; its memory is nearly full: 497 of"
                  + " 512 pages (memory: 32MB)");
      assertThat(f.kind()).isEqualTo(Kind.HANDLER);
      assertThat(h.list().get(0).warmWorkers()).isZero(); // its full memory went with it
      assertThat(text(call(h, "echo", "{}"))).isEqualTo("{}");
    }
  }

  @Test
  void aHandlerWhoseStdoutIsNotJsonFailsWithThatReason() {
    module("hello", Wat.NOT_JSON);
    try (FunctionHost h = host("functions: [{name: hello, runtime: wasm, code: fn/hello.wasm}]")) {
      InvocationResult r = call(h, "hello", "{}");

      assertThat(r).isInstanceOf(Failure.class);
      Failure f = (Failure) r;
      assertThat(f.describe())
          .isEqualTo(
              "Runtime.InvalidResponse: the handler's stdout is not JSON: Unrecognized token"
                  + " 'hello': was expecting (JSON String, Number, Array, Object or token 'null',"
                  + " 'true' or 'false'); it wrote \"hello\"");
      assertThat(f.kind()).isEqualTo(Kind.INVALID_RESPONSE);
      assertThat(f.isRetryable()).isFalse();
    }
  }

  @Test
  void aHandlerWritingMoreThanTheResponseLimitIsStoppedThere() {
    module("flood", Wat.FLOOD);
    try (FunctionHost h = host("functions: [{name: flood, runtime: wasm, code: fn/flood.wasm}]")) {
      InvocationResult r = call(h, "flood", "{}");

      assertThat(r).isInstanceOf(Failure.class);
      Failure f = (Failure) r;
      assertThat(f.describe())
          .isEqualTo(
              "Runtime.InvalidResponse: the handler wrote more than 6291456 bytes to stdout");
      assertThat(f.kind()).isEqualTo(Kind.INVALID_RESPONSE);
    }
  }

  @Test
  void aModuleThatCannotInitialiseAnswersEveryInvocationWithAnInitFailure() {
    module("broken", Wat.BROKEN_INIT);
    try (FunctionHost h =
        host("functions: [{name: broken, runtime: wasm, code: fn/broken.wasm}]")) {
      Failure expected =
          new Failure(
              "Runtime.InitError",
              "the module could not be instantiated: Trapped on unreachable instruction",
              List.of(),
              Kind.INIT,
              Duration.ZERO);

      assertThat(List.of(call(h, "broken", "{}"), call(h, "broken", "{}")))
          .containsExactly(expected, expected);
      assertThat(lines(h, "broken"))
          .containsExactly(
              "sluice compiled to JVM bytecode: 4 of 4 functions",
              "sluice cannot start: the module could not be instantiated: Trapped on unreachable"
                  + " instruction");
    }
  }

  @Test
  void aTrapIsAHandlerFailureWithTheTrapMessage() {
    module("trap", Wat.TRAP);
    try (FunctionHost h = host("functions: [{name: trap, runtime: wasm, code: fn/trap.wasm}]")) {
      InvocationResult r = call(h, "trap", "{}");

      assertThat(r).isInstanceOf(Failure.class);
      Failure f = (Failure) r;
      assertThat(f.describe()).isEqualTo("Runtime.Trap: integer divide by zero");
      assertThat(f.kind()).isEqualTo(Kind.HANDLER);
    }
  }

  @Test
  void aNonZeroResultWithLambdasErrorShapeIsThatError() {
    module("order", Wat.PERMANENT_ERROR);
    try (FunctionHost h = host("functions: [{name: order, runtime: wasm, code: fn/order.wasm}]")) {
      InvocationResult r = call(h, "order", "{}");

      assertThat(r).isInstanceOf(Failure.class);
      Failure f = (Failure) r;
      assertThat(f.describe()).isEqualTo("OrderPermanentError: no such order");
      assertThat(f.kind()).isEqualTo(Kind.PERMANENT);
      assertThat(h.list().get(0).warmWorkers()).isEqualTo(1); // an error is no reason to discard
    }
  }

  @Test
  void aCommandModuleRunsANewInstanceForEachInvocationAndItsExitCodeCounts() {
    module("cmd", Wat.COMMAND);
    try (FunctionHost h = host("functions: [{name: cmd, runtime: wasm, code: fn/cmd.wasm}]")) {
      assertThat(text(call(h, "cmd", "0"))).isEqualTo("0");
      assertThat(text(call(h, "cmd", "0"))).isEqualTo("0");

      InvocationResult r = call(h, "cmd", "3");

      assertThat(r).isInstanceOf(Failure.class);
      assertThat(((Failure) r).describe())
          .isEqualTo("Error: the handler exited with code 3; it wrote \"3\"");
      assertThat(lines(h, "cmd"))
          .startsWith(
              "sluice compiled to JVM bytecode: 3 of 3 functions",
              "sluice a command module (_start): each invocation runs a new instance");
      assertThat(h.list().get(0).warmWorkers()).isZero();
    }
  }

  @Test
  void aModuleSeesNoFilesUnlessADirectoryIsGranted() throws Exception {
    module("files", Wat.READS_A_FILE);
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(dir.resolve("data/secret.json"), "{\"secret\":42}");
    try (FunctionHost h =
        host(
            """
            functions:
              - {name: closed, runtime: wasm, code: fn/files.wasm}
              - {name: granted, runtime: wasm, code: fn/files.wasm, directories: {/data: data}}
            """)) {
      assertThat(text(call(h, "closed", "{}"))).isEqualTo("\"errno 08\""); // EBADF: no fd 3
      assertThat(text(call(h, "granted", "{}"))).isEqualTo("{\"secret\":42}");
    }
  }

  @Test
  void aFunctionTooLargeForTheJvmIsInterpretedTheLogSaysWhichAndItsTimeoutStillHolds() {
    module("big", Wat.big(20_000));
    try (FunctionHost h =
        host("functions: [{name: big, runtime: wasm, code: fn/big.wasm, timeout: 300ms}]")) {
      assertThat(text(call(h, "big", "2"))).isEqualTo("\"big\"");

      InvocationResult r = call(h, "big", "1");

      assertThat(r).isInstanceOf(Failure.class);
      assertThat(((Failure) r).describe())
          .isEqualTo("Sandbox.Timedout: Task timed out after 0.30 seconds");
      assertThat(lines(h, "big").get(0))
          .isEqualTo(
              "sluice compiled to JVM bytecode: 2 of 3 functions; interpreting 1 function too"
                  + " large for a JVM method: #4 (export handle)");
      assertThat(text(call(h, "big", "2"))).isEqualTo("\"big\"");
    }
  }

  @Test
  void runawayAndFailingFunctionsDoNotStopOthers() throws Exception {
    module("count", Wat.COUNTER_OR_LOOP);
    module("hog", Wat.MEMORY_HOG);
    module("hello", Wat.NOT_JSON);
    module("echo", Wat.ECHO);
    try (FunctionHost h =
        host(
            """
            functions:
              - {name: runaway, runtime: wasm, code: fn/count.wasm, timeout: 10s}
              - {name: hog, runtime: wasm, code: fn/hog.wasm, memory: 32MB}
              - {name: hello, runtime: wasm, code: fn/hello.wasm}
              - {name: echo, runtime: wasm, code: fn/echo.wasm}
            """)) {
      CompletableFuture<InvocationResult> runaway =
          CompletableFuture.supplyAsync(() -> call(h, "runaway", "1"));
      Await.until(
          Duration.ofSeconds(30),
          () -> h.list().get(0).running() == 1,
          () -> "runaway is not running: " + h.list());

      assertThat(call(h, "hog", "{}")).isInstanceOf(Failure.class);
      assertThat(call(h, "hello", "{}")).isInstanceOf(Failure.class);
      assertThat(text(call(h, "echo", "{\"still\":\"here\"}"))).isEqualTo("{\"still\":\"here\"}");
      assertThat(h.list().get(0).running()).isEqualTo(1);

      assertThat(runaway.get(60, java.util.concurrent.TimeUnit.SECONDS))
          .isInstanceOfSatisfying(Failure.class, f -> assertThat(f.kind()).isEqualTo(Kind.TIMEOUT));
      assertThat(text(call(h, "echo", "[]"))).isEqualTo("[]");
    }
  }

  @Test
  void closingTheHostStopsARunningInvocation() throws Exception {
    module("count", Wat.COUNTER_OR_LOOP);
    FunctionHost h =
        host("functions: [{name: runaway, runtime: wasm, code: fn/count.wasm, timeout: 15m}]");
    CompletableFuture<InvocationResult> runaway;
    try {
      runaway = CompletableFuture.supplyAsync(() -> call(h, "runaway", "1"));
      Await.until(
          Duration.ofSeconds(30),
          () -> h.list().get(0).running() == 1,
          () -> "runaway is not running: " + h.list());
    } finally {
      h.close();
    }

    assertThat(runaway.get(60, java.util.concurrent.TimeUnit.SECONDS))
        .isInstanceOfSatisfying(
            Failure.class,
            f -> {
              assertThat(f.describe())
                  .isEqualTo(
                      "Runtime.ExitError: function runaway was stopped: its runtime is closing");
              assertThat(f.kind()).isEqualTo(Kind.CRASH);
            });
  }
}

package io.sluice.functions.process;

import static io.sluice.functions.process.FunctionFixture.WAIT;
import static io.sluice.functions.process.FunctionFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.functions.InvocationResult.Failure;
import io.sluice.core.functions.InvocationResult.Kind;
import io.sluice.testkit.Await;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** python3 handlers through Sluice's bootstrap, in real python3 processes. */
class PythonRuntimeTest {

  @TempDir Path dir;

  /**
   * A python3 function {@code name} with its code in {@code name/app.py}, 1s timeout unless set.
   */
  static String function(String name, String extra) {
    return "  - name: "
        + name
        + "\n    runtime: python3\n    handler: app.handler\n    code: "
        + name
        + "\n"
        + (extra.contains("timeout:") ? "" : "    timeout: 1s\n")
        + extra;
  }

  @Test
  void aPlainHandlerGetsTheEventAndLambdasContextAndPrintsToTheFunctionLog() throws Exception {
    write(
        dir.resolve("enrich/app.py"),
        """
        import os
        def handler(event, context):
            print("enriching", event["id"])
            return {
                "id": event["id"],
                "table": os.environ["TABLE"],
                "request": context.aws_request_id,
                "name": context.function_name,
                "version": context.function_version,
                "arn": context.invoked_function_arn,
                "memory": context.memory_limit_in_mb,
                "group": context.log_group_name,
                "stream": context.log_stream_name,
                "remaining": context.get_remaining_time_in_millis(),
                "root": os.environ["LAMBDA_TASK_ROOT"],
                "handler": os.environ["_HANDLER"],
                "tz": os.environ["TZ"],
            }
        """);
    try (FunctionFixture f =
        FunctionFixture.start(
            dir, function("enrich", "    memory: 256MB\n    environment: {TABLE: vitals}\n"))) {
      JsonNode out = Json.MAPPER.readTree(f.success("enrich", "{\"id\": 7}"));

      assertThat(out.path("id").asInt()).isEqualTo(7);
      assertThat(out.path("table").asText()).isEqualTo("vitals");
      assertThat(out.path("request").asText()).hasSize(36);
      assertThat(out.path("name").asText()).isEqualTo("enrich");
      assertThat(out.path("version").asText()).isEqualTo("$LATEST");
      assertThat(out.path("arn").asText())
          .isEqualTo(
              "arn:aws:lambda:" + ProcessEnvironment.region() + ":000000000000:function:enrich");
      assertThat(out.path("memory").asText()).isEqualTo("256");
      assertThat(out.path("group").asText()).isEqualTo("/aws/lambda/enrich");
      assertThat(out.path("stream").asText())
          .matches("\\d{4}/\\d{2}/\\d{2}/\\[\\$LATEST][0-9a-f]{32}");
      assertThat(out.path("remaining").asLong()).isBetween(1L, 1000L);
      assertThat(out.path("root").asText()).isEqualTo(dir.resolve("enrich").toString());
      assertThat(out.path("handler").asText()).isEqualTo("app.handler");
      assertThat(out.path("tz").asText()).isEqualTo(":UTC");
      String request = out.path("request").asText();
      Await.until(
          WAIT,
          () ->
              f.logs("enrich").stream()
                  .anyMatch(
                      l ->
                          l.text().equals("enriching 7")
                              && l.stream().equals("stdout")
                              && request.equals(l.requestId())),
          () -> f.logText("enrich"));
      assertThat(f.host.list().get(0).warmWorkers()).isEqualTo(1);
    }
  }

  @Test
  void theReadmeExampleRuns() throws Exception {
    write(
        dir.resolve("functions/enrich/app.py"),
        """
        import os

        def handler(event, context):
            print("enriching", event["id"])          # goes to Sluice's log with the request id
            return {"id": event["id"], "table": os.environ["TABLE"],
                    "request": context.aws_request_id,
                    "ms_left": context.get_remaining_time_in_millis()}
        """);
    try (FunctionFixture f =
        FunctionFixture.start(
            dir,
            """
              - name: enrich
                runtime: python3            # python3 | nodejs | provided
                handler: app.handler        # python3: module.function; nodejs: file.export
                code: functions/enrich      # a directory relative to the config file, or a .zip
                timeout: 30s                # default 3s, at most 15m
                memory: 256MB               # default 128MB
                concurrency: 4              # warm workers at most (default 1)
                environment: {TABLE: vitals, TOKEN: "${env:PATH}"}
            """)) {
      JsonNode out = Json.MAPPER.readTree(f.success("enrich", "{\"id\": \"o-1\"}"));
      assertThat(out.path("id").asText()).isEqualTo("o-1");
      assertThat(out.path("table").asText()).isEqualTo("vitals");
      assertThat(out.path("ms_left").asLong()).isBetween(1L, 30_000L);
    }
  }

  @Test
  void warmInvocationsReuseOneProcessAndItsModuleState() throws Exception {
    write(
        dir.resolve("count/app.py"),
        """
        import os
        calls = 0
        def handler(event, context):
            global calls
            calls += 1
            return {"pid": os.getpid(), "calls": calls}
        """);
    try (FunctionFixture f = FunctionFixture.start(dir, function("count", ""))) {
      long pid = Json.MAPPER.readTree(f.success("count", "{}")).path("pid").asLong();
      for (int i = 2; i <= 50; i++) {
        JsonNode out = Json.MAPPER.readTree(f.success("count", "{}"));
        assertThat(out.path("pid").asLong()).isEqualTo(pid);
        assertThat(out.path("calls").asInt()).isEqualTo(i);
      }
    }
  }

  @Test
  void aHandlerErrorComesBackWithItsTypeMessageAndTracebackAndPermanentOnesAreNotRetried() {
    write(
        dir.resolve("check/app.py"),
        """
        class OrderPermanentError(Exception):
            pass
        def handler(event, context):
            if event.get("permanent"):
                raise OrderPermanentError("order 7 is cancelled")
            raise ValueError("bad amount: " + str(event["amount"]))
        """);
    try (FunctionFixture f = FunctionFixture.start(dir, function("check", ""))) {
      Failure e = f.failure("check", "{\"amount\": -1}");
      assertThat(e.errorType()).isEqualTo("ValueError");
      assertThat(e.errorMessage()).isEqualTo("bad amount: -1");
      assertThat(e.kind()).isEqualTo(Kind.HANDLER);
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.stackTrace()).hasSize(1);
      assertThat(e.stackTrace().get(0))
          .startsWith("  File \"" + dir.resolve("check/app.py") + "\", line 6, in handler");

      Failure p = f.failure("check", "{\"permanent\": true}");
      assertThat(p.describe()).isEqualTo("OrderPermanentError: order 7 is cancelled");
      assertThat(p.kind()).isEqualTo(Kind.PERMANENT);
      assertThat(p.isRetryable()).isFalse();
      // errors do not cost the worker
      assertThat(f.host.list().get(0).warmWorkers()).isEqualTo(1);
    }
  }

  @Test
  void aModuleThatCannotBeImportedIsAnInitFailureWithItsTracebackReportedAtStartUp() {
    write(dir.resolve("broken/app.py"), "import nothere\ndef handler(event, context):\n  pass\n");
    try (FunctionFixture f = FunctionFixture.start(dir, function("broken", ""))) {
      Await.until(
          WAIT,
          () ->
              f.logs("broken").stream()
                  .anyMatch(
                      l ->
                          l.text()
                              .equals(
                                  "init error: Runtime.ImportModuleError: Unable to import module"
                                      + " 'app': No module named 'nothere'")),
          () -> f.logText("broken"));

      Failure e = f.failure("broken", "{}");
      assertThat(e.describe())
          .isEqualTo(
              "Runtime.ImportModuleError: Unable to import module 'app': No module named"
                  + " 'nothere'");
      assertThat(e.kind()).isEqualTo(Kind.INIT);
      assertThat(e.isRetryable()).isFalse();
      assertThat(e.stackTrace()).contains("ModuleNotFoundError: No module named 'nothere'");
      assertThat(f.failure("broken", "{}").describe()).isEqualTo(e.describe());
    }
  }

  @Test
  void aMissingFunctionInTheModuleIsAnInitFailure() {
    write(dir.resolve("nofn/app.py"), "def other(event, context):\n  return 1\n");
    try (FunctionFixture f = FunctionFixture.start(dir, function("nofn", ""))) {
      Failure e = f.failure("nofn", "{}");
      assertThat(e.describe())
          .isEqualTo("Runtime.HandlerNotFound: Handler 'handler' missing on module 'app'");
      assertThat(e.kind()).isEqualTo(Kind.INIT);
    }
  }

  @Test
  void aRunawayHandlerIsStoppedAtItsTimeoutAndItsWorkerReplaced() throws Exception {
    write(
        dir.resolve("spin/app.py"),
        """
        import os
        def handler(event, context):
            if event.get("spin"):
                print("spinning in", os.getpid())
                while True:
                    pass
            return os.getpid()
        """);
    try (FunctionFixture f = FunctionFixture.start(dir, function("spin", ""))) {
      long before = Long.parseLong(f.success("spin", "{}"));

      Failure e = f.failure("spin", "{\"spin\": true}");
      assertThat(e.describe()).isEqualTo("Sandbox.Timedout: Task timed out after 1.00 seconds");
      assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
      Optional<ProcessHandle> old = ProcessHandle.of(before);
      Await.until(
          WAIT, () -> old.isEmpty() || !old.get().isAlive(), () -> "pid " + before + " runs on");

      long after = Long.parseLong(f.success("spin", "{}"));
      assertThat(after).isNotEqualTo(before);
    }
  }

  @Test
  void aMemoryHogIsStoppedAtItsMemoryAndTheNextInvocationRuns() {
    write(
        dir.resolve("hog/app.py"),
        """
        def handler(event, context):
            if event.get("hog"):
                kept = []
                while True:
                    kept.append(bytearray(16 * 1024 * 1024))
            return "fine"
        """);
    try (FunctionFixture f = FunctionFixture.start(dir, function("hog", ""))) {
      Failure e = f.failure("hog", "{\"hog\": true}");
      assertThat(e.describe())
          .isEqualTo("Runtime.OutOfMemory: the function ran out of memory (memory: 128MB)");
      assertThat(e.kind()).isEqualTo(Kind.CRASH);
      assertThat(f.success("hog", "{}")).isEqualTo("\"fine\"");
    }
  }

  @Test
  void aRuntimeThatExitsMidInvocationIsACrashWithItsExitStatusAndIsStartedAgain() {
    write(
        dir.resolve("crash/app.py"),
        """
        import os, sys
        def handler(event, context):
            if event.get("crash"):
                sys.stderr.write("giving up\\n")
                sys.stderr.flush()
                os._exit(3)
            return "alive"
        """);
    try (FunctionFixture f = FunctionFixture.start(dir, function("crash", "    timeout: 5s\n"))) {
      Failure e = f.failure("crash", "{\"crash\": true}");
      assertThat(e.describe())
          .isEqualTo(
              "Runtime.ExitError: Runtime exited with error: exit status 3; last stderr: giving up");
      assertThat(e.kind()).isEqualTo(Kind.CRASH);
      assertThat(e.isRetryable()).isTrue();
      assertThat(f.success("crash", "{}")).isEqualTo("\"alive\"");
    }
  }

  @Test
  void aRuntimeThatCrashesOnEveryInvocationIsStartedAgainOnlyAfterAGrowingDelay() {
    write(
        dir.resolve("always/app.py"),
        """
        import os
        def handler(event, context):
            os._exit(3)
        """);
    try (FunctionFixture f = FunctionFixture.start(dir, function("always", "    timeout: 1s\n"))) {
      for (int i = 0; i < 8; i++) {
        assertThat(f.failure("always", "{}").isRetryable()).isTrue();
      }
      long starts =
          f.logs("always").stream().filter(l -> l.text().contains("ms (Init Duration)")).count();
      // 100, 200, 400, 800 ms fit in a 1 s timeout; later delays do not, and those invocations
      // fail at once without starting a runtime
      assertThat(starts).as(f.logText("always")).isBetween(2L, 6L);
    }
  }

  @Test
  void aResultThatIsNotJsonFailsWithThatReason() {
    write(dir.resolve("odd/app.py"), "def handler(event, context):\n    return {1, 2}\n");
    try (FunctionFixture f = FunctionFixture.start(dir, function("odd", ""))) {
      Failure e = f.failure("odd", "{}");
      assertThat(e.describe())
          .isEqualTo(
              "Runtime.InvalidResponse: the handler returned something that is not JSON: Unable"
                  + " to marshal response: Object of type set is not JSON serializable");
      assertThat(e.kind()).isEqualTo(Kind.INVALID_RESPONSE);
      assertThat(e.isRetryable()).isFalse();
    }
  }

  @Test
  void aResultOverLambdasSixMegabytesFails() {
    write(
        dir.resolve("big/app.py"),
        "def handler(event, context):\n    return 'x' * (7 * 1024 * 1024)\n");
    try (FunctionFixture f = FunctionFixture.start(dir, function("big", "    timeout: 10s\n"))) {
      Failure e = f.failure("big", "{}");
      assertThat(e.describe())
          .isEqualTo(
              "Runtime.InvalidResponse: the handler returned 7340034 bytes, more than Lambda's"
                  + " limit of 6291556 bytes (6 MB)");
      assertThat(e.kind()).isEqualTo(Kind.INVALID_RESPONSE);
    }
  }

  @Test
  void aBusyFunctionDoesNotHoldUpAnother() throws Exception {
    Path release = dir.resolve("release");
    write(
        dir.resolve("busy/app.py"),
        """
        import os, time
        def handler(event, context):
            while not os.path.exists(os.environ["RELEASE"]):
                time.sleep(0.01)
            return "released"
        """);
    write(dir.resolve("quick/app.py"), "def handler(event, context):\n    return 'quick'\n");
    try (FunctionFixture f =
        FunctionFixture.start(
            dir,
            function("busy", "    timeout: 60s\n    environment: {RELEASE: " + release + "}\n")
                + function("quick", ""))) {
      CompletableFuture<String> busy = CompletableFuture.supplyAsync(() -> f.success("busy", "{}"));
      Await.until(WAIT, () -> f.host.list().get(0).running() == 1, () -> "busy is not running");
      for (int i = 0; i < 5; i++) {
        assertThat(f.success("quick", "{}")).isEqualTo("\"quick\"");
      }
      assertThat(busy).isNotDone();
      write(release, "");
      assertThat(busy.get()).isEqualTo("\"released\"");
    }
  }

  @Test
  void concurrentInvocationsRunOnTheirOwnWorkers() throws Exception {
    write(
        dir.resolve("pair/app.py"),
        """
        import os, time
        def handler(event, context):
            deadline = time.time() + 20
            marker = os.path.join(os.environ["MARKS"], str(os.getpid()))
            open(marker, "w").close()
            while len(os.listdir(os.environ["MARKS"])) < 2 and time.time() < deadline:
                time.sleep(0.01)
            return os.getpid()
        """);
    Path marks = java.nio.file.Files.createDirectories(dir.resolve("marks"));
    try (FunctionFixture f =
        FunctionFixture.start(
            dir,
            function(
                "pair",
                "    timeout: 30s\n    concurrency: 2\n    environment: {MARKS: "
                    + marks
                    + "}\n"))) {
      CompletableFuture<String> a = CompletableFuture.supplyAsync(() -> f.success("pair", "{}"));
      CompletableFuture<String> b = CompletableFuture.supplyAsync(() -> f.success("pair", "{}"));
      assertThat(a.get()).isNotEqualTo(b.get());
      assertThat(f.host.list().get(0).warmWorkers()).isEqualTo(2);
    }
  }
}

package io.sluice.functions.process;

import static io.sluice.functions.process.FunctionFixture.WAIT;
import static io.sluice.functions.process.FunctionFixture.executable;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.functions.InvocationResult.Failure;
import io.sluice.core.functions.InvocationResult.Kind;
import io.sluice.testkit.Await;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** provided runtimes: a bootstrap of the user's, here shell scripts speaking HTTP with curl. */
class ProvidedRuntimeTest {

  @TempDir Path dir;

  /** A custom runtime as in Lambda's tutorial: a loop of curl calls to the Runtime API. */
  static final String ECHO =
      """
      #!/bin/sh
      set -eu
      API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
      HEADERS="$(mktemp)"
      while true; do
        EVENT=$(curl -sS -D "$HEADERS" "$API/invocation/next")
        ID=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | cut -d' ' -f2 | tr -d '\\r')
        echo "handling $ID" >&2
        case "$EVENT" in
          *'"text"'*) BODY="not json" ;;
          *) BODY="{\\"echo\\": $EVENT, \\"handler\\": \\"$_HANDLER\\", \\"root\\": \\"$LAMBDA_TASK_ROOT\\"}" ;;
        esac
        curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d "$BODY"
      done
      """;

  static String function(String name, String code, String extra) {
    return "  - name: "
        + name
        + "\n    runtime: provided\n    handler: my.handler\n    code: "
        + code
        + "\n"
        + (extra.contains("timeout:") ? "" : "    timeout: 5s\n")
        + extra;
  }

  @Test
  void aShellScriptBootstrapAnswersThroughTheRuntimeApi() {
    executable(dir.resolve("echo/bootstrap"), ECHO);
    try (FunctionFixture f = FunctionFixture.start(dir, function("echo", "echo", ""))) {
      assertThat(f.success("echo", "{\"n\": 1}"))
          .isEqualTo(
              "{\"echo\": {\"n\": 1}, \"handler\": \"my.handler\", \"root\": \""
                  + dir.resolve("echo")
                  + "\"}");
      assertThat(f.success("echo", "{\"n\": 2}")).startsWith("{\"echo\": {\"n\": 2}");
      Await.until(
          WAIT,
          () ->
              f.logs("echo").stream()
                  .anyMatch(l -> l.stream().equals("stderr") && l.text().startsWith("handling ")),
          () -> f.logText("echo"));
    }
  }

  @Test
  void aResponseThatIsNotJsonFailsWithThatReason() {
    executable(dir.resolve("echo/bootstrap"), ECHO);
    try (FunctionFixture f = FunctionFixture.start(dir, function("echo", "echo", ""))) {
      Failure e = f.failure("echo", "{\"text\": 1}");
      assertThat(e.describe())
          .isEqualTo(
              "Runtime.InvalidResponse: the handler returned something that is not JSON: \"not"
                  + " json\"");
      assertThat(e.kind()).isEqualTo(Kind.INVALID_RESPONSE);
      // the runtime itself is fine and answers the next one
      assertThat(f.success("echo", "{\"n\": 3}")).startsWith("{\"echo\": {\"n\": 3}");
    }
  }

  @Test
  void codeMayBeAZipWhoseBootstrapIsMadeExecutable() throws IOException {
    Path zip = dir.resolve("echo.zip");
    try (OutputStream out = Files.newOutputStream(zip);
        ZipOutputStream z = new ZipOutputStream(out)) {
      z.putNextEntry(new ZipEntry("bootstrap"));
      z.write(ECHO.getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
    try (FunctionFixture f = FunctionFixture.start(dir, function("zipped", "echo.zip", ""))) {
      assertThat(f.success("zipped", "{\"n\": 1}"))
          .isEqualTo(
              "{\"echo\": {\"n\": 1}, \"handler\": \"my.handler\", \"root\": \""
                  + dir.resolve("data/zipped/code")
                  + "\"}");
    }
  }

  @Test
  void anInitErrorPostedByTheRuntimeIsAnInitFailureWithItsBody() {
    executable(
        dir.resolve("bad/bootstrap"),
        """
        #!/bin/sh
        curl -sS -o /dev/null -X POST \
          -H 'Lambda-Runtime-Function-Error-Type: Runtime.ConfigError' \
          -d '{"errorMessage": "DATABASE_URL is not set", "errorType": "ConfigError", "stackTrace": ["at start"]}' \
          "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/init/error"
        exit 1
        """);
    try (FunctionFixture f = FunctionFixture.start(dir, function("bad", "bad", ""))) {
      Failure e = f.failure("bad", "{}");
      assertThat(e.describe()).isEqualTo("ConfigError: DATABASE_URL is not set");
      assertThat(e.stackTrace()).containsExactly("at start");
      assertThat(e.kind()).isEqualTo(Kind.INIT);
    }
  }

  @Test
  void aRuntimeThatKeepsCrashingIsRestartedWithGrowingBackoff() throws IOException {
    Path starts = dir.resolve("starts");
    executable(
        dir.resolve("dying/bootstrap"),
        "#!/bin/sh\necho start >> \"$STARTS\"\necho 'cannot reach the database' >&2\nexit 4\n");
    try (FunctionFixture f =
        FunctionFixture.start(
            dir,
            function(
                "dying",
                "dying",
                "    timeout: 1s\n    environment: {STARTS: " + starts + "}\n"))) {
      Failure first = f.failure("dying", "{}");
      assertThat(first.errorType()).isEqualTo("Runtime.ExitError");
      assertThat(first.kind()).isEqualTo(Kind.CRASH);
      assertThat(first.errorMessage())
          .isIn(
              "Runtime exited with error: exit status 4; last stderr: cannot reach the database",
              "the runtime failed 1 time in a row and is started again after 100 ms, past this"
                  + " invocation's deadline; last: Runtime exited with error: exit status 4; last"
                  + " stderr: cannot reach the database");
      // 100, 200, 400, 800 ms, then 1.6 s: past a 1 s timeout, so invocations fail without a start
      String held =
          "Runtime.ExitError: the runtime failed 5 times in a row and is started again after 1600"
              + " ms, past this invocation's deadline; last: Runtime exited with error: exit status"
              + " 4; last stderr: cannot reach the database";
      Await.until(
          WAIT, () -> f.failure("dying", "{}").describe().equals(held), () -> f.logText("dying"));
      long startsBefore = Files.readAllLines(starts).size();
      for (int i = 0; i < 10; i++) {
        assertThat(f.failure("dying", "{}").describe()).isEqualTo(held);
      }
      assertThat(Files.readAllLines(starts)).hasSize((int) startsBefore).hasSize(5);
    }
  }

  @Test
  void aRuntimeThatExitsWhileIdleIsStartedAgainForTheNextInvocation() throws IOException {
    executable(
        dir.resolve("once/bootstrap"),
        """
        #!/bin/sh
        API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
        H="$(mktemp)"
        curl -sS -D "$H" -o /dev/null "$API/invocation/next"
        ID=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$H" | cut -d' ' -f2 | tr -d '\\r')
        curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d "$$"
        exit 0
        """);
    try (FunctionFixture f = FunctionFixture.start(dir, function("once", "once", ""))) {
      String a = f.success("once", "{}");
      Await.until(
          WAIT, () -> f.host.list().get(0).warmWorkers() == 0, () -> "the runtime still runs");
      String b = f.success("once", "{}");
      assertThat(b).isNotEqualTo(a);
    }
  }

  @Test
  void theRuntimeApiAnswersLambdasStatusCodesAndTakesChunkedBodies() throws Exception {
    executable(
        dir.resolve("probe/bootstrap"),
        """
        #!/bin/sh
        API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
        H="$(mktemp)"
        while true; do
          EVENT=$(curl -sS -D "$H" "$API/invocation/next")
          ID=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$H" | cut -d' ' -f2 | tr -d '\\r')
          DEADLINE=$(grep -i '^Lambda-Runtime-Deadline-Ms:' "$H" | cut -d' ' -f2 | tr -d '\\r')
          ARN=$(grep -ci '^Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:' "$H")
          TRACE=$(grep -ci '^Lambda-Runtime-Trace-Id: Root=1-' "$H")
          WRONG=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$API/invocation/nope/response" -d '{}')
          UNKNOWN=$(curl -sS -o /dev/null -w '%{http_code}' "$API/invocation/elsewhere")
          LATE=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$API/init/error" -d '{}')
          printf '{"wrong": %s, "unknown": %s, "late": %s, "arn": %s, "trace": %s, "deadline": %s, "event": %s}' \\
            "$WRONG" "$UNKNOWN" "$LATE" "$ARN" "$TRACE" "$DEADLINE" "$EVENT" \\
            | curl -sS -o /dev/null -X POST -H 'Transfer-Encoding: chunked' --data-binary @- \\
              "$API/invocation/$ID/response"
        done
        """);
    try (FunctionFixture f = FunctionFixture.start(dir, function("probe", "probe", ""))) {
      long before = System.currentTimeMillis();
      com.fasterxml.jackson.databind.JsonNode out =
          io.sluice.core.Json.MAPPER.readTree(f.success("probe", "{\"n\": 1}"));
      assertThat(out.path("wrong").asInt())
          .as("a response to an unknown request id")
          .isEqualTo(400);
      assertThat(out.path("unknown").asInt()).as("an unknown resource").isEqualTo(404);
      assertThat(out.path("late").asInt()).as("an init error after init").isEqualTo(403);
      assertThat(out.path("arn").asInt()).isEqualTo(1);
      assertThat(out.path("trace").asInt()).isEqualTo(1);
      assertThat(out.path("deadline").asLong()).isBetween(before, before + 5_000 + 30_000);
      assertThat(out.path("event").toString()).isEqualTo("{\"n\":1}");
    }
  }
}

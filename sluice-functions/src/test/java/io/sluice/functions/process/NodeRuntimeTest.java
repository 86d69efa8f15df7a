package io.sluice.functions.process;

import static io.sluice.functions.process.FunctionFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.functions.InvocationResult.Failure;
import io.sluice.core.functions.InvocationResult.Kind;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nodejs handlers through Sluice's bootstrap, in real node processes. */
class NodeRuntimeTest {

  @TempDir Path dir;

  static String function(String name, String handler, String extra) {
    return "  - name: "
        + name
        + "\n    runtime: nodejs\n    handler: "
        + handler
        + "\n    code: "
        + name
        + "\n"
        + (extra.contains("timeout:") ? "" : "    timeout: 1s\n")
        + extra;
  }

  @Test
  void anAsyncHandlerGetsTheEventAndLambdasContext() throws Exception {
    write(
        dir.resolve("enrich/index.js"),
        """
        exports.handler = async (event, context) => {
          console.log('enriching', event.id);
          return {
            id: event.id,
            table: process.env.TABLE,
            request: context.awsRequestId,
            name: context.functionName,
            version: context.functionVersion,
            arn: context.invokedFunctionArn,
            memory: context.memoryLimitInMB,
            group: context.logGroupName,
            remaining: context.getRemainingTimeInMillis(),
          };
        };
        """);
    try (FunctionFixture f =
        FunctionFixture.start(
            dir, function("enrich", "index.handler", "    environment: {TABLE: vitals}\n"))) {
      JsonNode out = Json.MAPPER.readTree(f.success("enrich", "{\"id\": 7}"));

      assertThat(out.path("id").asInt()).isEqualTo(7);
      assertThat(out.path("table").asText()).isEqualTo("vitals");
      assertThat(out.path("request").asText()).hasSize(36);
      assertThat(out.path("name").asText()).isEqualTo("enrich");
      assertThat(out.path("version").asText()).isEqualTo("$LATEST");
      assertThat(out.path("arn").asText()).endsWith(":000000000000:function:enrich");
      assertThat(out.path("memory").asText()).isEqualTo("128");
      assertThat(out.path("group").asText()).isEqualTo("/aws/lambda/enrich");
      assertThat(out.path("remaining").asLong()).isBetween(1L, 1000L);
      String request = out.path("request").asText();
      io.sluice.testkit.Await.until(
          FunctionFixture.WAIT,
          () ->
              f.logs("enrich").stream()
                  .anyMatch(l -> l.text().equals("enriching 7") && request.equals(l.requestId())),
          () -> f.logText("enrich"));
    }
  }

  @Test
  void callbackStyleAndEsModuleHandlersRunToo() {
    write(
        dir.resolve("cb/handlers/cb.js"),
        "exports.go = (event, context, callback) => { setTimeout(() => callback(null, {n:"
            + " event.n + 1}), 1); };\n");
    write(
        dir.resolve("esm/app.mjs"),
        "export const handler = async (event) => ({esm: true, n: event.n});\n");
    try (FunctionFixture f =
        FunctionFixture.start(
            dir, function("cb", "handlers/cb.go", "") + function("esm", "app.handler", ""))) {
      assertThat(f.success("cb", "{\"n\": 1}")).isEqualTo("{\"n\":2}");
      assertThat(f.success("esm", "{\"n\": 3}")).isEqualTo("{\"esm\":true,\"n\":3}");
    }
  }

  @Test
  void aThrownErrorComesBackWithItsClassAndPermanentOnesAreNotRetried() {
    write(
        dir.resolve("check/index.js"),
        """
        class OrderPermanentError extends Error {}
        exports.handler = async (event) => {
          if (event.permanent) throw new OrderPermanentError('order 7 is cancelled');
          throw new TypeError('amount is not a number');
        };
        """);
    try (FunctionFixture f = FunctionFixture.start(dir, function("check", "index.handler", ""))) {
      Failure e = f.failure("check", "{}");
      assertThat(e.describe()).isEqualTo("TypeError: amount is not a number");
      assertThat(e.kind()).isEqualTo(Kind.HANDLER);
      assertThat(e.stackTrace().get(0))
          .startsWith("at exports.handler (" + dir.resolve("check/index.js"));

      Failure p = f.failure("check", "{\"permanent\": true}");
      assertThat(p.describe()).isEqualTo("OrderPermanentError: order 7 is cancelled");
      assertThat(p.kind()).isEqualTo(Kind.PERMANENT);
    }
  }

  @Test
  void aMissingExportIsAnInitFailure() {
    write(dir.resolve("nofn/index.js"), "exports.other = async () => 1;\n");
    try (FunctionFixture f = FunctionFixture.start(dir, function("nofn", "index.handler", ""))) {
      Failure e = f.failure("nofn", "{}");
      assertThat(e.describe())
          .isEqualTo("Runtime.HandlerNotFound: index.handler is undefined or not exported");
      assertThat(e.kind()).isEqualTo(Kind.INIT);
    }
  }

  @Test
  void aModuleThatThrowsWhileLoadingIsAnInitFailureWithItsStack() {
    write(dir.resolve("boom/index.js"), "require('left-pad');\nexports.handler = async () => 1;\n");
    try (FunctionFixture f = FunctionFixture.start(dir, function("boom", "index.handler", ""))) {
      Failure e = f.failure("boom", "{}");
      assertThat(e.errorType()).isEqualTo("Runtime.ImportModuleError");
      assertThat(e.errorMessage()).startsWith("Cannot find module 'left-pad'");
      assertThat(e.kind()).isEqualTo(Kind.INIT);
      assertThat(e.stackTrace()).anyMatch(s -> s.contains(dir.resolve("boom/index.js").toString()));
    }
  }

  @Test
  void aRunawayHandlerIsStoppedAtItsTimeout() {
    write(
        dir.resolve("spin/index.js"),
        "exports.handler = async (event) => { if (event.spin) for (;;) {} return process.pid; };\n");
    try (FunctionFixture f = FunctionFixture.start(dir, function("spin", "index.handler", ""))) {
      String before = f.success("spin", "{}");
      assertThat(f.failure("spin", "{\"spin\": true}").describe())
          .isEqualTo("Sandbox.Timedout: Task timed out after 1.00 seconds");
      assertThat(f.success("spin", "{}")).isNotEqualTo(before);
    }
  }

  @Test
  void aMemoryHogIsStoppedAtItsHeapLimit() {
    write(
        dir.resolve("hog/index.js"),
        """
        exports.handler = async (event) => {
          if (!event.hog) return 'fine';
          const kept = [];
          for (;;) kept.push(new Array(1e6).fill(1.5));
        };
        """);
    try (FunctionFixture f =
        FunctionFixture.start(dir, function("hog", "index.handler", "    timeout: 30s\n"))) {
      Failure e = f.failure("hog", "{\"hog\": true}");
      assertThat(e.describe())
          .isEqualTo("Runtime.OutOfMemory: the function ran out of memory (memory: 128MB)");
      assertThat(e.kind()).isEqualTo(Kind.CRASH);
      assertThat(f.success("hog", "{}")).isEqualTo("\"fine\"");
    }
  }

  @Test
  void aResultThatIsNotJsonFailsWithThatReason() {
    write(
        dir.resolve("odd/index.js"),
        "exports.handler = async () => { const a = {}; a.self = a; return a; };\n");
    try (FunctionFixture f = FunctionFixture.start(dir, function("odd", "index.handler", ""))) {
      Failure e = f.failure("odd", "{}");
      assertThat(e.errorMessage())
          .startsWith(
              "the handler returned something that is not JSON: Converting circular structure to"
                  + " JSON");
      assertThat(e.errorType()).isEqualTo("Runtime.InvalidResponse");
      assertThat(e.kind()).isEqualTo(Kind.INVALID_RESPONSE);
    }
  }
}

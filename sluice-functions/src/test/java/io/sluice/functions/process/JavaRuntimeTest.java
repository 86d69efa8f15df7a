package io.sluice.functions.process;

import static io.sluice.functions.process.FunctionFixture.WAIT;
import static io.sluice.functions.process.FunctionFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.functions.InvocationResult.Failure;
import io.sluice.core.functions.InvocationResult.Kind;
import io.sluice.testkit.Await;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * java handlers: a {@code RequestHandler} compiled by the test, run by AWS's runtime interface
 * client in a child JVM against Sluice's Runtime API.
 */
class JavaRuntimeTest {

  @TempDir Path dir;

  static final String ORDERS =
      """
      package example;

      import com.amazonaws.services.lambda.runtime.Context;
      import com.amazonaws.services.lambda.runtime.RequestHandler;
      import java.util.Map;

      public class Orders implements RequestHandler<Map<String, Object>, Map<String, Object>> {
        @Override
        public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
          if (event.containsKey("hog")) {
            java.util.List<long[]> kept = new java.util.ArrayList<>();
            while (true) {
              kept.add(new long[1 << 20]);
            }
          }
          if (event.containsKey("fail")) {
            throw new IllegalArgumentException("no order " + event.get("id"));
          }
          System.out.println("order " + event.get("id"));
          return Map.of(
              "id", event.get("id"),
              "request", context.getAwsRequestId(),
              "function", context.getFunctionName(),
              "memory", context.getMemoryLimitInMB(),
              "remaining", context.getRemainingTimeInMillis());
        }
      }
      """;

  /** Compiles {@code source} of class {@code example.Orders} into {@code classes}. */
  static void compile(Path classes, String source) throws Exception {
    Path src = write(classes.getParent().resolve("src/example/Orders.java"), source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    String cp = String.join(File.pathSeparator, JavaClient.jars());
    int rc =
        javac.run(
            null,
            null,
            null,
            "-cp",
            cp,
            "-d",
            classes.toString(),
            "--release",
            "21",
            src.toString());
    assertThat(rc).as("javac exit code").isZero();
  }

  @Test
  void aRequestHandlerRunsThroughAwsRuntimeInterfaceClientInAChildJvm() throws Exception {
    compile(dir.resolve("orders/classes"), ORDERS);
    try (FunctionFixture f =
        FunctionFixture.start(
            dir,
            """
              - name: orders
                runtime: java
                handler: example.Orders::handleRequest
                code: orders/classes
                timeout: 10s
                memory: 256MB
            """)) {
      JsonNode out = Json.MAPPER.readTree(f.success("orders", "{\"id\": \"o-1\"}"));
      assertThat(out.path("id").asText()).isEqualTo("o-1");
      assertThat(out.path("request").asText()).hasSize(36);
      assertThat(out.path("function").asText()).isEqualTo("orders");
      assertThat(out.path("memory").asInt()).isEqualTo(256);
      assertThat(out.path("remaining").asLong()).isBetween(1L, 10_000L);
      String request = out.path("request").asText();
      Await.until(
          WAIT,
          () ->
              f.logs("orders").stream()
                  .anyMatch(l -> l.text().contains("order o-1") && request.equals(l.requestId())),
          () -> f.logText("orders"));

      Failure e = f.failure("orders", "{\"id\": \"o-2\", \"fail\": true}");
      assertThat(e.describe()).isEqualTo("java.lang.IllegalArgumentException: no order o-2");
      assertThat(e.kind()).isEqualTo(Kind.HANDLER);
      assertThat(e.stackTrace()).anyMatch(s -> s.contains("example.Orders.handleRequest"));

      Failure hog = f.failure("orders", "{\"hog\": true}");
      assertThat(hog.describe())
          .isEqualTo("Runtime.OutOfMemory: the function ran out of memory (memory: 256MB)");
      assertThat(Json.MAPPER.readTree(f.success("orders", "{\"id\": \"o-3\"}")).path("id").asText())
          .isEqualTo("o-3");
    }
  }

  @Test
  void aClassThatIsNotThereIsAnInitFailure() throws Exception {
    compile(dir.resolve("orders/classes"), ORDERS);
    write(dir.resolve("orders/classes/lib/README"), "");
    try (FunctionFixture f =
        FunctionFixture.start(
            dir,
            """
              - {name: orders, runtime: java, handler: example.Missing, code: orders/classes, timeout: 10s}
            """)) {
      Failure e = f.failure("orders", "{}");
      assertThat(e.kind()).isEqualTo(Kind.INIT);
      assertThat(e.describe())
          .isEqualTo("java.lang.ClassNotFoundException: Class not found: example.Missing");
    }
  }

  @Test
  void aMissingClassFileIsFoundByValidate() throws Exception {
    compile(dir.resolve("orders/classes"), ORDERS);
    List<String> problems;
    try {
      io.sluice.core.config.ConfigLoader.parse(
          "functions:\n  - {name: o, runtime: java, handler: example.Nope::run, code:"
              + " orders/classes}\n",
          "t.yaml",
          dir,
          FunctionFixture.KINDS);
      problems = List.of();
    } catch (io.sluice.core.InvalidInputException ex) {
      problems = ex.problems().stream().map(Object::toString).toList();
    }
    assertThat(problems)
        .containsExactly(
            "/functions/0/handler: class example.Nope has no file example/Nope.class in "
                + dir.resolve("orders/classes"));
  }
}

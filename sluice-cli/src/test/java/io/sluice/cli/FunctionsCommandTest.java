package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.server.SluiceKinds;
import io.sluice.server.SluiceServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sluice functions list, invoke and logs against a real server with a python3 function. */
class FunctionsCommandTest {

  @TempDir static Path dir;
  static SluiceServer server;
  static String url;

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(dir.resolve("fn"));
    Files.writeString(
        dir.resolve("fn/app.py"),
        """
        def handler(event, context):
            print("total for", event.get("id"))
            if "qty" not in event:
                raise KeyError("qty")
            return {"id": event["id"], "total": event["qty"] * 3}
        """,
        StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve("sluice.yaml"),
        """
        functions:
          - {name: price, runtime: python3, handler: app.handler, code: fn, timeout: 10s}
        """);
    SluiceConfig c = ConfigLoader.load(dir.resolve("sluice.yaml"), SluiceKinds.forReading());
    server =
        SluiceServer.start(c.withServer(c.server().withPort(0)), SluiceServer.Options.DEFAULTS);
    url = server.url().toString();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void invokePrintsTheResultAndLogsShowWhatTheHandlerPrinted() throws Exception {
    LogCommandTest.Run r =
        LogCommandTest.run(
            "functions", "invoke", "--url", url, "price", "{\"id\":\"a\",\"qty\":4}");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("{\"id\": \"a\", \"total\": 12}\n");

    Path payload = dir.resolve("p.json");
    Files.writeString(payload, "{\"id\":\"b\",\"qty\":1}");
    LogCommandTest.Run withLog =
        LogCommandTest.run(
            "functions", "invoke", "--url", url, "price", "--payload", payload.toString(), "--log");
    assertThat(withLog.exit()).as(withLog.err()).isZero();
    assertThat(withLog.err()).contains("total for b");

    LogCommandTest.Run logs = LogCommandTest.run("functions", "logs", "--url", url, "price");
    assertThat(logs.exit()).isZero();
    assertThat(logs.out()).contains(" stdout total for a\n").contains(" stdout total for b\n");
  }

  @Test
  void aFailingHandlerExitsOneWithItsErrorTypeAndMessage() {
    LogCommandTest.Run r =
        LogCommandTest.run("functions", "invoke", "--url", url, "price", "{\"id\":\"c\"}");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("sluice: function price failed: KeyError: 'qty'\n");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void listShowsEachFunction() {
    LogCommandTest.Run r = LogCommandTest.run("functions", "list", "--url", url);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("name").contains("price").contains("python3").contains("active");
  }

  @Test
  void badInputIsNamed() {
    LogCommandTest.Run unknown =
        LogCommandTest.run("functions", "invoke", "--url", url, "nope", "{}");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err())
        .isEqualTo(
            "sluice: ResourceNotFoundException: Function not found:"
                + " arn:aws:lambda:local:000000000000:function:nope\n");

    LogCommandTest.Run notJson =
        LogCommandTest.run("functions", "invoke", "--url", url, "price", "{oops");
    assertThat(notJson.exit()).isEqualTo(1);
    assertThat(notJson.err())
        .startsWith(
            "sluice: InvalidRequestContentException: Could not parse request body into json:");

    LogCommandTest.Run both =
        LogCommandTest.run(
            "functions", "invoke", "--url", url, "price", "{}", "--payload", "x.json");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err())
        .startsWith("give the payload as PAYLOAD or with --payload FILE, not both");

    LogCommandTest.Run missing =
        LogCommandTest.run(
            "functions",
            "invoke",
            "--url",
            url,
            "price",
            "--payload",
            dir.resolve("no.json").toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err())
        .isEqualTo("sluice: /payload: cannot read " + dir.resolve("no.json") + "\n");

    LogCommandTest.Run logsOfNothing =
        LogCommandTest.run("functions", "logs", "--url", url, "nope");
    assertThat(logsOfNothing.exit()).isEqualTo(1);
    assertThat(logsOfNothing.err())
        .isEqualTo("sluice: NOT_FOUND: /function: no function named \"nope\" (functions: price)\n");
  }
}

package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.server.SluiceKinds;
import io.sluice.server.SluiceServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** send, tail, validate and keys against a real server on a random port. */
class ServerCommandsTest {

  @TempDir Path dir;
  SluiceServer server;
  String url;

  @BeforeEach
  void start() {
    SluiceConfig c =
        ConfigLoader.parse(
            "buses: [{name: orders, partitions: 2}]", "t.yaml", dir, SluiceKinds.forReading());
    server =
        SluiceServer.start(c.withServer(c.server().withPort(0)), SluiceServer.Options.DEFAULTS);
    url = server.url().toString();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void sendOneEventThenTailIt() {
    LogCommandTest.Run sent =
        LogCommandTest.run(
            "send",
            "--url",
            url,
            "--bus",
            "orders",
            "--source",
            "shop",
            "--type",
            "OrderPlaced",
            "{\"amount\":12}");
    assertThat(sent.exit()).as(sent.err()).isZero();
    assertThat(sent.out()).matches("[0-9a-f-]{36} partition [01] offset 0\n");

    LogCommandTest.Run tail = LogCommandTest.run("tail", "--url", url, "--bus", "orders");
    assertThat(tail.exit()).isZero();
    assertThat(tail.out())
        .contains("\"detail-type\":\"OrderPlaced\"")
        .contains("\"detail\":{\"amount\":12}");
    assertThat(tail.out().lines()).hasSize(1);
  }

  @Test
  void sendAFileInBatchesReportsEachRejectedLine() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 1234; i++) {
      lines.add(
          i == 700
              ? "{\"source\":\"s\"}"
              : i == 701
                  ? "not json"
                  : "{\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{\"n\":" + i + "}}");
    }
    Path file = dir.resolve("events.ndjson");
    Files.write(file, lines);

    LogCommandTest.Run r =
        LogCommandTest.run("send", "--url", url, "--bus", "orders", "--file", file.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEqualTo("sent 1232 events to bus orders, 2 rejected\n");
    assertThat(r.err())
        .contains("line 700: INVALID_EVENT /detail-type: is required: a non-empty string")
        .contains(
            "line 701: MALFORMED_JSON: malformed JSON at line 1, column 1: Unrecognized token 'not'");
    assertThat(LogCommandTest.run("tail", "--url", url, "--bus", "orders").out().lines())
        .hasSize(1232);
  }

  @Test
  void sendWrapsDetailLinesWhenSourceAndTypeAreGiven() throws Exception {
    Path file = dir.resolve("details.ndjson");
    Files.write(file, List.of("{\"n\":1}", "{\"n\":2}"));

    LogCommandTest.Run r =
        LogCommandTest.run(
            "send",
            "--url",
            url,
            "--bus",
            "orders",
            "--source",
            "gen",
            "--type",
            "Reading",
            "--file",
            file.toString());

    assertThat(r.out()).isEqualTo("sent 2 events to bus orders, 0 rejected\n");
    assertThat(LogCommandTest.run("tail", "--url", url, "--bus", "orders").out())
        .contains("\"source\":\"gen\"")
        .contains("\"detail\":{\"n\":2}");
  }

  @Test
  void clientErrorsAreClear() {
    LogCommandTest.Run noBus =
        LogCommandTest.run(
            "send", "--url", url, "--bus", "nope", "--source", "a", "--type", "b", "{}");
    assertThat(noBus.exit()).isEqualTo(1);
    assertThat(noBus.err())
        .isEqualTo("sluice: not stored: NOT_FOUND: /bus: no bus named \"nope\"\n");

    LogCommandTest.Run badDetail =
        LogCommandTest.run("send", "--url", url, "--source", "a", "--type", "b", "[1]");
    assertThat(badDetail.err())
        .isEqualTo("sluice: /DETAIL: expected a JSON object like {\"amount\":12}, got \"[1]\"\n");

    LogCommandTest.Run noSource = LogCommandTest.run("send", "--url", url, "{}");
    assertThat(noSource.exit()).isEqualTo(2);
    assertThat(noSource.err())
        .startsWith(
            "Missing required option '--source': a DETAIL needs --source and --type (or send whole"
                + " events with --file)\nUsage: sluice send");

    LogCommandTest.Run down =
        LogCommandTest.run("tail", "--url", "http://127.0.0.1:1", "--bus", "orders");
    assertThat(down.exit()).isEqualTo(1);
    assertThat(down.err())
        .isEqualTo(
            "sluice: cannot connect to http://127.0.0.1:1 (is `sluice run` running there?)\n");

    LogCommandTest.Run missingFile =
        LogCommandTest.run("send", "--url", url, "--file", dir.resolve("nope.ndjson").toString());
    assertThat(missingFile.err())
        .isEqualTo(
            "sluice: /file: cannot read "
                + dir.resolve("nope.ndjson")
                + ": there is no such file\n");
  }

  @Test
  void validateReportsEveryProblemAndSummarisesAValidFile() throws Exception {
    Path good = dir.resolve("good.yaml");
    Files.writeString(good, "buses: [{name: orders}, {name: audit}]\n");
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        "buses:\n  - name: orders\n    retention: seven\n  - name: audit\n    partitions: 0\n");

    LogCommandTest.Run ok = LogCommandTest.run("validate", good.toString());
    assertThat(ok.exit()).isZero();
    assertThat(ok.out())
        .startsWith(
            good + " is valid: 2 buses (orders, audit), listening on 127.0.0.1:7070, data in ");

    LogCommandTest.Run r = LogCommandTest.run("validate", bad.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "sluice: "
                + bad
                + " has 2 problems\n"
                + "  /buses/0/retention: expected a duration like 7d or 12h, got \"seven\"\n"
                + "  /buses/1/partitions: expected an integer 1..1024, got number 0\n");

    assertThat(LogCommandTest.run("validate", "--schema").out())
        .contains("\"title\": \"Sluice configuration\"");
  }

  @Test
  void keysNewPrintsAKeyItsHashAndTheConfigLines() {
    LogCommandTest.Run r =
        LogCommandTest.run(
            "keys", "new", "--name", "ci", "--scope", "ingest:orders", "--scope", "read");

    List<String> lines = r.out().lines().toList();
    String key = lines.get(0).substring("key:    ".length());
    assertThat(key).startsWith("sk_").hasSize(46);
    assertThat(lines.get(1)).isEqualTo("sha256: " + io.sluice.server.ApiKeys.sha256Hex(key));
    assertThat(r.out())
        .contains("    - name: \"ci\"\n")
        .contains("      scopes: [\"ingest:orders\", \"read\"]\n");
  }

  @Test
  void aRefusedRequestWithSeveralProblemsPrintsEveryOne() {
    LogCommandTest.Run r =
        LogCommandTest.run(
            "rules",
            "put",
            "--url",
            url,
            "--bus",
            "orders",
            "r",
            "{\"pattern\":{\"source\":\"x\"},\"targets\":[{\"id\":\"t\",\"nope\":{}}]}");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "sluice: INVALID_ARGUMENT: /pattern/source: expected an array of match conditions (like"
                + " [\"x\"]) or a nested object, got string \"x\" (and 2 more problems)\n"
                + "  /pattern/source: expected an array of match conditions (like [\"x\"]) or a"
                + " nested object, got string \"x\"\n"
                + "  /targets/0/nope: unknown field; expected one of id, bus, http, file, log, lake,"
                + " validate, function, email, webhook, report, inputTransformer, jq,"
                + " transform, concurrency, rateLimit, timeout, retry, ordered, batch\n"
                + "  /targets/0: expected exactly one of bus, http, file, log, lake, validate,"
                + " function, email, webhook, report, got none\n");
  }
}

package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.server.SluiceKinds;
import io.sluice.server.SluiceServer;
import io.sluice.testkit.Await;
import io.sluice.testkit.HttpReceiver;
import io.sluice.testkit.HttpReceiver.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rules, dlq, replay and stats commands against a real server and a real HTTP target. */
class DeliveryCommandsTest {

  @TempDir Path dir;
  SluiceServer server;
  HttpReceiver receiver;
  final AtomicBoolean accept = new AtomicBoolean(true);
  String url;

  @BeforeEach
  void start() {
    receiver = HttpReceiver.start(r -> accept.get() ? Reply.OK : Reply.status(410));
    SluiceConfig c =
        ConfigLoader.parse("buses: [{name: orders}]", "t.yaml", dir, SluiceKinds.forReading());
    server =
        SluiceServer.start(c.withServer(c.server().withPort(0)), SluiceServer.Options.DEFAULTS);
    url = server.url().toString();
  }

  @AfterEach
  void stop() {
    server.close();
    receiver.close();
  }

  @Test
  void rulesTestExplainsOfflineWithScriptableExitCodes() {
    LogCommandTest.Run match =
        LogCommandTest.run(
            "rules",
            "test",
            "--pattern",
            "{\"source\":[\"shop\"]}",
            "--event",
            "{\"source\":\"shop\"}");
    assertThat(match.exit()).isZero();
    assertThat(match.out()).isEqualTo("MATCH\n  ✓ /source [\"shop\"] matched \"shop\"\n");

    LogCommandTest.Run no =
        LogCommandTest.run(
            "rules",
            "test",
            "--pattern",
            "{\"source\":[\"shop\"],\"detail\":{\"n\":[{\"numeric\":[\">\",5]}]}}",
            "--event",
            "{\"source\":\"shop\",\"detail\":{\"n\":1}}");
    assertThat(no.exit()).isEqualTo(3);
    assertThat(no.out())
        .isEqualTo(
            "NO MATCH\n  ✓ /source [\"shop\"] matched \"shop\"\n  ✗ /detail/n [{\"numeric\":[\">\",5]}] did not match 1\n");

    LogCommandTest.Run bad =
        LogCommandTest.run("rules", "test", "--pattern", "{\"source\":\"shop\"}", "--event", "{}");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err())
        .isEqualTo(
            "sluice: /pattern/source: expected an array of match conditions (like [\"shop\"]) or a nested object, got string \"shop\"\n");
  }

  @Test
  void rulesAreManagedAndDeadLettersRedrivenAndReplaysRunFromTheCli() throws Exception {
    Path rule = dir.resolve("rule.json");
    Files.writeString(
        rule,
        "{\"pattern\":{\"source\":[\"shop\"]},\"targets\":[{\"id\":\"hook\",\"http\":{\"url\":\""
            + receiver.url()
            + "\"}}]}");
    LogCommandTest.Run put =
        LogCommandTest.run("rules", "put", "--url", url, "--bus", "orders", "shop", "@" + rule);
    assertThat(put.exit()).as(put.err()).isZero();
    assertThat(put.out()).contains("\"origin\" : \"api\"");
    assertThat(LogCommandTest.run("rules", "list", "--url", url, "--bus", "orders").out())
        .startsWith("shop ")
        .contains("enabled  api     1 target(s)");

    accept.set(false);
    LogCommandTest.run(
        "send", "--url", url, "--bus", "orders", "--source", "shop", "--type", "T", "{}");
    Await.until(
        Duration.ofSeconds(10),
        () -> LogCommandTest.run("dlq", "list", "--url", url).out().lines().count() == 1,
        () -> "no dead letter");
    assertThat(LogCommandTest.run("dlq", "list", "--url", url, "--rule", "shop").out())
        .contains("answered 410");
    String stats = LogCommandTest.run("stats", "--url", url).out();
    assertThat(stats.lines().findFirst().orElseThrow())
        .containsPattern("matched\\s+delivered\\s+errors\\s+failed\\s+retried\\s+dead");
    assertThat(stats).containsPattern("orders\\s+shop\\s+hook\\s+1\\s+0\\s+0\\s+1\\s+0\\s+1");

    accept.set(true);
    assertThat(LogCommandTest.run("dlq", "redrive", "--url", url, "--rule", "shop").out())
        .isEqualTo("redriven: 1\n");
    Await.until(
        Duration.ofSeconds(10), () -> receiver.deliveredIds().size() == 1, () -> "not redriven");
    assertThat(LogCommandTest.run("dlq", "purge", "--url", url, "--all").out())
        .isEqualTo("purged: 0\n");

    LogCommandTest.Run replay =
        LogCommandTest.run(
            "replay",
            "--url",
            url,
            "--bus",
            "orders",
            "--from",
            "2000-01-01T00:00:00Z",
            "--to",
            "2999-01-01T00:00:00Z",
            "--rule",
            "shop",
            "--name",
            "again",
            "--wait");
    assertThat(replay.exit()).as(replay.err()).isZero();
    assertThat(replay.out())
        .isEqualTo(
            "replay again started\nreplay again completed: 1 matched, 1 settled (delivered,"
                + " skipped or dead-lettered)\n");
    assertThat(
            receiver.requests().stream()
                .filter(r -> "again".equals(r.header("Sluice-Replay-Name")))
                .count())
        .isEqualTo(1);

    assertThat(
            LogCommandTest.run("rules", "disable", "--url", url, "--bus", "orders", "shop").out())
        .contains("\"enabled\" : false");
    assertThat(
            LogCommandTest.run("rules", "delete", "--url", url, "--bus", "orders", "shop").exit())
        .isZero();
    LogCommandTest.Run gone =
        LogCommandTest.run("rules", "get", "--url", url, "--bus", "orders", "shop");
    assertThat(gone.exit()).isEqualTo(1);
    assertThat(gone.err())
        .isEqualTo("sluice: NOT_FOUND: /name: no rule named \"shop\" on bus orders\n");
  }
}

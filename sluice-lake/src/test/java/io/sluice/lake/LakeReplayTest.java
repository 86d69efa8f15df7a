package io.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.Json;
import io.sluice.engine.Engine;
import io.sluice.engine.Ingest;
import io.sluice.engine.Replays;
import io.sluice.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay into a lake table is exactly once per replay, like the rest of the lake: resumed from a
 * checkpoint behind what it already wrote (as after kill -9), it leaves every replayed event in the
 * table once, and its counters agree with a replay that was never interrupted.
 */
class LakeReplayTest {

  static final int EVENTS = 1500;

  @TempDir Path dir;
  Lake lake;
  Engine engine;

  static final String YAML =
      """
      buses: [{name: orders, partitions: 2}]
      rules:
        - name: to-lake
          bus: orders
          pattern: {source: [shop]}
          targets:
            - {id: lake, lake: {table: orders, buffer: {interval: 1s}}}
      """;

  LakeEngine running;

  void start() {
    running = LakeEngine.start(dir, YAML, new SimpleMeterRegistry());
    lake = running.lake;
    engine = running.engine;
  }

  void stop() {
    running.close();
    engine = null;
  }

  @AfterEach
  void tearDown() {
    if (engine != null) {
      stop();
    }
  }

  long count(String sql) {
    return running.count(sql);
  }

  @Test
  void aReplayResumedFromAnEarlierCheckpointWritesEveryEventOnceWithConsistentCounters()
      throws Exception {
    start();
    Instant from = Instant.now().minusSeconds(1);
    List<Ingest.Entry> entries = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      entries.add(
          engine
              .ingest()
              .prepare(
                  Json.MAPPER.readTree(
                      "{\"source\":\"shop\",\"detail-type\":\"T\",\"detail\":{\"i\":" + i + "}}"),
                  ""));
    }
    for (int i = 0; i < EVENTS; i += 500) {
      engine.ingest().store("orders", entries.subList(i, i + 500)).join();
    }
    Await.until(
        Duration.ofSeconds(60),
        () -> count("SELECT count(*) FROM orders") == EVENTS,
        () -> "orders has " + count("SELECT count(*) FROM orders"));
    Instant to = Instant.now().plusSeconds(1);
    engine
        .routing()
        .replays()
        .start(new Replays.Spec("again", "orders", from, to, "to-lake", "lake"));
    String replayed = "SELECT count(*) FROM orders WHERE replay_name = 'again'";
    Await.until(
        Duration.ofSeconds(60),
        () -> engine.routing().replays().get("again").state().equals("completed"),
        () -> engine.routing().replays().get("again").toString());
    assertThat(count(replayed)).isEqualTo(EVENTS);
    stop();

    // as a kill -9 right after the replay started would leave it: running, nothing checkpointed
    Path file = dir.resolve("data/replays/again.json");
    ObjectNode state = (ObjectNode) Json.MAPPER.readTree(Files.readAllBytes(file));
    state.put("state", "running").put("matched", 0).put("settled", 0).putNull("finishedAt");
    state.remove("positions");
    state.remove("doneBelow");
    Files.write(file, Json.MAPPER.writeValueAsBytes(state));

    start();
    Await.until(
        Duration.ofSeconds(60),
        () -> engine.routing().replays().get("again").state().equals("completed"),
        () -> engine.routing().replays().get("again").toString());
    assertThat(count(replayed)).as("the resumed replay wrote nothing twice").isEqualTo(EVENTS);
    assertThat(count("SELECT count(DISTINCT id) FROM orders WHERE replay_name = 'again'"))
        .isEqualTo(EVENTS);
    Replays.Status done = engine.routing().replays().get("again");
    assertThat(done.matched()).isEqualTo(EVENTS);
    assertThat(done.settled()).isEqualTo(EVENTS);
    assertThat(count("SELECT count(*) FROM orders WHERE replay_name IS NULL")).isEqualTo(EVENTS);
  }

  @Test
  void aRetriedReplayDeliveryIsWrittenThoughTheReplayMovedPastIt() throws Exception {
    start();
    var target = engine.config().rules().get(0).targets().get(0);
    var sender = lake.lakeSender("orders", "to-lake", target);
    var event =
        Json.MAPPER.readTree(
            "{\"version\":\"0\",\"id\":\"x\",\"detail-type\":\"T\",\"source\":\"shop\","
                + "\"account\":\"0\",\"time\":\"2026-11-30T10:00:00Z\",\"region\":\"local\","
                + "\"resources\":[],\"detail\":{\"i\":1}}");
    // the replay wrote offset 9; offset 3 failed (say, its transform) and was dead-lettered
    sender
        .sendAsync(
            List.of(
                new io.sluice.core.targets.Outbound(
                    "orders", "to-lake", "a", null, "again", event, 0, 9, true, false, 0)))
        .get(30, java.util.concurrent.TimeUnit.SECONDS);
    // redriven, it comes back through the retry queue, below the replay's mark
    sender
        .sendAsync(
            List.of(
                new io.sluice.core.targets.Outbound(
                    "orders", "to-lake", "b", null, "again", event, 0, 3, true, true, 0)))
        .get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(count("SELECT count(*) FROM orders WHERE replay_name = 'again'")).isEqualTo(2);
    sender.close();
  }
}

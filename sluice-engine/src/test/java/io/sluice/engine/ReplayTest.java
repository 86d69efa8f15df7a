package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.testkit.Await;
import io.sluice.testkit.HttpReceiver;
import io.sluice.testkit.HttpReceiver.Reply;
import io.sluice.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayTest {

  @TempDir Path dir;

  @Test
  void replayDeliversExactlyTheAskedRangeToExactlyTheAskedRuleMarked() {
    MutableClock clock = MutableClock.atDefaultStart();
    try (HttpReceiver one = HttpReceiver.start(r -> Reply.OK);
        HttpReceiver two = HttpReceiver.start(r -> Reply.OK);
        EngineFixture f =
            new EngineFixture(
                dir,
                "buses: [{name: orders, partitions: 3}]\nrules:\n"
                    + "  - {name: one, bus: orders, pattern: {source: [shop]}, targets: [{id: t, http: {url: \""
                    + one.url()
                    + "\"}}]}\n"
                    + "  - {name: two, bus: orders, pattern: {source: [shop]}, targets: [{id: t, http: {url: \""
                    + two.url()
                    + "\"}}]}\n",
                clock)) {
      List<String> early = send(f, 10);
      clock.advance(Duration.ofMinutes(10));
      Instant from = clock.instant();
      List<String> window = send(f, 15);
      clock.advance(Duration.ofMinutes(10));
      Instant to = clock.instant();
      List<String> late = send(f, 10);
      Await.until(
          Duration.ofSeconds(20),
          () -> one.deliveredIds().size() == 35 && two.deliveredIds().size() == 35,
          () -> one.deliveredIds().size() + "/" + two.deliveredIds().size());
      int twoBefore = two.requests().size();

      Replays.Status started =
          f.engine
              .routing()
              .replays()
              .start(new Replays.Spec("again", "orders", from, to, "one", null));

      Await.until(
          Duration.ofSeconds(20),
          () -> f.engine.routing().replays().get("again").state().equals("completed"),
          () -> f.engine.routing().replays().get("again").toString());
      assertThat(started.state()).isEqualTo("running");
      List<HttpReceiver.Request> replayed =
          one.requests().stream().filter(r -> r.header("Sluice-Replay-Name") != null).toList();
      assertThat(replayed).hasSize(15);
      assertThat(replayed)
          .allSatisfy(
              r -> {
                assertThat(r.header("Sluice-Replay-Name")).isEqualTo("again");
                assertThat(r.json().get("replay-name").asText()).isEqualTo("again");
              });
      assertThat(replayed.stream().map(r -> r.json().get("id").asText()).toList())
          .containsExactlyInAnyOrderElementsOf(window);
      assertThat(two.requests()).hasSize(twoBefore);
      Replays.Status done = f.engine.routing().replays().get("again");
      assertThat(done.matched()).isEqualTo(15);
      assertThat(done.settled()).isEqualTo(15);
      assertThat(early).hasSize(10);
      assertThat(late).hasSize(10);
    }
  }

  @Test
  void badReplayRequestsNameEveryProblem() {
    try (EngineFixture f =
        new EngineFixture(
            dir, "rules:\n  - {name: r, pattern: {source: [x]}, targets: [{id: t, log: {}}]}\n")) {
      Instant t = Instant.parse("2026-11-23T10:00:00Z");
      assertThatThrownBy(
              () ->
                  f.engine
                      .routing()
                      .replays()
                      .start(new Replays.Spec("bad name", "nope", t, t, null, null)))
          .hasMessage(
              "/name: expected 1-64 characters A-Z a-z 0-9 . _ -, got \"bad name\" (and 2 more problems)");
      assertThatThrownBy(
              () ->
                  f.engine
                      .routing()
                      .replays()
                      .start(new Replays.Spec(null, "default", t, t.plusSeconds(1), "r", "nope")))
          .hasMessage("/target: rule r has no target \"nope\"");
      assertThatThrownBy(
              () ->
                  f.engine
                      .routing()
                      .replays()
                      .start(new Replays.Spec(null, "default", t, t.plusSeconds(1), "ghost", null)))
          .hasMessage("/rule: no enabled rule named \"ghost\" on bus default");
      assertThatThrownBy(() -> f.engine.routing().replays().get("ghost"))
          .hasMessage("/name: no replay named \"ghost\"");
    }
  }

  static List<String> send(EngineFixture f, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(
          f.send(
              "orders",
              "{\"source\":\"shop\",\"detail-type\":\"T\",\"detail\":{\"i\":" + i + "}}"));
    }
    return ids;
  }
}

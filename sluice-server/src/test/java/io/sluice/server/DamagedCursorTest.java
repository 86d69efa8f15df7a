package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.testkit.Await;
import io.sluice.testkit.HttpReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One damaged cursor file does not stop the server: it starts, says which cursor was damaged in
 * /health, and resumes that target from a safe point (its previous commit, else the start of the
 * bus), so events are delivered again rather than skipped.
 */
class DamagedCursorTest {

  @TempDir Path dir;

  static String yaml(HttpReceiver r) {
    return "buses: [{name: default}]\nrules:\n  - {name: r, pattern: {source: [s]}, targets: [{id:"
        + " t, http: {url: \""
        + r.url()
        + "\"}}]}\n";
  }

  Path cursor() {
    return dir.resolve("data/log/default/cursors/target:r:t.cursor");
  }

  void awaitCursor(int offset) {
    Await.until(
        Duration.ofSeconds(20),
        () -> {
          try {
            return Files.readString(cursor()).contains("\n0 " + offset + "\n");
          } catch (java.io.IOException e) {
            return false;
          }
        },
        () -> "cursor not at " + offset);
  }

  static void damage(Path file) throws Exception {
    byte[] b = Files.readAllBytes(file);
    b[b.length / 2] ^= 0x5a;
    Files.write(file, b);
  }

  @Test
  void aDamagedCursorResumesFromItsPreviousCommitThenFromTheStart() throws Exception {
    try (HttpReceiver receiver = HttpReceiver.start(r -> HttpReceiver.Reply.OK)) {
      try (ServerFixture s = ServerFixture.start(dir, yaml(receiver))) {
        s.sendNumbered(0, 5);
        awaitCursor(5);
        s.sendNumbered(5, 8);
        awaitCursor(8);
        assertThat(s.get("/health").json().get("status").asText()).isEqualTo("UP");
      }
      assertThat(receiver.requests()).hasSize(8);
      damage(cursor());

      try (ServerFixture s = ServerFixture.start(dir, yaml(receiver))) {
        Await.until(
            Duration.ofSeconds(20),
            () -> receiver.requests().size() == 11,
            () -> receiver.requests().size() + " deliveries");
        assertThat(receiver.deliveredInOrder().subList(8, 11))
            .containsExactlyInAnyOrder("e5", "e6", "e7");
        JsonNode health = s.get("/health").json();
        assertThat(health.get("status").asText()).isEqualTo("DEGRADED");
        JsonNode incident = health.get("incidents").get(0);
        assertThat(incident.get("kind").asText()).isEqualTo("damaged-cursor");
        assertThat(incident.get("message").asText())
            .startsWith("cursor target:r:t of log default was damaged (")
            .contains("; kept as target:r:t.cursor.damaged-")
            .endsWith(
                "; resuming from its previous commit {0=5}: events after it are delivered again");
        awaitCursor(8);
      }
      try (Stream<Path> s = Files.list(cursor().getParent())) {
        assertThat(s.map(p -> p.getFileName().toString()).toList())
            .anyMatch(f -> f.startsWith("target:r:t.cursor.damaged-"));
      }

      // both the cursor and its previous commit damaged: from the start of the bus
      damage(cursor());
      damage(cursor().resolveSibling("target:r:t.cursor.prev"));
      try (ServerFixture s = ServerFixture.start(dir, yaml(receiver))) {
        Await.until(
            Duration.ofSeconds(20),
            () -> receiver.requests().size() == 19,
            () -> receiver.requests().size() + " deliveries");
        assertThat(receiver.deliveredInOrder().subList(11, 19))
            .containsExactlyInAnyOrder("e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7");
        List<String> messages =
            s.get("/health").json().findValues("message").stream().map(JsonNode::asText).toList();
        assertThat(messages)
            .anySatisfy(
                m ->
                    assertThat(m)
                        .contains(
                            "resuming from the start of every partition {0=0} (the previous"
                                + " commit is damaged too ("));
      }
    }
  }
}

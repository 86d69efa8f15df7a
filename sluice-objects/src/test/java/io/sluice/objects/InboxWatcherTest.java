package io.sluice.objects;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.engine.Health;
import io.sluice.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inbox never stops on an error: it says so in health, and goes on once the cause is gone. */
class InboxWatcherTest {

  @TempDir Path dir;

  @Test
  void aFileThatCannotBeStoredMakesTheInboxFailingUntilItIsStoredLosingNothing() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Health health = new Health(Clock.systemUTC(), meters);
    ObjectStore store =
        new ObjectStore(dir.resolve("objects"), 1 << 20, ObjectEvents.NONE, Clock.systemUTC());
    Path blocker = dir.resolve("objects/uploads"); // a file where the bucket's directory goes
    Files.writeString(blocker, "in the way");
    Path inbox = dir.resolve("inbox");
    InboxWatcher w =
        new InboxWatcher(inbox, "uploads", "raw/", Duration.ofMillis(50), store, health);
    try {
      Files.writeString(inbox.resolve("a.csv"), "id\n1\n");

      String component = "inbox " + inbox.toAbsolutePath().normalize();
      Await.until(
          Duration.ofSeconds(20),
          () -> health.failing().containsKey(component),
          () -> "failing: " + health.failing());
      assertThat(health.failing().get(component).error()).startsWith("a.csv not uploaded: ");
      assertThat(
              meters.get("sluice.component.errors").tag("component", component).counter().count())
          .isGreaterThanOrEqualTo(1);
      assertThat(inbox.resolve("a.csv")).exists(); // kept for the next pass

      Files.delete(blocker);
      Await.until(
          Duration.ofSeconds(30),
          () -> health.isHealthy() && !Files.exists(inbox.resolve("a.csv")),
          () -> "failing: " + health.failing());
      assertThat(store.head("uploads", "raw/a.csv")).isPresent();
    } finally {
      w.close();
    }
  }

  @Test
  void aNameThatIsNoValidKeyIsSetAsideWithWhyAndTheInboxStaysHealthy() throws Exception {
    Health health = new Health(Clock.systemUTC(), new SimpleMeterRegistry());
    ObjectStore store =
        new ObjectStore(dir.resolve("objects"), 4, ObjectEvents.NONE, Clock.systemUTC());
    Path inbox = dir.resolve("inbox");
    InboxWatcher w =
        new InboxWatcher(inbox, "uploads", "raw/", Duration.ofMillis(50), store, health);
    try {
      Files.writeString(inbox.resolve("big.csv"), "more than four bytes");
      Await.until(
          Duration.ofSeconds(20),
          () -> Files.exists(inbox.resolve(".failed/big.csv.error.txt")),
          () -> "not set aside");
      assertThat(Files.readString(inbox.resolve(".failed/big.csv.error.txt"))).contains("4");
      assertThat(health.isHealthy()).isTrue();
    } finally {
      w.close();
    }
  }
}

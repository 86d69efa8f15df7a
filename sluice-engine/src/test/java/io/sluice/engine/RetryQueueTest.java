package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.Json;
import io.sluice.log.EmbeddedEventLog;
import io.sluice.log.LogRecord;
import io.sluice.testkit.Await;
import io.sluice.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable retry queue on its own, on a clock the test moves: an entry waits until it is due on
 * that clock, and one whose target no longer exists becomes a dead letter that says so.
 */
class RetryQueueTest {

  @TempDir Path dir;
  final MutableClock clock = MutableClock.atDefaultStart();
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final Health health = new Health(clock, meters);
  EmbeddedEventLog log;
  DeadLetters deadLetters;
  RetryQueue retries;

  @BeforeEach
  void start() {
    log = EmbeddedEventLog.open(dir, clock);
    deadLetters = new DeadLetters(log, clock);
    deadLetters.start();
    retries =
        new RetryQueue(
            log, clock, health, new Routing.Metrics(meters), new RouteTable(), deadLetters);
  }

  @AfterEach
  void stop() {
    retries.stop();
    log.close();
  }

  static Delivery failedOnce() {
    var event = Json.MAPPER.createObjectNode().put("id", "e-1").put("source", "shop");
    byte[] bytes = event.toString().getBytes(StandardCharsets.UTF_8);
    return new Delivery(
        "orders", 0, 7, 1000, new EventJson(bytes, event), null, 4, 900, "HTTP 503", null, -1);
  }

  @Test
  void anEntryWaitsUntilItIsDueOnTheClockThenGoesToItsTargetOrItsDeadLetter() {
    retries.start();
    retries.add(failedOnce(), "big", "hook", clock.millis() + 3_600_000).join();
    Await.until(Duration.ofSeconds(10), () -> retries.waiting() == 1, () -> "not loaded");
    // the clock stands still: due in an hour, the entry waits
    assertThat(deadLetters.count(DeadLetters.Filter.ALL)).isZero();

    clock.advance(Duration.ofHours(1));
    Await.until(
        Duration.ofSeconds(10),
        () -> deadLetters.count(DeadLetters.Filter.ALL) == 1,
        () -> "waiting " + retries.waiting());
    var letter = deadLetters.list(DeadLetters.Filter.ALL, 0, 10).deadLetters().get(0);
    assertThat(letter.path("error").asText())
        .isEqualTo(
            "rule big or its target hook was removed before the retry; last error: HTTP 503");
    assertThat(letter.path("attempts").asInt()).isEqualTo(4);
    assertThat(letter.path("event").path("id").asText()).isEqualTo("e-1");
  }

  @Test
  void recordsThatAreNoRetriesAreSkippedAndCountedAndTheNextOneStillLoads() {
    InternalLogs.create(log, RetryQueue.LOG, Duration.ofDays(8));
    log.append(
            RetryQueue.LOG,
            List.of(
                LogRecord.of("not json".getBytes(StandardCharsets.UTF_8)),
                LogRecord.of("{}".getBytes(StandardCharsets.UTF_8)),
                LogRecord.of("{\"event\":5,\"rule\":\"r\"}".getBytes(StandardCharsets.UTF_8))))
        .join();
    retries.start();
    retries.add(failedOnce(), "big", "hook", clock.millis() + 3_600_000).join();

    Await.until(Duration.ofSeconds(10), () -> retries.waiting() == 1, () -> "not loaded");
    assertThat(meters.get("sluice.router.invalid").tag("bus", RetryQueue.LOG).counter().count())
        .isEqualTo(3);
    assertThat(health.isHealthy()).isTrue();
  }
}

package io.sluice.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.kinds.Kinds;
import io.sluice.engine.targets.EngineTargets;
import io.sluice.log.EmbeddedEventLog;
import io.sluice.log.EventLog;
import io.sluice.testkit.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** An engine over a temporary directory, restartable, with helpers to send events. */
final class EngineFixture implements AutoCloseable {

  final Path dir;
  final String yaml;
  final Clock clock;
  final UnaryOperator<EventLog> wrapLog;
  Engine engine;

  /** The meters of the engine started last. */
  MeterRegistry meters;

  EngineFixture(Path dir, String yaml, Clock clock) {
    this(dir, yaml, clock, UnaryOperator.identity());
  }

  /** An engine over the embedded log as {@code wrapLog} wraps it (to fail or hold appends). */
  EngineFixture(Path dir, String yaml, Clock clock, UnaryOperator<EventLog> wrapLog) {
    this.dir = dir;
    this.yaml = yaml;
    this.clock = clock;
    this.wrapLog = wrapLog;
    start();
  }

  EngineFixture(Path dir, String yaml) {
    this(dir, yaml, Clock.systemUTC());
  }

  void start() {
    Kinds kinds = Kinds.of(EngineTargets.kinds());
    SluiceConfig c =
        ConfigLoader.parse(yaml, "test.yaml", dir, kinds).withDataDir(dir.resolve("data"));
    meters = new SimpleMeterRegistry();
    engine =
        Engine.start(
            c,
            wrapLog.apply(EmbeddedEventLog.open(dir.resolve("data/log"), clock)),
            clock,
            meters,
            kinds);
  }

  void restart() {
    engine.close();
    start();
  }

  /** Sends events (JSON texts) to a bus; returns their ids in order. */
  List<String> send(String bus, List<String> events) {
    List<Ingest.Entry> entries = new ArrayList<>();
    for (String e : events) {
      try {
        entries.add(engine.ingest().prepare(Json.MAPPER.readTree(e), ""));
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    List<String> ids = new ArrayList<>();
    for (Ingest.Outcome o : engine.ingest().store(bus, entries).join()) {
      if (!(o instanceof Ingest.Stored s)) {
        throw new AssertionError("not stored: " + o);
      }
      ids.add(s.id());
    }
    return ids;
  }

  String send(String bus, String event) {
    return send(bus, List.of(event)).get(0);
  }

  List<JsonNode> deadLetters() {
    return engine.routing().deadLetters().list(DeadLetters.Filter.ALL, 0, 100_000).deadLetters();
  }

  Routing.TargetStats stats(String rule, String target) {
    return engine.routing().stats().stream()
        .filter(s -> s.rule().equals(rule) && s.target().equals(target))
        .findFirst()
        .orElseThrow();
  }

  static MutableClock mutableClock() {
    return MutableClock.atDefaultStart();
  }

  @Override
  public void close() {
    engine.close();
  }
}

package io.sluice.engine;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.core.EventCodec;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.kinds.Kinds;
import io.sluice.log.EventLog;
import java.time.Clock;

/**
 * Sluice without HTTP: the buses over an event log (and, with later issues, routers and targets).
 * The server and tests start one per configuration.
 *
 * <pre>{@code
 * Kinds kinds = Kinds.of(EngineTargets.kinds());
 * SluiceConfig config = ConfigLoader.load(file, kinds);
 * try (Engine engine = Engine.start(config, EmbeddedEventLog.open(dir, clock), clock, meters, kinds)) {
 *   engine.buses().append("orders", events).join();
 * }
 * }</pre>
 */
public final class Engine implements AutoCloseable {

  private final SluiceConfig config;
  private final EventLog log;
  private final Clock clock;
  private final Buses buses;
  private final Ingest ingest;
  private final Routing routing;
  private final RuleCatalog rules;

  private Engine(
      SluiceConfig config,
      EventLog log,
      Clock clock,
      MeterRegistry meters,
      Kinds kinds,
      Health health,
      io.sluice.core.functions.Functions functions) {
    this.config = config;
    this.log = log;
    this.clock = clock;
    this.buses =
        new Buses(
            log,
            new EventCodec(config.server().limits().eventLimits()),
            config.buses(),
            meters,
            clock);
    this.ingest = new Ingest(buses, clock);
    io.micrometer.core.instrument.Gauge.builder(
            "sluice.log.corrupt.batches", log, EventLog::corruptBatches)
        .description(
            "Damaged batches found in the event log (by readers or the scrub); read around")
        .register(meters);
    this.routing =
        new Routing(log, buses, ingest, clock, meters, config.dataDir(), kinds, health, functions);
    this.rules =
        new RuleCatalog(
            config.rules(),
            config.dataDir().resolve("rules.json"),
            new io.sluice.core.config.RuleReader(
                new java.util.LinkedHashSet<>(buses.names()),
                System::getenv,
                config.dataDir(),
                kinds,
                new java.util.LinkedHashSet<>(
                    config.functions().stream().map(f -> f.name()).toList()),
                new java.util.LinkedHashSet<>(
                    config.reports().stream().map(r -> r.name()).toList())),
            buses,
            routing::apply);
    try {
      rules.load();
      routing.start(rules.effective());
    } catch (RuntimeException e) {
      try {
        routing.close(); // what already started (loaders, routers) stops before the log closes
      } catch (RuntimeException closing) {
        e.addSuppressed(closing); // the start's error is the one to report
      }
      throw e;
    }
  }

  /**
   * Creates or opens every configured bus and starts routing; targets are delivered by the kinds of
   * {@code kinds} (the ones the config was read with). The engine owns {@code log} and closes it.
   */
  public static Engine start(
      SluiceConfig config, EventLog log, Clock clock, MeterRegistry meters, Kinds kinds) {
    return start(config, log, clock, meters, kinds, new Health(clock, meters));
  }

  /**
   * As {@link #start(SluiceConfig, EventLog, Clock, MeterRegistry, Kinds)}, reporting its
   * long-running parts to {@code health}, which the node's other parts share.
   */
  public static Engine start(
      SluiceConfig config,
      EventLog log,
      Clock clock,
      MeterRegistry meters,
      Kinds kinds,
      Health health) {
    return start(config, log, clock, meters, kinds, health, null);
  }

  /**
   * As above, with the node's {@code functions} for function transforms ({@code null} when the node
   * has none).
   */
  public static Engine start(
      SluiceConfig config,
      EventLog log,
      Clock clock,
      MeterRegistry meters,
      Kinds kinds,
      Health health,
      io.sluice.core.functions.Functions functions) {
    try {
      return new Engine(config, log, clock, meters, kinds, health, functions);
    } catch (RuntimeException e) {
      log.close();
      throw e;
    }
  }

  public SluiceConfig config() {
    return config;
  }

  public Buses buses() {
    return buses;
  }

  public Ingest ingest() {
    return ingest;
  }

  public Routing routing() {
    return routing;
  }

  public RuleCatalog rules() {
    return rules;
  }

  public Clock clock() {
    return clock;
  }

  /** The event log under the buses (for health: what it found wrong and worked around). */
  public EventLog log() {
    return log;
  }

  /**
   * Stops routing (what targets owe stays below their cursors) and closes the log: in-flight
   * appends finish (with their fsync) first.
   */
  @Override
  public void close() {
    try {
      routing.close();
    } finally {
      log.close();
    }
  }
}

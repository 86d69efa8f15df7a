package io.sluice.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.analyses.Analyses;
import io.sluice.core.Json;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.kinds.Kinds;
import io.sluice.engine.Engine;
import io.sluice.engine.Health;
import io.sluice.engine.Ingest;
import io.sluice.engine.alarms.Alarms;
import io.sluice.engine.schedules.Scheduler;
import io.sluice.functions.FunctionHost;
import io.sluice.lake.Lake;
import io.sluice.lake.LakeSettings;
import io.sluice.log.EmbeddedEventLog;
import io.sluice.log.EventLog;
import io.sluice.notify.Mailer;
import io.sluice.notify.SmtpMailer;
import io.sluice.notify.reports.Reports;
import io.sluice.objects.InboxWatcher;
import io.sluice.objects.ObjectEvents;
import io.sluice.objects.ObjectStore;
import io.sluice.objects.validate.FileValidator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;

/**
 * One Sluice node without HTTP: the composition root, the only place that builds parts and wires
 * modules together. From a config it opens, in order, the event log, the lake, the object store,
 * file validation, the functions, the mailer ({@code smtp:}), the kinds that deliver to them, the
 * engine (buses and routing), the schedules, the alarms and the inbox, handing each part the parts
 * it uses and one {@link Health} they all report to; {@link #close} stops them in reverse. The HTTP
 * server mounts its APIs on a node; a node also runs without one.
 *
 * <pre>{@code
 * try (Node node = Node.start(config, Clock.systemUTC(), EmbeddedEventLog.Options.DEFAULTS, meters)) {
 *   node.engine().buses().append("orders", events).join();
 * }
 * }</pre>
 */
public final class Node implements AutoCloseable {

  private final SluiceConfig config;
  private final Clock clock;
  private final MeterRegistry meters;
  private final Health health;
  private final Lake lake;
  private final FunctionHost functions;
  private final ObjectStore objects;
  private final Mailer mailer;
  private final Kinds kinds;
  private final Engine engine;
  private final InboxWatcher inbox;
  private final Scheduler scheduler;
  private final Analyses analyses;
  private final Reports reports;
  private final Alarms alarms;

  /** The engine, once built: object store events go through its ingest. */
  private volatile Engine started;

  private Node(SluiceConfig config, Clock clock, MeterRegistry meters, EventLog log) {
    this.config = config;
    this.clock = clock;
    this.meters = meters;
    this.health = new Health(clock, meters);
    Lake l = null;
    Engine e = null;
    FunctionHost fh = null;
    Alarms al = null;
    Analyses an = null;
    boolean logHandedOver = false;
    try {
      l =
          Lake.open(
              config.dataDir().resolve("lake"), clock, meters, LakeSettings.of(config.lake()));
      l.attachHealth(health);
      // the store emits its events through the engine's ingest, and the engine delivers to kinds
      // that use the store: the store gets a sink that forwards to the engine once it is built
      ObjectEvents events = config.objects().bus() == null ? ObjectEvents.NONE : this::emit;
      ObjectStore store =
          new ObjectStore(
              config.dataDir().resolve("objects"),
              config.objects().maxObjectBytes(),
              events,
              clock);
      FileValidator validator =
          new FileValidator(store, events, l, config.dataDir().resolve("objects-state"), clock);
      fh =
          FunctionHost.start(
              config.functions(),
              SluiceKinds.forReading(),
              config.dataDir().resolve("functions"),
              clock,
              meters);
      Mailer m = config.smtp() == null ? null : new SmtpMailer(config.smtp());
      // reports store objects, call functions and put their events through the engine's ingest
      // (once it is built); they are mailed with the smtp section's mailer (null: no mail)
      Reports rs = new Reports(config.reports(), l, store, fh, m, this::putEvents, clock);
      Kinds k = SluiceKinds.of(l, validator, fh, rs, m);
      logHandedOver = true; // from here the engine owns the log, and closes it if it fails
      e = Engine.start(config, log, clock, meters, k, health, fh);
      started = e;
      // schedules put their events through the engine's ingest; the loop starts last
      Scheduler sch =
          Scheduler.open(
              config.schedules(),
              config.dataDir().resolve("schedules"),
              e.ingest(),
              clock,
              meters,
              health);
      al =
          new Alarms(
                  config.alarms(),
                  meters,
                  e.ingest(),
                  config.dataDir().resolve("alarms"),
                  clock,
                  health)
              .start();
      this.alarms = al;
      // analyses read their buses, put results through the engine's ingest and query the lake
      an =
          Analyses.open(
              config.analyses(),
              e.buses(),
              e.ingest(),
              e.routing().deadLetters(),
              l,
              store,
              clock,
              meters,
              health);
      this.analyses = an;
      var box = config.objects().inbox();
      this.inbox =
          box == null
              ? null
              : new InboxWatcher(
                  box.dir(), box.bucket(), box.prefix(), box.interval(), store, health);
      this.lake = l;
      this.functions = fh;
      this.objects = store;
      this.mailer = m;
      this.kinds = k;
      this.engine = e;
      this.reports = rs;
      this.scheduler = sch;
      an.start();
      sch.start();
    } catch (IOException | RuntimeException ex) {
      if (!logHandedOver) {
        log.close();
      }
      if (an != null) {
        an.close();
      }
      if (al != null) {
        al.close();
      }
      close(e, l, fh);
      throw ex instanceof IOException io
          ? new UncheckedIOException("cannot start the object store or its inbox: " + io, io)
          : (RuntimeException) ex;
    }
  }

  /**
   * Starts a node: opens the log under {@code <dataDir>/log} with {@code logOptions} and builds
   * every part. The node owns the log.
   */
  public static Node start(
      SluiceConfig config, Clock clock, EmbeddedEventLog.Options logOptions, MeterRegistry meters) {
    EventLog log = EmbeddedEventLog.open(config.dataDir().resolve("log"), clock, logOptions);
    return new Node(config, clock, meters, log);
  }

  /** Stores an object store event on the configured bus, durably, or throws. */
  private void emit(String detailType, ObjectNode detail) throws IOException {
    Engine e = started;
    if (e == null) {
      throw new IOException("the engine is not started yet; the " + detailType + " event waits");
    }
    ObjectNode event = Json.MAPPER.createObjectNode();
    event.put("source", "sluice.objects");
    event.put("detail-type", detailType);
    event
        .putArray("resources")
        .add("sluice:objects:::" + detail.path("bucket").path("name").asText());
    event.set("detail", detail);
    var entry = e.ingest().prepare(event, "");
    var out = e.ingest().store(config.objects().bus(), List.of(entry)).join();
    if (!(out.get(0) instanceof Ingest.Stored)) {
      throw new IOException("could not store the " + detailType + " event: " + out.get(0));
    }
  }

  /** Report events go through the engine's ingest, as object store events do. */
  private java.util.concurrent.CompletableFuture<List<io.sluice.core.kinds.EventSink.Result>>
      putEvents(String bus, List<com.fasterxml.jackson.databind.JsonNode> events) {
    Engine e = started;
    if (e == null) {
      return java.util.concurrent.CompletableFuture.completedFuture(
          events.stream()
              .map(
                  x -> new io.sluice.core.kinds.EventSink.Result("the engine is not started", true))
              .toList());
    }
    return e.ingest().put(bus, events);
  }

  /** The declared reports, runnable. */
  public Reports reports() {
    return reports;
  }

  public SluiceConfig config() {
    return config;
  }

  public Clock clock() {
    return clock;
  }

  public MeterRegistry meters() {
    return meters;
  }

  /** What every long-running part of the node says about itself. */
  public Health health() {
    return health;
  }

  public Engine engine() {
    return engine;
  }

  public Lake lake() {
    return lake;
  }

  public ObjectStore objects() {
    return objects;
  }

  /** The declared functions, running. */
  public FunctionHost functions() {
    return functions;
  }

  /** The node's mail server ({@code smtp:}), or null when none is configured. */
  public Mailer mailer() {
    return mailer;
  }

  /** The kinds this node's config was read with and delivers with. */
  public Kinds kinds() {
    return kinds;
  }

  /** The configured schedules, running. */
  public Scheduler schedules() {
    return scheduler;
  }

  /** The analyses: continuous SQL over event-time windows. */
  public Analyses analyses() {
    return analyses;
  }

  /** The declared alarms on this node's metrics. */
  public Alarms alarms() {
    return alarms;
  }

  /**
   * Stops the scheduler, the inbox and the alarms, then the engine (routing, then the log), then
   * the lake and the functions.
   */
  @Override
  public void close() {
    // each part is closed even when closing one before it throws
    try {
      analyses.close();
      scheduler.close();
    } finally {
      try {
        if (inbox != null) {
          inbox.close();
        }
      } finally {
        try {
          alarms.close();
        } finally {
          close(engine, lake, functions);
        }
      }
    }
  }

  private static void close(Engine engine, Lake lake, FunctionHost functions) {
    try {
      if (engine != null) {
        engine.close();
      }
    } finally {
      try {
        if (lake != null) {
          lake.close();
        }
      } finally {
        if (functions != null) {
          functions.close();
        }
      }
    }
  }
}

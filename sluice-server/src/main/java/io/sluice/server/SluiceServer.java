package io.sluice.server;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.config.ServerConfig;
import io.sluice.core.config.SluiceConfig;
import io.sluice.engine.Engine;
import io.sluice.lake.Lake;
import io.sluice.lake.LakeSettings;
import io.sluice.log.EmbeddedEventLog;
import io.sluice.log.EventLog;
import io.sluice.objects.ObjectEvents;
import io.sluice.objects.ObjectStore;
import io.sluice.objects.validate.FileValidator;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Sluice HTTP server: ingestion (native, CloudEvents, PutEvents), reading buses back, health
 * and Prometheus metrics, on Javalin 7 / Jetty 12 with virtual threads.
 *
 * <pre>{@code
 * try (SluiceServer server = SluiceServer.start(ConfigLoader.defaults(), SluiceServer.Options.DEFAULTS)) {
 *   System.out.println(server.url());   // http://127.0.0.1:7070
 * }
 * }</pre>
 *
 * <p>{@link #close()} shuts down gracefully: readiness turns 503, new ingest requests are refused
 * with 503, in-flight requests finish (including their fsync), then the log closes.
 */
public final class SluiceServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SluiceServer.class);

  /**
   * How to start.
   *
   * @param insecure allow a non-loopback address without API keys
   * @param clock time source for ids, event times and the log
   * @param drainTimeout how long {@link #close()} waits for in-flight requests
   * @param log embedded log tuning (listener, queue bound)
   */
  public record Options(
      boolean insecure, Clock clock, Duration drainTimeout, EmbeddedEventLog.Options log) {
    public static final Options DEFAULTS =
        new Options(
            false, Clock.systemUTC(), Duration.ofSeconds(10), EmbeddedEventLog.Options.DEFAULTS);

    public Options withInsecure(boolean i) {
      return new Options(i, clock, drainTimeout, log);
    }

    public Options withClock(Clock c) {
      return new Options(insecure, c, drainTimeout, log);
    }

    public Options withLog(EmbeddedEventLog.Options l) {
      return new Options(insecure, clock, drainTimeout, l);
    }
  }

  private final SluiceConfig config;
  private final Engine engine;
  private final Lake lake;
  private final ObjectStore objects;
  private final ObjectEvents objectEvents;
  private volatile io.sluice.objects.InboxWatcher inbox;
  private final PrometheusMeterRegistry meters;
  private final RequestBodies bodies;
  private final Javalin app;
  private final Duration startup;
  private final Duration drainTimeout;
  private volatile boolean ready;
  private volatile boolean draining;

  private SluiceServer(SluiceConfig config, Options options, EventLog log, long t0) {
    this.config = config;
    this.drainTimeout = options.drainTimeout();
    this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    this.lake =
        Lake.open(config.dataDir().resolve("lake"), options.clock(), meters, lakeSettings(config));
    this.objectEvents = config.objects().bus() == null ? ObjectEvents.NONE : this::emitObjectEvent;
    try {
      this.objects =
          new ObjectStore(
              config.dataDir().resolve("objects"),
              config.objects().maxObjectBytes(),
              objectEvents,
              options.clock());
    } catch (java.io.IOException e) {
      lake.close();
      throw new java.io.UncheckedIOException("cannot open the object store", e);
    }
    FileValidator validator =
        new FileValidator(
            objects,
            objectEvents,
            lake,
            config.dataDir().resolve("objects-state"),
            options.clock());
    try {
      this.engine =
          Engine.start(config, log, options.clock(), meters, SluiceKinds.of(lake, validator));
      lake.attachHealth(engine.routing().health());
    } catch (RuntimeException e) {
      lake.close();
      throw e;
    }
    var in = config.objects().inbox();
    if (in != null) {
      try {
        this.inbox =
            new io.sluice.objects.InboxWatcher(
                in.dir(),
                in.bucket(),
                in.prefix(),
                in.interval(),
                objects,
                engine.routing().health());
      } catch (java.io.IOException e) {
        engine.close();
        lake.close();
        throw new java.io.UncheckedIOException("cannot watch the inbox " + in.dir(), e);
      }
    }
    ServerConfig sc = config.server();
    this.bodies = new RequestBodies(sc.limits().maxBodyBytes(), sc.limits().memoryBudget());
    long heap = Runtime.getRuntime().maxMemory();
    if (sc.limits().memoryBudget() > heap / 2) {
      LOG.warn(
          "server.limits.memoryBudget is {} MB, more than half of the JVM's heap ({} MB): under load"
              + " the heap may run out before the budget does; give the JVM more heap (SLUICE_HEAP"
              + " for ./sluice, or -Xmx) or lower the budget",
          sc.limits().memoryBudget() >> 20,
          heap >> 20);
    }
    ApiKeys keys = new ApiKeys(config.auth());
    IngestMetrics ingestMetrics = new IngestMetrics(meters);
    IngestApi ingest =
        new IngestApi(engine.buses(), engine.ingest(), keys, bodies, ingestMetrics, sc.limits());
    PutEventsApi putEvents =
        new PutEventsApi(engine.buses(), engine.ingest(), keys, bodies, ingestMetrics);
    BusReadApi read = new BusReadApi(engine.buses(), keys);
    this.app =
        Javalin.create(
            cfg -> {
              cfg.startup.showJavalinBanner = false;
              cfg.startup.showOldJavalinVersionWarning = false;
              cfg.concurrency.useVirtualThreads = true;
              cfg.jetty.host = sc.host();
              cfg.jetty.port = sc.port();
              cfg.http.maxRequestSize = sc.limits().maxBodyBytes();
              // a client that stops sending mid-request gets 408 after this (RequestBodies)
              cfg.jetty.modifyHttpConfiguration(
                  h -> h.setIdleTimeout(sc.limits().idleTimeout().toMillis()));
              cfg.http.defaultContentType = "application/json";
              cfg.routes.before("/buses/{bus}/events", ctx -> refuseWhileDraining(ctx));
              cfg.routes.before("/", ctx -> refuseWhileDraining(ctx));
              cfg.routes.post("/buses/{bus}/events", ingest::post);
              cfg.routes.get("/buses/{bus}/events", read::get);
              cfg.routes.post("/", putEvents::handle);
              AdminApi admin = new AdminApi(engine, keys);
              cfg.routes.get("/buses/{bus}/rules", admin::listRules);
              cfg.routes.get("/buses/{bus}/rules/{name}", admin::getRule);
              cfg.routes.put("/buses/{bus}/rules/{name}", admin::putRule);
              cfg.routes.delete("/buses/{bus}/rules/{name}", admin::deleteRule);
              cfg.routes.post("/buses/{bus}/rules/{name}/enable", admin::enable);
              cfg.routes.post("/buses/{bus}/rules/{name}/disable", admin::disable);
              cfg.routes.get("/stats/targets", admin::stats);
              cfg.routes.get("/dead-letters", admin::listDeadLetters);
              cfg.routes.post("/dead-letters/redrive", admin::redrive);
              cfg.routes.delete("/dead-letters", admin::purge);
              cfg.routes.post("/replays", admin::startReplay);
              cfg.routes.get("/replays", admin::listReplays);
              cfg.routes.get("/replays/{name}", admin::getReplay);
              ObjectsApi objectsApi = new ObjectsApi(objects, keys);
              cfg.routes.put("/objects/{bucket}/<key>", objectsApi::put);
              cfg.routes.get("/objects/{bucket}/<key>", objectsApi::get);
              cfg.routes.head("/objects/{bucket}/<key>", objectsApi::head);
              cfg.routes.delete("/objects/{bucket}/<key>", objectsApi::delete);
              cfg.routes.get("/objects/{bucket}", objectsApi::list);
              LakeApi lakeApi = new LakeApi(lake, keys);
              cfg.routes.post("/query", lakeApi::query);
              cfg.routes.get("/lake/tables", lakeApi::tables);
              cfg.routes.get("/lake/tables/{table}", lakeApi::table);
              cfg.routes.post("/lake/tables/{table}/compact", lakeApi::compact);
              cfg.routes.get("/health/live", ctx -> ctx.json(java.util.Map.of("status", "UP")));
              cfg.routes.get("/health/ready", this::readiness);
              cfg.routes.get(
                  "/health",
                  ctx -> {
                    keys.require(ctx, "read");
                    health(ctx);
                  });
              cfg.routes.get(
                  "/metrics",
                  ctx -> {
                    keys.require(ctx, "read");
                    ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                        .result(meters.scrape());
                  });
              cfg.routes.exception(Exception.class, HttpErrors::handle);
              cfg.routes.exception(
                  io.javalin.http.HttpResponseException.class,
                  (e, ctx) -> {
                    String code =
                        switch (e.getStatus()) {
                          case 404 -> InvalidInputException.NOT_FOUND;
                          case 405 -> "METHOD_NOT_ALLOWED";
                          case 413 -> InvalidInputException.TOO_LARGE;
                          default -> "HTTP_" + e.getStatus();
                        };
                    String message =
                        e instanceof io.javalin.router.EndpointNotFound
                            ? "no route " + ctx.method() + " " + ctx.path()
                            : e.getMessage();
                    HttpErrors.write(ctx, e.getStatus(), code, message, List.of());
                  });
            });
    app.start();
    this.ready = true;
    this.startup = Duration.ofNanos(System.nanoTime() - t0);
    LOG.info(
        "Sluice ready on {} in {} ms ({}; buses: {}; data: {})",
        url(),
        startup.toMillis(),
        config.source(),
        String.join(", ", engine.buses().names()),
        config.dataDir());
  }

  /**
   * Opens the log under {@code <dataDir>/log}, starts the engine and the HTTP server.
   *
   * @throws InvalidInputException {@code INVALID_CONFIG} when asked to listen on a non-loopback
   *     address without API keys and without {@code insecure}
   */
  public static SluiceServer start(SluiceConfig config, Options options) {
    long t0 = System.nanoTime();
    ServerConfig sc = config.server();
    if (!sc.isLoopback() && !config.auth().isEnabled() && !options.insecure()) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_CONFIG,
          Problem.of(
              "/server/host",
              "refusing to listen on "
                  + sc.host()
                  + " without API keys: anyone who can reach it could send events. Add auth.keys"
                  + " (sluice keys new), or start with --insecure",
              Problem.render(sc.host())));
    }
    EventLog log =
        EmbeddedEventLog.open(config.dataDir().resolve("log"), options.clock(), options.log());
    try {
      return new SluiceServer(config, options, log, t0);
    } catch (RuntimeException e) {
      log.close();
      throw e;
    }
  }

  private void refuseWhileDraining(Context ctx) {
    if (draining && ctx.method().name().equals("POST")) {
      ctx.header("Retry-After", HttpErrors.RETRY_AFTER_SECONDS);
      throw new io.sluice.core.TransientException(
          "the server is shutting down; retry against another node or after restart");
    }
  }

  private void readiness(Context ctx) {
    var failing = engine.routing().health().failing();
    if (ready && !draining && !failing.isEmpty()) {
      // a part is failing (and retrying): not ready, and say which and why
      var out = io.sluice.core.Json.MAPPER.createObjectNode();
      out.put("status", "DOWN");
      out.put("reason", "failing: " + String.join(", ", failing.keySet()));
      var parts = out.putObject("failing");
      failing.forEach(
          (k, f) ->
              parts
                  .putObject(k)
                  .put("error", f.error())
                  .put("since", f.since().toString())
                  .put("attempts", f.count()));
      ctx.status(503).contentType("application/json").result(out.toString());
    } else if (ready && !draining) {
      ctx.json(java.util.Map.of("status", "UP", "buses", engine.buses().names()));
    } else {
      ctx.status(503)
          .json(
              java.util.Map.of(
                  "status", "DOWN", "reason", draining ? "shutting down" : "starting"));
    }
  }

  /**
   * {@code GET /health}: {@code {"status":"UP"|"DEGRADED","ready":…,"incidents":[…]}}; DEGRADED
   * while the log reports something it found wrong and worked around (a damaged cursor resumed from
   * an earlier point, a corrupt batch read around), each with its time, log, kind and what was
   * done.
   */
  private void health(Context ctx) {
    var incidents = engine.log().incidents();
    var failing = engine.routing().health().failing();
    var out = io.sluice.core.Json.MAPPER.createObjectNode();
    out.put("status", !failing.isEmpty() ? "DOWN" : incidents.isEmpty() ? "UP" : "DEGRADED");
    out.put("ready", ready && !draining && failing.isEmpty());
    var parts = out.putObject("failing");
    failing.forEach(
        (k, f) ->
            parts
                .putObject(k)
                .put("error", f.error())
                .put("since", f.since().toString())
                .put("attempts", f.count()));
    var arr = out.putArray("incidents");
    for (var i : incidents) {
      arr.addObject()
          .put("time", i.time().toString())
          .put("component", "log")
          .put("log", i.log())
          .put("kind", i.kind())
          .put("message", i.message());
    }
    ctx.contentType("application/json").result(out.toString());
  }

  public int port() {
    return app.port();
  }

  public URI url() {
    String host = config.server().host();
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port());
  }

  public Engine engine() {
    return engine;
  }

  static LakeSettings lakeSettings(SluiceConfig config) {
    var l = config.lake();
    return new LakeSettings(
        l.threads(),
        l.memoryLimit(),
        l.queryTimeout(),
        l.maxRows(),
        LakeSettings.DEFAULTS.maxBufferedRows(),
        l.compactionInterval(),
        l.compactionMinFiles(),
        l.smallFileBytes(),
        l.maxConcurrentQueries(),
        l.maxQueuedQueries());
  }

  /** Stores an object store event on the configured bus, durably, or throws. */
  private void emitObjectEvent(
      String detailType, com.fasterxml.jackson.databind.node.ObjectNode detail)
      throws java.io.IOException {
    var e = io.sluice.core.Json.MAPPER.createObjectNode();
    e.put("source", "sluice.objects");
    e.put("detail-type", detailType);
    e.putArray("resources").add("sluice:objects:::" + detail.path("bucket").path("name").asText());
    e.set("detail", detail);
    var entry = engine.ingest().prepare(e, "");
    var out = engine.ingest().store(config.objects().bus(), java.util.List.of(entry)).join();
    if (!(out.get(0) instanceof io.sluice.engine.Ingest.Stored)) {
      throw new java.io.IOException("could not store the " + detailType + " event: " + out.get(0));
    }
  }

  public ObjectStore objects() {
    return objects;
  }

  public Lake lake() {
    return lake;
  }

  public PrometheusMeterRegistry meters() {
    return meters;
  }

  /** Time from {@link #start} to accepting requests. */
  public Duration startupTime() {
    return startup;
  }

  @Override
  public synchronized void close() {
    if (draining) {
      return;
    }
    draining = true;
    ready = false;
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    while (bodies.inflightRequests() > 0 && System.nanoTime() < deadline) {
      try {
        TimeUnit.MILLISECONDS.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    int left = bodies.inflightRequests();
    if (left > 0) {
      LOG.warn("stopping with {} requests still in progress after {}", left, drainTimeout);
    }
    app.stop();
    if (inbox != null) {
      inbox.close();
    }
    try {
      engine.close();
    } finally {
      lake.close();
    }
    LOG.info("Sluice stopped");
  }
}

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
import io.sluice.log.EmbeddedEventLog;
import io.sluice.objects.ObjectStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
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
  private final Node node;
  private final PrometheusMeterRegistry meters;
  private final RequestBodies bodies;
  private final Javalin app;
  private final Duration startup;
  private final Duration drainTimeout;
  private volatile boolean ready;
  private volatile boolean draining;

  private SluiceServer(SluiceConfig config, Options options, long t0) {
    this.config = config;
    this.drainTimeout = options.drainTimeout();
    this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    this.node = Node.start(config, options.clock(), options.log(), meters);
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
    List<Api> apis = apis(node, new ApiKeys(config.auth()));
    try {
      this.app =
          Javalin.create(
              cfg -> {
                cfg.startup.showJavalinBanner = false;
                cfg.startup.showOldJavalinVersionWarning = false;
                cfg.concurrency.useVirtualThreads = true;
                // the one connector, as Javalin's default would make it (host, port, the HTTP
                // configuration below) but with a long accept queue
                cfg.jetty.addConnector(
                    (server, http) -> {
                      var c = new ServerConnector(server, new HttpConnectionFactory(http));
                      c.setHost(sc.host());
                      c.setPort(sc.port());
                      c.setAcceptQueueSize(ACCEPT_QUEUE_SIZE);
                      return c;
                    });
                cfg.http.maxRequestSize = sc.limits().maxBodyBytes();
                // a client that stops sending mid-request gets 408 after this (RequestBodies)
                cfg.jetty.modifyHttpConfiguration(
                    h -> {
                      h.setIdleTimeout(sc.limits().idleTimeout().toMillis());
                      // every answer says it is Sluice's: the CLI refuses answers without it
                      h.addCustomizer(
                          (request, responseHeaders) -> {
                            responseHeaders.put(IDENTITY_HEADER, VERSION);
                            return request;
                          });
                    });
                cfg.http.defaultContentType = "application/json";
                cfg.routes.before("/buses/{bus}/events", ctx -> refuseWhileDraining(ctx));
                cfg.routes.before("/", ctx -> refuseWhileDraining(ctx));
                for (Api api : apis) {
                  api.mount(cfg.routes);
                }
                HttpErrors.install(cfg);
              });
      app.start();
    } catch (RuntimeException e) {
      node.close();
      throw cannotListen(sc, e);
    }
    this.ready = true;
    this.startup = Duration.ofNanos(System.nanoTime() - t0);
    LOG.info(
        "Sluice ready on {} in {} ms ({}; buses: {}; data: {})",
        url(),
        startup.toMillis(),
        config.source(),
        String.join(", ", node.engine().buses().names()),
        config.dataDir());
  }

  /**
   * How many connections the kernel holds, handshake done, until the server accepts them (the
   * listen backlog). Jetty's default (0) leaves it to the JDK, which asks for 50: when more clients
   * than that connect at once while the acceptor lags (a loaded machine, a pause of the JVM), the
   * kernel drops the SYNs that do not fit, and those clients wait seconds for retransmissions, time
   * out, or (with net.ipv4.tcp_abort_on_overflow) are reset. The kernel caps it at
   * net.core.somaxconn (4096 on Linux since 5.4, 128 before). AcceptQueueTest shows the difference.
   */
  static final int ACCEPT_QUEUE_SIZE = 1024;

  /** The header on every response, naming the server's version; clients check it. */
  public static final String IDENTITY_HEADER = "Sluice-Version";

  /** The version from the jar manifest, or {@code dev} when run from classes. */
  public static final String VERSION =
      java.util.Objects.requireNonNullElse(
          SluiceServer.class.getPackage().getImplementationVersion(), "dev");

  /** Every API, each built from the parts of {@code node} it uses. */
  private List<Api> apis(Node node, ApiKeys keys) {
    var engine = node.engine();
    var limits = config.server().limits();
    IngestMetrics ingestMetrics = new IngestMetrics(meters);
    return List.of(
        new IngestApi(engine.buses(), engine.ingest(), keys, bodies, ingestMetrics, limits),
        new BusReadApi(engine.buses(), keys),
        new PutEventsApi(engine.buses(), engine.ingest(), keys, bodies, ingestMetrics),
        new AdminApi(engine.rules(), engine.routing(), keys),
        new ObjectsApi(node.objects(), keys),
        new LakeApi(node.lake(), keys),
        new FunctionsApi(node.functions(), keys),
        new SchedulesApi(node.schedules(), keys),
        new ReportsApi(node.reports(), keys),
        new AlarmsApi(node.alarms(), keys),
        new AnalysesApi(node.analyses(), keys),
        new HealthApi(
            node.health(),
            engine.log(),
            () -> engine.buses().names(),
            meters,
            keys,
            () -> ready && !draining ? null : draining ? "shutting down" : "starting"));
  }

  /**
   * Opens the log under {@code <dataDir>/log}, starts the engine and the HTTP server.
   *
   * @throws InvalidInputException {@code INVALID_CONFIG} when asked to listen on a non-loopback
   *     address without API keys and without {@code insecure}, or when it cannot listen there: the
   *     port is in use ({@code /server/port: port 7070 is in use (by pid 4242); choose another with
   *     --port}), needs privileges, or the host is not an address of this machine
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
    return new SluiceServer(config, options, t0);
  }

  /**
   * What failed when the server could not bind, as a problem with the config (the port in use, with
   * the pid holding it when {@code /proc} tells; a port that needs privileges; a host that is not
   * an address of this machine), or {@code e} itself for any other failure.
   */
  static RuntimeException cannotListen(ServerConfig sc, RuntimeException e) {
    java.net.BindException bind = null;
    boolean unresolved = false;
    for (Throwable t = e; t != null && bind == null && !unresolved; t = t.getCause()) {
      if (t instanceof java.net.BindException b) {
        bind = b;
      }
      unresolved = t instanceof java.nio.channels.UnresolvedAddressException;
    }
    if (bind == null && !unresolved) {
      return e;
    }
    String why = bind == null || bind.getMessage() == null ? "" : bind.getMessage();
    String port = Integer.toString(sc.port());
    Problem p;
    if (unresolved) {
      p =
          Problem.of(
              "/server/host",
              "host "
                  + Problem.render(sc.host())
                  + " does not resolve to an address; choose another with --host",
              Problem.render(sc.host()));
    } else if (why.contains("in use")) {
      var pid = PortOwner.pid(sc.port());
      p =
          Problem.of(
              "/server/port",
              "port "
                  + port
                  + " is in use"
                  + (pid.isPresent() ? " (by pid " + pid.getAsLong() + ")" : "")
                  + "; choose another with --port",
              port);
    } else if (why.contains("Permission denied")) {
      p =
          Problem.of(
              "/server/port",
              "port "
                  + port
                  + " needs privileges (ports below 1024 do); choose another with --port",
              port);
    } else if (why.contains("assign requested address")) {
      p =
          Problem.of(
              "/server/host",
              "host "
                  + Problem.render(sc.host())
                  + " is not an address of this machine; choose another with --host",
              Problem.render(sc.host()));
    } else {
      p =
          Problem.of(
              "/server/port", "cannot listen on " + sc.host() + " port " + port + ": " + why, port);
    }
    return new InvalidInputException(InvalidInputException.INVALID_CONFIG, p);
  }

  private void refuseWhileDraining(Context ctx) {
    if (draining && ctx.method().name().equals("POST")) {
      ctx.header("Retry-After", HttpErrors.RETRY_AFTER_SECONDS);
      throw new io.sluice.core.TransientException(
          "the server is shutting down; retry against another node or after restart");
    }
  }

  public int port() {
    return app.port();
  }

  /** The HTTP connector (for tests: its accept queue, pausing its acceptor). */
  ServerConnector connector() {
    return (ServerConnector) app.jettyServer().server().getConnectors()[0];
  }

  public URI url() {
    String host = config.server().host();
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port());
  }

  public Engine engine() {
    return node.engine();
  }

  /** The node the server serves. */
  public Node node() {
    return node;
  }

  public ObjectStore objects() {
    return node.objects();
  }

  public Lake lake() {
    return node.lake();
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
    node.close();
    LOG.info("Sluice stopped");
  }
}

package io.sluice.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.core.config.RuleConfig;
import io.sluice.core.config.TargetConfig;
import io.sluice.core.functions.Functions;
import io.sluice.core.kinds.Kinds;
import io.sluice.core.kinds.TargetContext;
import io.sluice.core.rules.RuleSet;
import io.sluice.core.targets.Sender;
import io.sluice.log.EventLog;
import io.sluice.log.LogInfo;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything between a bus and its targets: one {@link BusRouter} per bus, one {@link TargetRunner}
 * per (rule, target), the durable {@link RetryQueue}, the {@link DeadLetters} and the {@link
 * Replays}. {@link #apply} changes the rules while events flow: runners of targets that stay keep
 * their place (and take new settings), new targets start at the end of the bus (as a new
 * EventBridge rule sees only new events), removed or disabled ones finish what they owe and
 * dead-letter whatever they could not deliver within {@link #DRAIN_TIMEOUT}.
 */
public final class Routing implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Routing.class);
  static final Duration COMMIT_INTERVAL = Duration.ofMillis(200);
  static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

  /** Counters not tied to one target. */
  static final class Metrics {
    private final TargetMetrics.Registry registry;
    private final MeterRegistry meters;

    Metrics(MeterRegistry meters) {
      this.meters = meters;
      this.registry = new TargetMetrics.Registry(meters);
    }

    void matched(String bus, String rule) {
      registry.matched(bus, rule);
    }

    TargetMetrics target(String bus, String rule, String id, TargetRunner runner) {
      return registry.target(bus, rule, id, runner);
    }

    void invalidRecord(String bus) {
      Counter.builder("sluice.router.invalid")
          .description("Stored records that are not events, dead-lettered with the reason")
          .tag("bus", bus)
          .register(meters)
          .increment();
    }

    void expiredBeforeRouting(String bus, long n) {
      Counter.builder("sluice.router.expired")
          .description("Events retention removed before they were routed")
          .tag("bus", bus)
          .register(meters)
          .increment(n);
    }
  }

  private final EventLog log;
  private final Buses buses;
  private final Clock clock;
  private final Metrics metrics;
  private final Health health;
  private final ScheduledExecutorService scheduler;
  private final RouteTable table = new RouteTable();
  private final DeadLetters deadLetters;
  private final RetryQueue retries;
  private final Replays replays;
  private final TargetRunner.Parts parts;
  private final Map<String, BusRouter> routers = new LinkedHashMap<>();
  private final Map<String, TargetRunner> runners = new LinkedHashMap<>();
  private final Ingest ingest;
  private final Kinds kinds;
  private volatile boolean closed;

  Routing(
      EventLog log,
      Buses buses,
      Ingest ingest,
      Clock clock,
      MeterRegistry meters,
      Path dataDir,
      Kinds kinds,
      Health health,
      Functions functions) {
    this.log = log;
    this.buses = buses;
    this.clock = clock;
    this.metrics = new Metrics(meters);
    this.health = health;
    this.scheduler =
        Executors.newScheduledThreadPool(
            1,
            r -> {
              Thread t = new Thread(r, "sluice-routing-scheduler");
              t.setDaemon(true);
              return t;
            });
    this.deadLetters = new DeadLetters(log, clock);
    this.retries = new RetryQueue(log, clock, health, metrics, table, deadLetters);
    this.replays = new Replays(log, buses, clock, table, dataDir.resolve("replays"));
    this.parts =
        new TargetRunner.Parts(
            clock, scheduler, retries, deadLetters, replays, metrics.registry, functions);
    this.ingest = ingest;
    this.kinds = kinds;
  }

  /** Starts routing every bus with {@code rules} (the enabled ones are used). */
  synchronized void start(List<RuleConfig> rules) {
    deadLetters.start();
    Map<String, long[]> startAt = new HashMap<>();
    for (String bus : buses.names()) {
      int n = log.info(bus).partitions().size();
      routers.put(bus, new BusRouter(bus, n, log, buses.codec(), health, metrics, deadLetters));
      long[] end = new long[n];
      LogInfo info = log.info(bus);
      for (int p = 0; p < n; p++) {
        end[p] = info.partitions().get(p).endOffset();
      }
      startAt.put(bus, end);
    }
    apply(rules);
    retries.start(); // after the targets exist: a due retry finds its target or is dead-lettered
    // each router starts at the lowest cursor of its targets (where the earliest owed event is)
    for (BusRouter r : routers.values()) {
      long[] start = startAt.get(r.bus);
      for (TargetRunner t : r.routes().all()) {
        for (int p = 0; p < start.length; p++) {
          start[p] = Math.min(start[p], t.start(p));
        }
      }
      r.start(start);
    }
    replays.start();
    scheduler.scheduleWithFixedDelay(
        this::commitAll,
        COMMIT_INTERVAL.toMillis(),
        COMMIT_INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Makes {@code rules} the current rules (only enabled ones route). */
  public synchronized void apply(List<RuleConfig> rules) {
    Map<String, RuleConfig> enabled = new LinkedHashMap<>();
    Map<String, TargetConfig> desired = new LinkedHashMap<>();
    for (RuleConfig r : rules) {
      if (!r.enabled()) {
        continue;
      }
      enabled.put(r.bus() + "/" + r.name(), r);
      for (TargetConfig t : r.targets()) {
        desired.put(key(r.bus(), r.name(), t.id()), t);
      }
    }
    // every sender first: when one cannot be built (its kind's part is not running), nothing
    // changes
    Map<String, Sender> senders = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, TargetConfig> e : desired.entrySet()) {
        String[] names = e.getKey().split("/", 3);
        senders.put(e.getKey(), sender(names[0], names[1], e.getValue()));
      }
    } catch (RuntimeException ex) {
      senders.values().forEach(Sender::close);
      throw ex;
    }
    try {
      // remove runners of targets that went away (rule deleted or disabled, target removed)
      for (String k : new ArrayList<>(runners.keySet())) {
        if (!desired.containsKey(k)) {
          TargetRunner gone = runners.remove(k);
          retire(gone);
        }
      }
      // add or reconfigure
      for (Map.Entry<String, TargetConfig> e : desired.entrySet()) {
        String[] names = e.getKey().split("/", 3);
        TargetRunner existing = runners.get(e.getKey());
        Sender sender = senders.get(e.getKey());
        if (existing != null) {
          Sender old = existing.reconfigure(e.getValue(), sender);
          scheduler.schedule(old::close, DRAIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } else {
          runners.put(
              e.getKey(),
              new TargetRunner(
                  names[0],
                  names[1],
                  e.getValue(),
                  sender,
                  TargetCursor.open(log, names[0], cursorName(names[1], e.getValue().id())),
                  this.parts));
        }
      }
      publishRoutes(enabled);
    } finally {
      // whatever happened, the table shows the runners there are (a removed one is never found)
      table.publish(runners, enabled, table.routesByBus());
    }
  }

  /** Swaps each bus router's rules and targets to those of {@code enabled}. */
  private void publishRoutes(Map<String, RuleConfig> enabled) {
    // new routes per bus
    Map<String, BusRouter.Routes> routes = new LinkedHashMap<>();
    for (BusRouter router : routers.values()) {
      Map<String, JsonNode> patterns = new LinkedHashMap<>();
      Map<String, List<TargetRunner>> byRule = new HashMap<>();
      List<TargetRunner> all = new ArrayList<>();
      for (RuleConfig r : enabled.values()) {
        if (!r.bus().equals(router.bus)) {
          continue;
        }
        patterns.put(r.name(), r.pattern());
        for (TargetConfig t : r.targets()) {
          TargetRunner runner = runners.get(key(r.bus(), r.name(), t.id()));
          byRule.computeIfAbsent(r.name(), x -> new ArrayList<>()).add(runner);
          all.add(runner);
        }
      }
      BusRouter.Routes r =
          new BusRouter.Routes(RuleSet.compile(patterns), Map.copyOf(byRule), List.copyOf(all));
      router.swap(r);
      routes.put(router.bus, r);
    }
    table.publish(runners, enabled, routes);
  }

  /** The durable cursor of a rule's target on its bus. */
  static String cursorName(String rule, String target) {
    return "target:" + rule + ":" + target;
  }

  private Sender sender(String bus, String rule, TargetConfig t) {
    return kinds.sender(new TargetContext(bus, rule, t, clock, ingest));
  }

  /** A removed target: finish what it owes (up to the drain timeout), then forget its cursor. */
  private void retire(TargetRunner r) {
    Thread.ofVirtual()
        .name("sluice-retire-" + r.rule + "-" + r.id)
        .start(
            () -> {
              long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
              while (!r.isIdle() && System.nanoTime() < deadline && !closed) {
                try {
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                }
              }
              if (closed) {
                return; // shutting down: what is owed stays below the cursor for the next start
              }
              if (!r.isIdle()) {
                LOG.warn(
                    "target {}/{} removed with {} deliveries still owed after {}; dead-lettering them",
                    r.rule,
                    r.id,
                    r.owed(),
                    DRAIN_TIMEOUT);
              }
              r.retire();
              synchronized (Routing.this) {
                // re-added meanwhile (disabled and enabled again): the new runner owns the cursor
                TargetRunner now = runners.get(key(r.bus, r.rule, r.id));
                if (now == null) {
                  r.cursor().delete();
                }
              }
            });
  }

  private void commitAll() {
    try {
      for (TargetRunner r : table.runners()) {
        r.commitCursor();
      }
      retries.commit();
      replays.commit();
    } catch (Throwable t) {
      LOG.error("committing delivery cursors failed; will try again", t);
    }
  }

  static String key(String bus, String rule, String target) {
    return bus + "/" + rule + "/" + target;
  }

  /** What the long-running parts say about themselves. */
  public Health health() {
    return health;
  }

  public DeadLetters deadLetters() {
    return deadLetters;
  }

  /** Queues every matching dead letter for its target again (attempts reset); returns how many. */
  public int redrive(DeadLetters.Filter filter) {
    return deadLetters.redrive(filter, retries::add);
  }

  public Replays replays() {
    return replays;
  }

  /** The durable retry queue (for tests that wait on it). */
  RetryQueue retries() {
    return retries;
  }

  /**
   * Delivery statistics of one target.
   *
   * @param delivered items the target took
   * @param errors items settled in the target's own error location instead (a lake table's {@code
   *     _errors}), not counted as delivered
   */
  public record TargetStats(
      String bus,
      String rule,
      String target,
      String kind,
      long matched,
      long delivered,
      long errors,
      long failed,
      long retried,
      long deadLettered,
      long skipped,
      long lagEvents,
      double lagSeconds,
      long openDeadLetters) {}

  /** Statistics of every target of every enabled rule, sorted by bus, rule and target. */
  public List<TargetStats> stats() {
    Map<String, Long> open = deadLetters.countsByTarget();
    List<TargetStats> out = new ArrayList<>();
    for (TargetRunner r : table.runners()) {
      TargetMetrics m = r.metrics;
      out.add(
          new TargetStats(
              r.bus,
              r.rule,
              r.id,
              r.config().spec().kind(),
              metrics.registry.matchedCount(r.bus, r.rule),
              m.deliveredCount(),
              m.errorsCount(),
              m.failedCount(),
              m.retriedCount(),
              m.deadLetteredCount(),
              m.skippedCount(),
              r.lagEvents(),
              r.oldestOwedAgeMs() / 1000.0,
              open.getOrDefault(key(r.bus, r.rule, r.id), 0L)));
    }
    out.sort(
        java.util.Comparator.comparing(TargetStats::bus)
            .thenComparing(TargetStats::rule)
            .thenComparing(TargetStats::target));
    return out;
  }

  /** Stops routing and delivering; what is owed stays below the cursors for the next start. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (BusRouter r : routers.values()) {
      r.stop();
    }
    replays.stop();
    for (TargetRunner r : runners.values()) {
      r.stop();
    }
    retries.stop();
    scheduler.shutdownNow();
    commitAll();
  }
}

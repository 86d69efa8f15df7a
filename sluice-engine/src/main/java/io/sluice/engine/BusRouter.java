package io.sluice.engine;

import io.sluice.core.EventCodec;
import io.sluice.core.rules.RuleSet;
import io.sluice.log.EventLog;
import io.sluice.log.LogEntry;
import io.sluice.log.LogReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one bus: one thread per partition reads events in order, parses each once, matches it
 * against all the bus's rules at once ({@link RuleSet}) and hands it to the targets of every
 * matching rule. Rule changes swap in a new {@link Routes} between batches, so each event is
 * matched against exactly one version of the rules.
 */
final class BusRouter {

  private static final Logger LOG = LoggerFactory.getLogger(BusRouter.class);
  static final int POLL_RECORDS = 500;

  /** One version of a bus's rules and their targets. */
  record Routes(RuleSet rules, Map<String, List<TargetRunner>> byRule, List<TargetRunner> all) {
    static final Routes EMPTY = new Routes(RuleSet.empty(), Map.of(), List.of());
  }

  final String bus;
  private final int partitions;
  private final EventLog log;
  private final EventCodec codec;
  private final Health health;
  private final Routing.Metrics metrics;
  private final DeadLetters deadLetters;
  private volatile Routes routes = Routes.EMPTY;
  private final Thread[] threads;
  private final long[] position;
  private final long[] lastIngestionMs;
  private volatile boolean stopped;

  /**
   * @param codec checks a stored record that is not Sluice's own envelope
   * @param deadLetters where a stored record that is not an event goes, with its reason
   */
  BusRouter(
      String bus,
      int partitions,
      EventLog log,
      EventCodec codec,
      Health health,
      Routing.Metrics metrics,
      DeadLetters deadLetters) {
    this.bus = bus;
    this.partitions = partitions;
    this.log = log;
    this.codec = codec;
    this.health = health;
    this.metrics = metrics;
    this.deadLetters = deadLetters;
    this.threads = new Thread[partitions];
    this.position = new long[partitions];
    this.lastIngestionMs = new long[partitions];
  }

  void swap(Routes r) {
    routes = r;
  }

  Routes routes() {
    return routes;
  }

  /** Starts reading each partition at {@code start[p]}. */
  void start(long[] start) {
    for (int p = 0; p < partitions; p++) {
      int partition = p;
      position[p] = start[p];
      threads[p] =
          Thread.ofVirtual().name("sluice-router-" + bus + "-" + p).start(() -> run(partition));
    }
  }

  /**
   * Routes partition {@code p} until stopped. An unexpected error never ends it (see {@link
   * Supervised}): the partition is read again from the last event routed; events of the batch that
   * was being routed may be handed to their targets again (at least once).
   */
  private void run(int p) {
    Supervised.run(
        component(p),
        health,
        () -> stopped,
        () -> "at offset " + position[p],
        () -> routeFrom(p, position[p]));
  }

  private String component(int p) {
    return "router " + bus + "/" + p;
  }

  private void routeFrom(int p, long start) throws InterruptedException {
    String component = component(p);
    long skippedReported = 0;
    try (LogReader reader = log.reader(bus, p, start)) {
      while (!stopped) {
        List<LogEntry> batch = reader.poll(POLL_RECORDS, Duration.ofMillis(200));
        if (reader.skippedByRetention() > skippedReported) {
          LOG.error(
              "bus {} partition {}: retention removed {} events before they were routed",
              bus,
              p,
              reader.skippedByRetention() - skippedReported);
          metrics.expiredBeforeRouting(bus, reader.skippedByRetention() - skippedReported);
          skippedReported = reader.skippedByRetention();
        }
        Routes r = routes;
        for (LogEntry e : batch) {
          if (stopped) {
            return;
          }
          route(r, p, e);
          position[p] = e.offset() + 1; // a restart after a failure resumes after this event
        }
        if (!batch.isEmpty()) {
          long next = batch.get(batch.size() - 1).offset() + 1;
          lastIngestionMs[p] = batch.get(batch.size() - 1).timestampMs();
          for (TargetRunner t : r.all()) {
            t.scanned(p, next);
          }
        }
        health.ok(component); // after the batch was routed: a failure at one record does not flap
      }
    }
  }

  /**
   * Why a stored record is not an event, or null when it is one. Events stored by ingest start
   * with {@code {"version":"} (the envelope's first field), which is checked first and costs
   * nothing; anything else (a record written by {@code sluice log append}, a future format) is
   * parsed and checked as an event.
   */
  private String notAnEvent(byte[] value) {
    if (startsWith(value, STORED_PREFIX)) {
      return null;
    }
    try {
      com.fasterxml.jackson.databind.JsonNode node = io.sluice.core.Json.MAPPER.readTree(value);
      if (node == null || node.isMissingNode()) {
        return "not an event: the record is empty";
      }
      List<io.sluice.core.Problem> problems = new java.util.ArrayList<>();
      if (codec.fromTree(node, "", problems) == null) {
        return "not an event: " + problems.get(0);
      }
      return null;
    } catch (java.io.IOException e) {
      return "not an event: not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")";
    }
  }

  private static final byte[] STORED_PREFIX =
      "{\"version\":\"".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  private static boolean startsWith(byte[] b, byte[] prefix) {
    if (b.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private void route(Routes r, int p, LogEntry e) throws InterruptedException {
    String invalid = notAnEvent(e.value());
    if (invalid != null) {
      // dead-lettered with its reason and counted; the events after it go on
      deadLetters.addInvalid(bus, e, invalid).join();
      metrics.invalidRecord(bus);
      return;
    }
    EventMatcher.Match m = EventMatcher.match(r.rules(), e.value());
    if (m.rules().isEmpty()) {
      return;
    }
    Delivery d = Delivery.fresh(bus, e, m.event(), null);
    for (String rule : m.rules()) {
      metrics.matched(bus, rule);
      for (TargetRunner t : r.byRule().getOrDefault(rule, List.of())) {
        if (t.wants(p, e.offset())) {
          t.submit(d);
        }
      }
    }
  }

  long position(int p) {
    return position[p];
  }

  void stop() {
    stopped = true;
    for (Thread t : threads) {
      if (t != null) {
        t.interrupt();
      }
    }
    for (Thread t : threads) {
      if (t != null) {
        try {
          t.join(5000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}

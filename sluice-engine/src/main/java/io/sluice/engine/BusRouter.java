package io.sluice.engine;

import io.sluice.core.rules.RuleSet;
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
  private final Routing routing;
  private final int partitions;
  private volatile Routes routes = Routes.EMPTY;
  private final Thread[] threads;
  private final long[] position;
  private final long[] lastIngestionMs;
  private volatile boolean stopped;

  BusRouter(Routing routing, String bus, int partitions) {
    this.routing = routing;
    this.bus = bus;
    this.partitions = partitions;
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
          Thread.ofVirtual()
              .name("sluice-router-" + bus + "-" + p)
              .start(() -> run(partition, start[partition]));
    }
  }

  private void run(int p, long start) {
    long skippedReported = 0;
    try (LogReader reader = routing.log().reader(bus, p, start)) {
      while (!stopped) {
        List<LogEntry> batch = reader.poll(POLL_RECORDS, Duration.ofMillis(200));
        if (reader.skippedByRetention() > skippedReported) {
          LOG.error(
              "bus {} partition {}: retention removed {} events before they were routed",
              bus,
              p,
              reader.skippedByRetention() - skippedReported);
          routing
              .metrics()
              .expiredBeforeRouting(bus, reader.skippedByRetention() - skippedReported);
          skippedReported = reader.skippedByRetention();
        }
        Routes r = routes;
        for (LogEntry e : batch) {
          if (stopped) {
            return;
          }
          route(r, p, e);
        }
        if (!batch.isEmpty()) {
          long next = batch.get(batch.size() - 1).offset() + 1;
          position[p] = next;
          lastIngestionMs[p] = batch.get(batch.size() - 1).timestampMs();
          for (TargetRunner t : r.all()) {
            t.scanned(p, next);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      if (!stopped) {
        LOG.error(
            "bus {} partition {}: router stopped at offset {}; restart to resume",
            bus,
            p,
            position[p],
            e);
      }
    }
  }

  private void route(Routes r, int p, LogEntry e) throws InterruptedException {
    EventMatcher.Match m;
    try {
      m = EventMatcher.match(r.rules(), e.value());
    } catch (IllegalArgumentException ex) {
      LOG.error(
          "bus {} partition {} offset {}: stored event is not JSON; not routed: {}",
          bus,
          p,
          e.offset(),
          ex.getMessage());
      return;
    }
    if (m.rules().isEmpty()) {
      return;
    }
    Delivery d = Delivery.fresh(bus, e, m.event(), null);
    for (String rule : m.rules()) {
      routing.metrics().matched(bus, rule);
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

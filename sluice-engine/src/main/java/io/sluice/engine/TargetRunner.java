package io.sluice.engine;

import io.sluice.core.config.TargetConfig;
import io.sluice.core.transform.Transform;
import io.sluice.core.transform.TransformInput;
import io.sluice.core.transform.TransformOutput;
import io.sluice.engine.targets.DeliveryException;
import io.sluice.engine.targets.Outbound;
import io.sluice.engine.targets.Sender;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one rule's matched events to one target, at least once.
 *
 * <p>Every delivery ends in exactly one of: delivered, skipped by the transform (counted), or dead
 * lettered with its error; while it is owed, the target's cursor cannot pass its offset. A failed
 * attempt is retried with exponential backoff and jitter: the first quick retries in memory, the
 * rest through the durable retry queue (the cursor moves on once the retry is on disk), so a
 * failing event never blocks its partition. An {@code ordered} target keeps FIFO per group key
 * instead: a failing event is retried in memory and holds back only later events of its group. 4xx
 * answers other than 408/429, and events the target cannot take, are not retried.
 *
 * <p>Settings (sender, transform, concurrency, retry…) can be replaced while running; deliveries
 * under way finish with what they started with. Thread-safe.
 */
final class TargetRunner {

  private static final Logger LOG = LoggerFactory.getLogger(TargetRunner.class);

  /** Attempts made in memory before a retry goes to the durable queue (unordered targets). */
  static final int QUICK_ATTEMPTS = 3;

  /** What the runner delivers with; replaced as a whole on reconfiguration. */
  record Settings(TargetConfig config, Sender sender) {}

  final String bus;
  final String rule;
  final String id;
  final String cursorName;
  final TargetMetrics metrics;
  private final Routing routing;
  private volatile Settings settings;
  private final OffsetTracker[] trackers;
  private final long[] start;
  private final Semaphore window;
  private final LinkedBlockingDeque<Delivery> ready = new LinkedBlockingDeque<>();
  private final OrderedGroups groups = new OrderedGroups();
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicInteger pendingRetries = new AtomicInteger();
  private final TokenBucket rate = new TokenBucket();
  private final RetryPolicy retryPolicy =
      new RetryPolicy(() -> ThreadLocalRandom.current().nextDouble());
  private final Map<Integer, Long> lastCommitted = new TreeMap<>();
  private volatile boolean stopped;
  private volatile boolean retired;

  TargetRunner(
      Routing routing,
      String bus,
      String rule,
      TargetConfig config,
      Sender sender,
      long[] startOffsets) {
    this.routing = routing;
    this.bus = bus;
    this.rule = rule;
    this.id = config.id();
    this.cursorName = cursorName(rule, config.id());
    this.settings = new Settings(config, sender);
    this.window = new Semaphore(sender.maxOwed());
    this.metrics = routing.metrics().target(bus, rule, config.id(), this);
    this.trackers = new OffsetTracker[startOffsets.length];
    this.start = startOffsets.clone();
    for (int p = 0; p < startOffsets.length; p++) {
      trackers[p] = new OffsetTracker(startOffsets[p]);
      lastCommitted.put(p, startOffsets[p]);
    }
    rate.setRate(config.rateLimit());
    adjustWorkers(config.concurrency());
  }

  static String cursorName(String rule, String target) {
    return "target:" + rule + ":" + target;
  }

  TargetConfig config() {
    return settings.config();
  }

  /** Replaces the settings; returns the sender that was replaced (close it once drained). */
  Sender reconfigure(TargetConfig config, Sender sender) {
    Settings old = settings;
    settings = new Settings(config, sender);
    rate.setRate(config.rateLimit());
    adjustWorkers(config.concurrency());
    return old.sender();
  }

  private synchronized void adjustWorkers(int concurrency) {
    while (workers.size() < concurrency) {
      int index = workers.size();
      Thread t =
          Thread.ofVirtual()
              .name("sluice-target-" + rule + "-" + id + "-" + index)
              .start(() -> work(index));
      workers.add(t);
    }
    // extra workers notice their index is out of range and exit; keep the list in step
    while (workers.size() > concurrency) {
      workers.remove(workers.size() - 1);
    }
  }

  // ---- submission
  // --------------------------------------------------------------------------------

  /** Whether this target takes the event at {@code offset}: not before where it (re)started. */
  boolean wants(int partition, long offset) {
    return offset >= start[partition];
  }

  long start(int partition) {
    return start[partition];
  }

  /** Called by the router; waits while the target owes its sender's {@code maxOwed()}. */
  void submit(Delivery d) throws InterruptedException {
    window.acquire();
    trackers[d.partition()].add(d.offset(), d.ingestionTimeMs());
    dispatch(d);
  }

  /** The router looked at everything in {@code partition} below {@code next}. */
  void scanned(int partition, long next) {
    trackers[partition].scanned(next);
  }

  /** A due entry of the durable retry queue. */
  void submitRetry(Delivery d) {
    dispatch(d);
  }

  /** A delivery of a replay; the replay tracks it. */
  void submitReplay(Delivery d) {
    dispatch(d);
  }

  private void dispatch(Delivery d) {
    if (settings.config().ordered() && d.groupKey() != null && !groups.admit(d)) {
      return; // waits behind the head of its group
    }
    ready.add(d);
  }

  // ---- delivery
  // ----------------------------------------------------------------------------------

  private void work(int index) {
    while (!stopped) {
      Settings s = settings;
      if (index >= s.config().concurrency()) {
        return;
      }
      try {
        Delivery first = ready.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        List<Delivery> batch = new ArrayList<>();
        batch.add(first);
        if (s.config().batch() != null) {
          long deadline = System.nanoTime() + s.config().batch().interval().toNanos();
          while (batch.size() < s.config().batch().size()) {
            long left = deadline - System.nanoTime();
            Delivery next = left <= 0 ? ready.poll() : ready.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
              break;
            }
            batch.add(next);
          }
        }
        rate.acquire(batch.size());
        attempt(s, batch);
      } catch (InterruptedException e) {
        return;
      } catch (Throwable t) {
        LOG.error("target {}/{} on bus {}: worker failed; continuing", rule, id, bus, t);
      }
    }
  }

  private void attempt(Settings s, List<Delivery> batch) {
    long started = routing.clock().millis();
    List<Outbound> out = new ArrayList<>(batch.size());
    List<Delivery> sending = new ArrayList<>(batch.size());
    Transform transform = s.config().transform();
    for (Delivery d : batch) {
      TransformOutput body;
      try {
        body =
            transform.apply(
                new TransformInput(
                    withReplayMark(d),
                    d.eventJson(),
                    bus,
                    rule,
                    id,
                    d.ingestionTimeMs(),
                    d.replayName()));
      } catch (RuntimeException e) {
        deadLetter(
            d.attempted(started, "transform failed: " + e.getMessage()),
            "transform failed: " + e.getMessage());
        continue;
      }
      if (body instanceof TransformOutput.Skip skip) {
        metrics.skipped();
        LOG.debug("target {}/{}: {} skipped: {}", rule, id, d.position(), skip.reason());
        finish(d);
        continue;
      }
      if (d.replayName() != null && transform == Transform.IDENTITY) {
        body = replayMarked(d);
      }
      boolean fresh = d.replayName() == null && d.retryOffset() < 0;
      out.add(
          new Outbound(
              bus,
              rule,
              eventId(d),
              body,
              d.replayName(),
              d.event(),
              d.partition(),
              d.offset(),
              !fresh,
              d.retryOffset() >= 0,
              d.ingestionTimeMs()));
      sending.add(d);
    }
    if (out.isEmpty()) {
      return;
    }
    java.util.concurrent.CompletableFuture<Void> sent;
    try {
      sent = s.sender().sendAsync(out);
    } catch (RuntimeException e) {
      sent = java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((ok, err) -> settle(s, sending, started, err));
  }

  private void settle(Settings s, List<Delivery> sending, long started, Throwable err) {
    if (err == null) {
      metrics.delivered(sending.size(), routing.clock().millis() - started);
      for (Delivery d : sending) {
        finish(d);
      }
      return;
    }
    Throwable cause =
        err instanceof java.util.concurrent.CompletionException && err.getCause() != null
            ? err.getCause()
            : err;
    DeliveryException e =
        cause instanceof DeliveryException de
            ? de
            : new DeliveryException(true, "sender failed: " + cause, null, cause);
    for (Delivery d : sending) {
      failed(d.attempted(started, e.getMessage()), e, s.config());
    }
  }

  private static String eventId(Delivery d) {
    var idNode = d.event().get("id");
    return idNode == null ? null : idNode.asText();
  }

  /** Replayed events carry {@code "replay-name"} at the top level, as EventBridge marks them. */
  private static com.fasterxml.jackson.databind.JsonNode withReplayMark(Delivery d) {
    if (d.replayName() == null) {
      return d.event();
    }
    var copy = ((com.fasterxml.jackson.databind.node.ObjectNode) d.event()).deepCopy();
    copy.put("replay-name", d.replayName());
    return copy;
  }

  private static TransformOutput replayMarked(Delivery d) {
    var tree = withReplayMark(d);
    try {
      return new TransformOutput.Json(tree, io.sluice.core.Json.MAPPER.writeValueAsBytes(tree));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void failed(Delivery d, DeliveryException e, TargetConfig config) {
    metrics.failed();
    long now = routing.clock().millis();
    switch (retryPolicy.decide(d, e, config.retry(), config.ordered(), now)) {
      case RetryPolicy.DeadLetter dl -> deadLetter(d, dl.reason());
      case RetryPolicy.RetryInMemory m -> {
        metrics.retried();
        scheduleInMemory(d, m.delayMs());
      }
      case RetryPolicy.RetryDurably q -> {
        metrics.retried();
        pendingRetries.incrementAndGet();
        routing
            .retries()
            .add(d, rule, id, q.dueMs())
            .whenComplete(
                (ok, err) -> {
                  pendingRetries.decrementAndGet();
                  if (err != null) {
                    LOG.warn(
                        "target {}/{}: could not queue a retry durably ({}); retrying in memory",
                        rule,
                        id,
                        err.toString());
                    scheduleInMemory(d, q.delayMs());
                  } else {
                    finish(d);
                  }
                });
      }
    }
  }

  private void scheduleInMemory(Delivery d, long delayMs) {
    pendingRetries.incrementAndGet();
    routing
        .scheduler()
        .schedule(
            () -> {
              pendingRetries.decrementAndGet();
              if (retired) {
                deadLetter(
                    d,
                    "rule "
                        + rule
                        + " or its target "
                        + id
                        + " was removed before the retry; last error: "
                        + d.lastError());
              } else if (settings.config().ordered() && d.groupKey() != null) {
                ready.addFirst(d); // still the head of its busy group
              } else {
                ready.add(d);
              }
            },
            delayMs,
            TimeUnit.MILLISECONDS);
  }

  private void deadLetter(Delivery d, String error) {
    pendingRetries.incrementAndGet();
    routing
        .deadLetters()
        .add(d, rule, id, error)
        .whenComplete(
            (ok, err) -> {
              pendingRetries.decrementAndGet();
              if (err != null) {
                LOG.error(
                    "target {}/{}: could not store dead letter for {} ({}); trying again in 1 s",
                    rule,
                    id,
                    d.position(),
                    err.toString());
                routing.scheduler().schedule(() -> deadLetter(d, error), 1, TimeUnit.SECONDS);
              } else {
                metrics.deadLettered();
                LOG.warn(
                    "target {}/{}: {} dead-lettered after {} attempts: {}",
                    rule,
                    id,
                    d.position(),
                    d.attempts(),
                    error);
                finish(d);
              }
            });
  }

  /** The delivery is settled (delivered, skipped, dead-lettered or durably queued for retry). */
  private void finish(Delivery d) {
    if (settings.config().ordered() && d.groupKey() != null) {
      Delivery next = groups.settled(d.groupKey());
      if (next != null) {
        ready.add(next);
      }
    }
    if (d.retryOffset() >= 0) {
      routing.retries().done(d.retryOffset());
    } else if (d.replayName() != null) {
      routing.replays().done(d);
    } else {
      trackers[d.partition()].done(d.offset());
      window.release();
    }
  }

  // ---- cursors, lag, lifecycle
  // --------------------------------------------------------------------

  /** Durably commits how far this target is, if that moved. */
  void commitCursor() {
    Map<Integer, Long> now = new TreeMap<>();
    for (int p = 0; p < trackers.length; p++) {
      now.put(p, trackers[p].committable());
    }
    if (!now.equals(lastCommitted)) {
      routing.log().commitCursor(bus, cursorName, now);
      lastCommitted.putAll(now);
    }
  }

  Map<Integer, Long> committable() {
    Map<Integer, Long> m = new TreeMap<>();
    for (int p = 0; p < trackers.length; p++) {
      m.put(p, trackers[p].committable());
    }
    return m;
  }

  /** Events of the bus this target has not settled yet: behind its cursor to the end of the bus. */
  long lagEvents() {
    long lag = 0;
    var info = routing.log().info(bus);
    for (var p : info.partitions()) {
      lag += Math.max(0, p.endOffset() - trackers[p.partition()].committable());
    }
    return lag;
  }

  /** Deliveries owed from the bus right now (queued, in flight, in memory retry). */
  int owed() {
    int n = 0;
    for (OffsetTracker t : trackers) {
      n += t.inFlightCount();
    }
    return n;
  }

  /** Age of the oldest event this target still owes, in ms (0 when it owes nothing). */
  long oldestOwedAgeMs() {
    long oldest = Long.MAX_VALUE;
    for (OffsetTracker t : trackers) {
      long o = t.oldestIngestionTimeMs();
      if (o >= 0) {
        oldest = Math.min(oldest, o);
      }
    }
    return oldest == Long.MAX_VALUE ? 0 : Math.max(0, routing.clock().millis() - oldest);
  }

  boolean isIdle() {
    return owed() == 0 && ready.isEmpty() && pendingRetries.get() == 0;
  }

  /**
   * The rule or target was removed: stop, and dead-letter everything still queued (in-flight
   * attempts and in-memory retries that fail later are dead-lettered too), so nothing owed is
   * dropped without a trace.
   */
  void retire() {
    retired = true;
    stop();
    List<Delivery> left = new ArrayList<>();
    ready.drainTo(left);
    left.addAll(groups.drain());
    for (Delivery d : left) {
      deadLetter(
          d,
          "rule " + rule + " or its target " + id + " was removed before this event was delivered");
    }
  }

  /** Stops the workers after their current attempt; what is owed stays below the cursor. */
  void stop() {
    stopped = true;
    List<Thread> ws;
    synchronized (this) {
      ws = new ArrayList<>(workers);
    }
    for (Thread t : ws) {
      t.interrupt();
    }
    for (Thread t : ws) {
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    settings.sender().close();
  }

  /** A token bucket for the rate limit; waits (virtual threads park cheaply). */
  static final class TokenBucket {
    private double ratePerSecond;
    private double tokens;
    private long lastNanos = System.nanoTime();

    synchronized void setRate(double r) {
      ratePerSecond = r;
      tokens = Math.min(tokens, Math.max(r, 1));
    }

    void acquire(int n) throws InterruptedException {
      while (true) {
        long waitNanos;
        synchronized (this) {
          if (ratePerSecond <= 0) {
            return;
          }
          long now = System.nanoTime();
          tokens =
              Math.min(
                  Math.max(ratePerSecond, 1), tokens + (now - lastNanos) / 1e9 * ratePerSecond);
          lastNanos = now;
          if (tokens >= n || tokens >= Math.max(ratePerSecond, 1)) {
            tokens -= n;
            return;
          }
          waitNanos = (long) ((n - tokens) / ratePerSecond * 1e9);
        }
        TimeUnit.NANOSECONDS.sleep(Math.max(waitNanos, 100_000));
      }
    }
  }
}

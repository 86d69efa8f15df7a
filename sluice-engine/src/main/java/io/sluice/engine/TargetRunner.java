package io.sluice.engine;

import io.sluice.core.config.TargetConfig;
import io.sluice.core.functions.Functions;
import io.sluice.core.targets.DeliveryException;
import io.sluice.core.targets.Outbound;
import io.sluice.core.targets.Sender;
import io.sluice.core.transform.Transform;
import io.sluice.core.transform.TransformInput;
import io.sluice.core.transform.TransformOutput;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledExecutorService;
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

  /**
   * Where a runner's deliveries go once settled or given up, and what it runs on; the same for
   * every runner of a routing.
   *
   * @param retries where a delivery waits for a later attempt, and whose entries a retried delivery
   *     settles
   * @param replays which a replayed delivery settles
   * @param functions the node's functions, for function transforms (null: none)
   */
  record Parts(
      Clock clock,
      ScheduledExecutorService scheduler,
      RetryQueue retries,
      DeadLetters deadLetters,
      Replays replays,
      TargetMetrics.Registry metrics,
      Functions functions) {}

  final String bus;
  final String rule;
  final String id;
  final TargetMetrics metrics;
  private final Parts parts;
  private final TargetCursor cursor;
  private volatile Settings settings;
  private final Semaphore window;
  private final LinkedBlockingDeque<Delivery> ready = new LinkedBlockingDeque<>();

  /** Held while a delivery joins {@link #ready} or its group, and while retiring drains them. */
  private final Object admission = new Object();

  private final OrderedGroups groups = new OrderedGroups();
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicInteger pendingRetries = new AtomicInteger();

  /** Deliveries dispatched and not yet finished (retries and replays too, unlike the cursor). */
  private final AtomicInteger active = new AtomicInteger();

  private final RateLimiter rate = new RateLimiter(System::nanoTime);
  private final RetryPolicy retryPolicy =
      new RetryPolicy(() -> ThreadLocalRandom.current().nextDouble());
  private volatile boolean stopped;
  private volatile boolean retired;

  /**
   * @param cursor where the target is on its bus (see {@link TargetCursor#open})
   */
  TargetRunner(
      String bus,
      String rule,
      TargetConfig config,
      Sender sender,
      TargetCursor cursor,
      Parts parts) {
    this.parts = parts;
    this.bus = bus;
    this.rule = rule;
    this.id = config.id();
    this.cursor = cursor;
    this.settings = new Settings(config, sender);
    this.window = new Semaphore(sender.maxOwed());
    this.metrics = parts.metrics().target(bus, rule, config.id(), this);
    rate.setRate(config.rateLimit());
    adjustWorkers(config.concurrency());
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
    return cursor.wants(partition, offset);
  }

  long start(int partition) {
    return cursor.start(partition);
  }

  /** Called by the router; waits while the target owes its sender's {@code maxOwed()}. */
  void submit(Delivery d) throws InterruptedException {
    window.acquire();
    cursor.owe(d.partition(), d.offset(), d.ingestionTimeMs());
    dispatch(d);
  }

  /** The router looked at everything in {@code partition} below {@code next}. */
  void scanned(int partition, long next) {
    cursor.scanned(partition, next);
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
    active.incrementAndGet(); // until finish(d): queued, in a worker's hands, or being attempted
    synchronized (admission) {
      if (retired) {
        deadLetter(d, removedBeforeDelivery());
        return;
      }
      if (settings.config().ordered() && d.groupKey() != null && !groups.admit(d)) {
        return; // waits behind the head of its group
      }
      ready.add(d);
    }
  }

  /**
   * Deliveries a worker took but did not attempt (it was stopped while filling a batch or waiting
   * for the rate limit): back to the front of the queue in their order, or, once the target is
   * retired, to the dead letters, so none is lost.
   */
  private void handBack(List<Delivery> taken) {
    if (taken.isEmpty()) {
      return;
    }
    synchronized (admission) {
      for (int i = taken.size() - 1; i >= 0; i--) {
        if (retired) {
          deadLetter(taken.get(i), removedBeforeDelivery());
        } else {
          ready.addFirst(taken.get(i));
        }
      }
    }
  }

  private String removedBeforeDelivery() {
    return "rule " + rule + " or its target " + id + " was removed before this event was delivered";
  }

  // ---- delivery
  // ----------------------------------------------------------------------------------

  private void work(int index) {
    while (!stopped) {
      Settings s = settings;
      if (index >= s.config().concurrency()) {
        return;
      }
      List<Delivery> inHand = new ArrayList<>();
      try {
        Delivery first = ready.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        inHand.add(first);
        Batches.fill(ready, inHand, s.config().batch());
        rate.acquire(inHand.size());
        List<Delivery> batch = inHand;
        inHand = List.of(); // the attempt settles them from here on
        attempt(s, batch);
      } catch (InterruptedException e) {
        handBack(inHand);
        return;
      } catch (Throwable t) {
        handBack(inHand);
        LOG.error("target {}/{} on bus {}: worker failed; continuing", rule, id, bus, t);
      }
    }
  }

  private void attempt(Settings s, List<Delivery> batch) {
    long started = parts.clock().millis();
    List<Outbound> out = new ArrayList<>(batch.size());
    List<Delivery> sending = new ArrayList<>(batch.size());
    Transform transform = s.config().transform();
    List<TransformInput> inputs = new ArrayList<>(batch.size());
    for (Delivery d : batch) {
      inputs.add(
          new TransformInput(
              d.event(), d.eventJson(), bus, rule, id, d.ingestionTimeMs(), d.replayName()));
    }
    List<TargetBody> bodies;
    try {
      bodies = TargetBody.ofAll(transform, inputs, parts.functions(), "target " + rule + "/" + id);
    } catch (RuntimeException | Error e) {
      // the batch is in hand: whatever a transform throws, every delivery is retried, never stuck
      LOG.error(
          "target {}/{}: the transform failed unexpectedly; the batch is retried", rule, id, e);
      String error = "transform failed unexpectedly: " + e;
      bodies = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        bodies.add(new TargetBody.Retry(error));
      }
    }
    for (int i = 0; i < batch.size(); i++) {
      Delivery d = batch.get(i);
      TransformOutput body;
      switch (bodies.get(i)) {
        case TargetBody.Send send -> body = send.body();
        case TargetBody.Skip skip -> {
          metrics.skipped();
          LOG.debug("target {}/{}: {} skipped: {}", rule, id, d.position(), skip.reason());
          finish(d);
          continue;
        }
        case TargetBody.Fail fail -> {
          deadLetter(d.attempted(started, fail.error()), fail.error());
          continue;
        }
        case TargetBody.Reject reject when s.sender().keepsRejected() ->
            body = new TransformOutput.Rejected(reject.error());
        case TargetBody.Reject reject -> {
          deadLetter(d.attempted(started, reject.error()), reject.error());
          continue;
        }
        case TargetBody.Retry retry -> {
          failed(
              d.attempted(started, retry.error()),
              DeliveryException.retryable(retry.error()),
              s.config());
          continue;
        }
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
    java.util.concurrent.CompletableFuture<io.sluice.core.targets.Receipt> sent;
    try {
      sent = s.sender().sendAsync(out);
    } catch (RuntimeException e) {
      sent = java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((receipt, err) -> settle(s, sending, started, receipt, err));
  }

  private void settle(
      Settings s,
      List<Delivery> sending,
      long started,
      io.sluice.core.targets.Receipt receipt,
      Throwable err) {
    if (err == null) {
      // items the target kept in its own error location are settled, but not delivered
      int errors = receipt == null ? 0 : Math.min(receipt.errors(), sending.size());
      metrics.delivered(sending.size() - errors, parts.clock().millis() - started);
      if (errors > 0) {
        metrics.errors(errors);
      }
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

  private void failed(Delivery d, DeliveryException e, TargetConfig config) {
    metrics.failed();
    long now = parts.clock().millis();
    switch (retryPolicy.decide(d, e, config.retry(), config.ordered(), now)) {
      case RetryPolicy.DeadLetter dl -> deadLetter(d, dl.reason());
      case RetryPolicy.RetryInMemory m -> {
        metrics.retried();
        scheduleInMemory(d, m.delayMs());
      }
      case RetryPolicy.RetryDurably q -> {
        metrics.retried();
        pendingRetries.incrementAndGet();
        parts
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
    parts
        .scheduler()
        .schedule(
            () -> {
              pendingRetries.decrementAndGet();
              synchronized (admission) {
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
              }
            },
            delayMs,
            TimeUnit.MILLISECONDS);
  }

  private void deadLetter(Delivery d, String error) {
    pendingRetries.incrementAndGet();
    parts
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
                parts.scheduler().schedule(() -> deadLetter(d, error), 1, TimeUnit.SECONDS);
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
    active.decrementAndGet();
    if (settings.config().ordered() && d.groupKey() != null) {
      synchronized (admission) {
        Delivery next = groups.settled(d.groupKey());
        if (next != null && retired) {
          deadLetter(next, removedBeforeDelivery());
        } else if (next != null) {
          ready.add(next);
        }
      }
    }
    if (d.retryOffset() >= 0) {
      parts.retries().done(d.retryOffset());
    } else if (d.replayName() != null) {
      parts.replays().done(d);
    } else {
      cursor.settled(d.partition(), d.offset());
      window.release();
    }
  }

  // ---- cursors, lag, lifecycle
  // --------------------------------------------------------------------

  /** Durably commits how far this target is, if that moved. */
  void commitCursor() {
    cursor.commit();
  }

  Map<Integer, Long> committable() {
    return cursor.committable();
  }

  TargetCursor cursor() {
    return cursor;
  }

  /** Events of the bus this target has not settled yet: behind its cursor to the end of the bus. */
  long lagEvents() {
    return cursor.lagEvents();
  }

  /** Deliveries owed from the bus right now (queued, in flight, in memory retry). */
  int owed() {
    return cursor.owed();
  }

  /** Age of the oldest event this target still owes, in ms (0 when it owes nothing). */
  long oldestOwedAgeMs() {
    return cursor.oldestOwedAgeMs(parts.clock().millis());
  }

  /** Whether nothing is owed: no delivery queued, held by a worker, attempted or waiting. */
  boolean isIdle() {
    return active.get() == 0 && owed() == 0 && pendingRetries.get() == 0;
  }

  /**
   * The rule or target was removed: stop, and dead-letter everything still queued (in-flight
   * attempts and in-memory retries that fail later are dead-lettered too), so nothing owed is
   * dropped without a trace.
   */
  void retire() {
    List<Delivery> left = new ArrayList<>();
    synchronized (admission) {
      retired = true; // from now on a submitted delivery is dead-lettered at once
    }
    stop();
    synchronized (admission) {
      ready.drainTo(left);
      left.addAll(groups.drain());
    }
    for (Delivery d : left) {
      deadLetter(d, removedBeforeDelivery());
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
}

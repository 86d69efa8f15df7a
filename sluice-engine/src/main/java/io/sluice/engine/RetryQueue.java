package io.sluice.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.TransientException;
import io.sluice.log.AppendResult;
import io.sluice.log.EventLog;
import io.sluice.log.LogEntry;
import io.sluice.log.LogReader;
import io.sluice.log.LogRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable retry queue: deliveries waiting for a later attempt, kept in the internal log {@value
 * #LOG} so a failing target never holds back its bus and nothing waiting is lost in a crash. Each
 * record holds the event, its target and history, and when to try next.
 *
 * <p>A loader reads the log into a time-ordered queue (at most {@value #MAX_IN_MEMORY} entries in
 * memory; the rest waits in the log), a dispatcher hands due entries to their target, and the log's
 * cursor moves past an entry once its attempt is settled (delivered, dead-lettered, or queued again
 * as a new entry).
 */
final class RetryQueue {

  private static final Logger LOG_ = LoggerFactory.getLogger(RetryQueue.class);
  static final String LOG = "sluice.retries";
  static final String CURSOR = "dispatcher";
  static final int MAX_IN_MEMORY = 100_000;

  /** A queued retry; due times are on the routing's clock, and so is the wait for them. */
  private record Due(long atMs, long offset, JsonNode record, Clock clock) implements Delayed {
    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(atMs - clock.millis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      Due d = (Due) o;
      int c = Long.compare(atMs, d.atMs);
      return c != 0 ? c : Long.compare(offset, d.offset);
    }
  }

  private final EventLog log;
  private final Clock clock;
  private final Health health;
  private final Routing.Metrics metrics;
  private final RouteTable table;
  private final DeadLetters deadLetters;
  private final DelayQueue<Due> due = new DelayQueue<>();
  private OffsetTracker tracker;
  private long lastCommitted;
  private volatile boolean stopped;
  private Thread loader;
  private Thread dispatcher;

  /**
   * @param table finds the target a due retry belongs to
   * @param deadLetters where a retry goes whose target was removed meanwhile
   */
  RetryQueue(
      EventLog log,
      Clock clock,
      Health health,
      Routing.Metrics metrics,
      RouteTable table,
      DeadLetters deadLetters) {
    this.log = log;
    this.clock = clock;
    this.health = health;
    this.metrics = metrics;
    this.table = table;
    this.deadLetters = deadLetters;
  }

  void start() {
    InternalLogs.create(log, LOG, Duration.ofDays(8));
    lastCommitted = log.cursor(LOG, CURSOR).getOrDefault(0, 0L);
    tracker = new OffsetTracker(lastCommitted);
    loader = Thread.ofVirtual().name("sluice-retry-loader").start(this::load);
    dispatcher = Thread.ofVirtual().name("sluice-retry-dispatcher").start(this::dispatch);
  }

  /** Queues a retry durably; completes once it is on disk. */
  CompletableFuture<Void> add(Delivery d, String rule, String target, long nextAttemptMs) {
    ObjectNode rec = StoredRecords.delivery(d, rule, target);
    rec.put("nextAttempt", nextAttemptMs);
    return log.append(LOG, List.of(LogRecord.of(StoredRecords.bytes(rec))))
        .thenAccept(
            results -> {
              AppendResult r = results.get(0);
              if (!r.isOk()) {
                throw r.error();
              }
            });
  }

  /** The next offset of the retry log the loader reads (all below it are queued). */
  private volatile long loadedUpTo;

  /**
   * Reads the retry log into the queue. An unexpected error never ends it: it is reported to {@link
   * Health}, and reading goes on from where it was after a backoff.
   */
  private void load() {
    loadedUpTo = lastCommitted;
    Supervised.run(
        "retry loader",
        health,
        () -> stopped,
        () -> "at offset " + loadedUpTo,
        () -> loadFrom(loadedUpTo));
  }

  private void loadFrom(long from) throws InterruptedException {
    try (LogReader r = log.reader(LOG, 0, from)) {
      while (!stopped) {
        if (due.size() >= MAX_IN_MEMORY) {
          Thread.sleep(100); // the dispatcher drains the queue; the rest waits in the log
          continue;
        }
        List<LogEntry> batch = r.poll(1000, Duration.ofMillis(200));
        for (LogEntry e : batch) {
          JsonNode rec;
          String invalid;
          try {
            rec = StoredRecords.parse(e.value());
            invalid = notARetry(rec);
          } catch (java.io.UncheckedIOException notJson) {
            rec = null;
            invalid = "not JSON: " + notJson.getMessage();
          }
          if (invalid != null) {
            // not written by Sluice: nothing to retry; counted, and the rest goes on
            LOG_.error(
                "retry queue offset {} is not a retry record ({}); skipped", e.offset(), invalid);
            metrics.invalidRecord(LOG);
            loadedUpTo = e.offset() + 1;
            continue;
          }
          tracker.add(e.offset(), e.timestampMs());
          due.add(new Due(rec.path("nextAttempt").asLong(), e.offset(), rec, clock));
          loadedUpTo = e.offset() + 1;
        }
        if (!batch.isEmpty()) {
          tracker.scanned(batch.get(batch.size() - 1).offset() + 1);
        }
        health.ok("retry loader"); // after the batch: a failure at one record does not flap
      }
    }
  }

  /** Why a parsed record of the retry log is not a retry Sluice wrote, or null. */
  static String notARetry(JsonNode rec) {
    if (rec == null || !rec.isObject()) {
      return "not a JSON object";
    }
    if (!rec.path("event").isObject()) {
      return "no event";
    }
    for (String f : new String[] {"bus", "rule", "target"}) {
      if (!rec.path(f).isTextual()) {
        return "no " + f;
      }
    }
    if (!rec.path("nextAttempt").canConvertToLong()) {
      return "no nextAttempt";
    }
    return null;
  }

  private void dispatch() {
    while (!stopped) {
      try {
        Due d = due.poll(200, TimeUnit.MILLISECONDS);
        if (d == null) {
          continue;
        }
        Delivery delivery;
        try {
          delivery = StoredRecords.delivery(d.record(), d.offset());
        } catch (RuntimeException bad) {
          // checked when loaded; should it still not read, it must not pin the queue's cursor
          LOG_.error(
              "retry queue offset {} cannot be read ({}); skipped", d.offset(), bad.toString());
          metrics.invalidRecord(LOG);
          done(d.offset());
          continue;
        }
        String rule = d.record().path("rule").asText();
        String target = d.record().path("target").asText();
        TargetRunner runner = table.runner(delivery.bus(), rule, target);
        if (runner == null) {
          deadLetters
              .add(
                  delivery,
                  rule,
                  target,
                  "rule "
                      + rule
                      + " or its target "
                      + target
                      + " was removed before the retry; last error: "
                      + delivery.lastError())
              .whenComplete(
                  (ok, err) -> {
                    if (err == null) {
                      done(d.offset());
                    } else {
                      due.add(new Due(clock.millis() + 1000, d.offset(), d.record(), clock));
                    }
                  });
        } else {
          runner.submitRetry(delivery);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG_.error("retry dispatch failed; continuing", e);
      }
    }
  }

  /** The entry at {@code offset} is settled. */
  void done(long offset) {
    tracker.done(offset);
  }

  int waiting() {
    return due.size();
  }

  void commit() {
    if (tracker == null) {
      return; // not started: nothing to commit
    }
    long c = tracker.committable();
    if (c != lastCommitted) {
      try {
        log.commitCursor(LOG, CURSOR, Map.of(0, c));
        lastCommitted = c;
      } catch (TransientException e) {
        LOG_.warn("could not commit the retry queue cursor: {}", e.getMessage());
      }
    }
  }

  void stop() {
    stopped = true;
    if (loader != null) {
      loader.interrupt();
      dispatcher.interrupt();
    }
    commit();
  }
}

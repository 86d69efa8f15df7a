package io.sluice.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.EventIds;
import io.sluice.core.Json;
import io.sluice.log.AppendResult;
import io.sluice.log.EventLog;
import io.sluice.log.LogEntry;
import io.sluice.log.LogReader;
import io.sluice.log.LogRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Dead letters: deliveries a target gave up on, kept with the event, rule, target, last error and
 * attempt count in the internal log {@value #LOG} (retained 14 days). Redriving one queues it for
 * its target again (attempts reset); purging forgets it. Both are recorded as {@code removed}
 * records in the same log, so the set of open dead letters survives restarts.
 *
 * <p>Thread-safe.
 */
public final class DeadLetters {

  static final String LOG = "sluice.deadletters";

  /** An open dead letter's place in the log. */
  record Entry(String id, long offset, String bus, String rule, String target) {}

  /** Which dead letters an operation applies to; {@code null} fields match anything. */
  public record Filter(String bus, String rule, String target) {
    public static final Filter ALL = new Filter(null, null, null);

    boolean test(Entry e) {
      return (bus == null || bus.equals(e.bus()))
          && (rule == null || rule.equals(e.rule()))
          && (target == null || target.equals(e.target()));
    }
  }

  /**
   * One page of dead letters (records as stored, in offset order) and the offset of the next
   * matching one to continue from (inclusive), or -1 when there is none yet; {@code resumeAt} is
   * where to continue either way (past everything this page read), for a client following new dead
   * letters.
   */
  public record Page(List<JsonNode> deadLetters, long next, long resumeAt) {}

  /** Queues a redriven delivery for its target again; completes once that is durable. */
  @FunctionalInterface
  interface Requeue {
    CompletableFuture<Void> add(Delivery d, String rule, String target, long dueMs);
  }

  private final EventLog log;
  private final Clock clock;

  /** Open dead letters by id (for counts, redrive, purge; order is not relied on). */
  private final Map<String, Entry> open = new java.util.HashMap<>();

  /**
   * Ids of dead letters redriven or purged. A page is read from the log itself, in offset order, so
   * that a dead letter whose append completed out of order is neither missed nor repeated by a
   * client paging while others are written; this says which of them are no longer open.
   */
  private final java.util.Set<String> removed = new java.util.HashSet<>();

  DeadLetters(EventLog log, Clock clock) {
    this.log = log;
    this.clock = clock;
  }

  void start() {
    InternalLogs.create(log, LOG, Duration.ofDays(14));
    try (LogReader r = log.reader(LOG, 0, 0)) {
      while (true) {
        List<LogEntry> batch = r.poll(1000, Duration.ZERO);
        if (batch.isEmpty()) {
          break;
        }
        for (LogEntry e : batch) {
          index(StoredRecords.parse(e.value()), e.offset());
        }
      }
    }
  }

  private synchronized void index(JsonNode rec, long offset) {
    if ("removed".equals(rec.path("kind").asText())) {
      rec.path("ids")
          .forEach(
              id -> {
                open.remove(id.asText());
                removed.add(id.asText());
              });
    } else {
      open.put(
          rec.path("id").asText(),
          new Entry(
              rec.path("id").asText(),
              offset,
              rec.path("bus").asText(),
              rec.path("rule").asText(),
              rec.path("target").asText()));
    }
  }

  /** Stores a dead letter; completes once it is on disk. */
  CompletableFuture<Void> add(Delivery d, String rule, String target, String error) {
    ObjectNode rec = StoredRecords.delivery(d, rule, target);
    rec.put("kind", "dead-letter");
    rec.put("id", EventIds.next(clock));
    rec.put("error", error);
    rec.put("deadLetteredAt", clock.millis());
    return append(rec);
  }

  /**
   * Stores a record of a bus that is not an event (it matches no rule and reaches no target), with
   * why. Kept as text; it can be listed and purged, not redriven.
   */
  CompletableFuture<Void> addInvalid(String bus, io.sluice.log.LogEntry e, String error) {
    return append(undeliverable(EventIds.next(clock), bus, e, null, null, error));
  }

  /**
   * Stores a dead letter for an event that a part other than a rule's target could not use (an
   * analysis: an event too late for every window, an event time missing). Its id is {@code id},
   * chosen by the caller so that the same refusal made again (after a restart) is stored once. It
   * names {@code rule} and {@code target} for filters; it can be listed and purged, not redriven.
   */
  public CompletableFuture<Void> addRefused(
      String id, String bus, io.sluice.log.LogEntry e, String rule, String target, String error) {
    synchronized (this) {
      if (open.containsKey(id) || removed.contains(id)) {
        return CompletableFuture.completedFuture(null);
      }
    }
    return append(undeliverable(id, bus, e, rule, target, error));
  }

  /** A dead letter that keeps the record as text and cannot be redriven. */
  private ObjectNode undeliverable(
      String id, String bus, io.sluice.log.LogEntry e, String rule, String target, String error) {
    ObjectNode rec = Json.MAPPER.createObjectNode();
    rec.put("kind", "dead-letter");
    rec.put("id", id);
    rec.put("bus", bus);
    if (rule != null) {
      rec.put("rule", rule);
      rec.put("target", target);
    }
    rec.put("partition", e.partition());
    rec.put("offset", e.offset());
    rec.put("ingestionTime", e.timestampMs());
    rec.put("invalid", true);
    rec.put("attempts", 0);
    rec.put("firstAttempt", 0);
    rec.put("error", error);
    rec.put("deadLetteredAt", clock.millis());
    String text = new String(e.value(), java.nio.charset.StandardCharsets.UTF_8);
    rec.put("record", text.length() > 10_000 ? text.substring(0, 10_000) + "…" : text);
    return rec;
  }

  private CompletableFuture<Void> append(ObjectNode rec) {
    return log.append(LOG, List.of(LogRecord.of(StoredRecords.bytes(rec))))
        .thenAccept(
            results -> {
              AppendResult r = results.get(0);
              if (!r.isOk()) {
                throw r.error();
              }
              index(rec, r.offset());
            });
  }

  /**
   * Open dead letters matching {@code filter} at log offsets from {@code from} (inclusive), in
   * offset order. Reads the dead-letter log, which readers see in offset order and whole up to its
   * end, so paging with {@link Page#next()} sees every dead letter once, however many are being
   * written meanwhile.
   */
  public Page list(Filter filter, long from, int limit) {
    List<JsonNode> records = new ArrayList<>();
    long next = -1;
    long resumeAt;
    try (LogReader r = log.reader(LOG, 0, Math.max(0, from))) {
      scan:
      while (true) {
        List<LogEntry> batch = r.poll(1000, Duration.ZERO);
        if (batch.isEmpty()) {
          break;
        }
        for (LogEntry e : batch) {
          JsonNode rec = StoredRecords.parse(e.value());
          if (!isOpen(rec, filter)) {
            continue;
          }
          if (records.size() == limit) {
            next = e.offset();
            break scan;
          }
          records.add(rec);
        }
      }
      resumeAt = next >= 0 ? next : r.position();
    }
    return new Page(records, next, resumeAt);
  }

  private boolean isOpen(JsonNode rec, Filter filter) {
    if (!"dead-letter".equals(rec.path("kind").asText())) {
      return false;
    }
    String id = rec.path("id").asText();
    synchronized (this) {
      if (removed.contains(id)) {
        return false;
      }
    }
    return filter.test(
        new Entry(
            id,
            -1,
            rec.path("bus").asText(),
            rec.path("rule").asText(),
            rec.path("target").asText()));
  }

  private JsonNode read(long offset) {
    try (LogReader r = log.reader(LOG, 0, offset)) {
      List<LogEntry> one = r.poll(1, Duration.ZERO);
      return one.isEmpty() || one.get(0).offset() != offset
          ? null
          : StoredRecords.parse(one.get(0).value());
    }
  }

  public synchronized long count(Filter filter) {
    return open.values().stream().filter(filter::test).count();
  }

  /**
   * Queues every matching dead letter for its target again through {@code requeue} (attempts
   * reset); returns how many. {@link Routing#redrive} is the public way.
   */
  int redrive(Filter filter, Requeue requeue) {
    List<Entry> chosen = matching(filter::test);
    List<String> ids = new ArrayList<>();
    for (Entry e : chosen) {
      JsonNode rec = read(e.offset());
      if (rec == null || rec.path("invalid").asBoolean(false)) {
        continue; // not an event: nothing to deliver it to
      }
      Delivery d = StoredRecords.delivery(rec, -1);
      Delivery fresh =
          new Delivery(
              d.bus(),
              d.partition(),
              d.offset(),
              d.ingestionTimeMs(),
              d.json(),
              d.groupKey(),
              0,
              0,
              null,
              d.replayName(),
              -1);
      requeue.add(fresh, e.rule(), e.target(), clock.millis()).join();
      ids.add(e.id());
    }
    remove(ids, "redrive");
    return ids.size();
  }

  /** Forgets every matching dead letter; returns how many. */
  public int purge(Filter filter) {
    List<String> ids = matching(filter::test).stream().map(Entry::id).toList();
    remove(ids, "purge");
    return ids.size();
  }

  /** Matching open dead letters, oldest (lowest offset) first. */
  private synchronized List<Entry> matching(Predicate<Entry> p) {
    return open.values().stream()
        .filter(p)
        .sorted(java.util.Comparator.comparingLong(Entry::offset))
        .toList();
  }

  private void remove(List<String> ids, String reason) {
    for (int i = 0; i < ids.size(); i += 1000) {
      ObjectNode rec = Json.MAPPER.createObjectNode();
      rec.put("kind", "removed");
      rec.put("reason", reason);
      ArrayNode arr = rec.putArray("ids");
      ids.subList(i, Math.min(ids.size(), i + 1000)).forEach(arr::add);
      append(rec).join();
    }
  }

  /** Open dead letters per rule/target, for stats. */
  synchronized Map<String, Long> countsByTarget() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (Entry e : open.values()) {
      m.merge(e.bus() + "/" + e.rule() + "/" + e.target(), 1L, Long::sum);
    }
    return m;
  }
}

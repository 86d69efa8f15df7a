package io.sluice.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.EventIds;
import io.sluice.core.Json;
import io.sluice.log.AppendResult;
import io.sluice.log.LogEntry;
import io.sluice.log.LogReader;
import io.sluice.log.LogRecord;
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

  /** One page of dead letters (records as stored) and the offset to continue from, or -1. */
  public record Page(List<JsonNode> deadLetters, long next) {}

  private final Routing routing;
  private final LinkedHashMap<String, Entry> open = new LinkedHashMap<>();

  DeadLetters(Routing routing) {
    this.routing = routing;
  }

  void start() {
    routing.createInternalLog(LOG, Duration.ofDays(14));
    try (LogReader r = routing.log().reader(LOG, 0, 0)) {
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
      rec.path("ids").forEach(id -> open.remove(id.asText()));
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
    rec.put("id", EventIds.next(routing.clock()));
    rec.put("error", error);
    rec.put("deadLetteredAt", routing.clock().millis());
    return append(rec);
  }

  private CompletableFuture<Void> append(ObjectNode rec) {
    return routing
        .log()
        .append(LOG, List.of(LogRecord.of(StoredRecords.bytes(rec))))
        .thenAccept(
            results -> {
              AppendResult r = results.get(0);
              if (!r.isOk()) {
                throw r.error();
              }
              index(rec, r.offset());
            });
  }

  /** Open dead letters matching {@code filter} from offset {@code from}, oldest first. */
  public Page list(Filter filter, long from, int limit) {
    List<Entry> chosen = new ArrayList<>();
    long next = -1;
    synchronized (this) {
      for (Entry e : open.values()) {
        if (e.offset() < from || !filter.test(e)) {
          continue;
        }
        if (chosen.size() == limit) {
          next = e.offset();
          break;
        }
        chosen.add(e);
      }
    }
    List<JsonNode> records = new ArrayList<>(chosen.size());
    for (Entry e : chosen) {
      JsonNode rec = read(e.offset());
      if (rec != null) {
        records.add(rec);
      }
    }
    return new Page(records, next);
  }

  private JsonNode read(long offset) {
    try (LogReader r = routing.log().reader(LOG, 0, offset)) {
      List<LogEntry> one = r.poll(1, Duration.ZERO);
      return one.isEmpty() || one.get(0).offset() != offset
          ? null
          : StoredRecords.parse(one.get(0).value());
    }
  }

  public synchronized long count(Filter filter) {
    return open.values().stream().filter(filter::test).count();
  }

  /** Queues every matching dead letter for its target again (attempts reset); returns how many. */
  public int redrive(Filter filter) {
    List<Entry> chosen = matching(filter::test);
    List<String> ids = new ArrayList<>();
    for (Entry e : chosen) {
      JsonNode rec = read(e.offset());
      if (rec == null) {
        continue;
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
      routing.retries().add(fresh, e.rule(), e.target(), routing.clock().millis()).join();
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

  private synchronized List<Entry> matching(Predicate<Entry> p) {
    return open.values().stream().filter(p).toList();
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

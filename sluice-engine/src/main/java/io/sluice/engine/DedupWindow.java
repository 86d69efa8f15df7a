package io.sluice.engine;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.core.Json;
import io.sluice.log.AppendResult;
import io.sluice.log.EventLog;
import io.sluice.log.LogEntry;
import io.sluice.log.LogInfo;
import io.sluice.log.LogReader;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ids a bus with {@code deduplicate: D} stored within the last D (by append time), each with
 * where it was stored, so that {@link Buses} stores an event whose id it holds no second time and
 * answers it with the first one's partition and offset. Only the id is compared, never the content
 * (as SQS FIFO's deduplication id).
 *
 * <p><b>Claims.</b> Before an append, {@link #claim} marks every new id of the batch as in flight
 * and answers the others: an id held within the window with its place, an id in flight with the
 * outcome of the append that carries it (so two concurrent requests, or one request with the id
 * twice, store it once). After the append, {@link #settle} turns each claim into a held id if its
 * record was stored, and forgets it if not: a failed append (overloaded log, disk, closed) leaves
 * nothing marked, and the producer's retry stores the event. A duplicate of a failed claim gets the
 * same failure, so it is retried too.
 *
 * <p><b>Restart.</b> The map is in memory only. {@link #open} rebuilds it from the bus itself: per
 * partition, the records from {@link EventLog#offsetForTime}{@code (now - D)} to the end, merged in
 * append-time order, reading only each record's top-level {@code id}. So what survives a restart or
 * kill -9 is exactly what the log kept: with {@code fsync: interval} an acknowledged event the
 * power cut took is gone from the log and from the window alike, and its retry is stored. The
 * window is at most the bus's retention (the config refuses more), but {@code retentionBytes} may
 * remove events younger than D; their ids are held while the node runs and forgotten at the next
 * start. Opening reads the window's events once, at about the speed of {@code sluice tail}.
 *
 * <p><b>Memory and its bound.</b> Each held id costs about 160 bytes on a 64-bit JVM with
 * compressed references for a 36-character UUID (the id string 80, the map entry 40, its place 32,
 * the table slot ~8), one byte more per longer id character (ids are at most 256). A window holds
 * at most {@link #MAX_IDS} ids (about 80 MB of 36-character ids): past it the oldest ids are
 * forgotten first (newest kept; an in-flight claim forgotten this way is stored, and a duplicate of
 * it arriving meanwhile is stored too), each counted in {@code sluice.bus.dedup.evictions} and the
 * first logged, so a window that is too long for the bus's rate is visible and shrinks, rather than
 * the heap filling. Expired ids are dropped as appends pass; {@code sluice.bus.dedup.ids} is how
 * many are held.
 *
 * <p>Thread-safe: the map is guarded by this object's monitor, held only for map operations, never
 * while the log works; outcomes are completed outside it. {@link #settle} runs on the log's writer
 * thread and does not block.
 */
final class DedupWindow {

  private static final Logger LOG = LoggerFactory.getLogger(DedupWindow.class);

  /** Most ids one bus's window holds (see the class comment). */
  static final int MAX_IDS = 500_000;

  /** Records read per poll when the window is rebuilt. */
  private static final int SCAN_BATCH = 1000;

  /** Where an id was stored: its partition, offset and append time (epoch milliseconds). */
  record Held(int partition, long offset, long appendMs) {}

  /** An id whose append has not completed; {@code outcome} completes when it has. */
  private static final class InFlight {
    final CompletableFuture<AppendResult> outcome = new CompletableFuture<>();
  }

  /** What {@link #claim} decided for one event. */
  sealed interface Claim permits Fresh, Duplicate {}

  /** A new id: append the event, then {@link #settle} this claim with its result. */
  static final class Fresh implements Claim {
    private final String id;
    private final InFlight slot;

    private Fresh(String id, InFlight slot) {
      this.id = id;
      this.slot = slot;
    }
  }

  /** An id stored or in flight: not appended; {@code answer} is the stored one's result. */
  record Duplicate(CompletableFuture<AppendResult> answer) implements Claim {}

  private final String bus;
  private final long windowMs;
  private final int maxIds;
  private final Clock clock;
  private final Counter duplicates;
  private final Counter evictions;

  /** Held and in-flight ids, oldest claim first. Guarded by {@code this}. */
  private final LinkedHashMap<String, Object> ids = new LinkedHashMap<>();

  private boolean evictionLogged; // guarded by this

  DedupWindow(String bus, Duration window, int maxIds, Clock clock, MeterRegistry meters) {
    this.bus = bus;
    this.windowMs = window.toMillis();
    this.maxIds = maxIds;
    this.clock = clock;
    this.duplicates =
        Counter.builder("sluice.bus.duplicates")
            .description("Events not stored because the bus stored their id within its window")
            .tag("bus", bus)
            .register(meters);
    this.evictions =
        Counter.builder("sluice.bus.dedup.evictions")
            .description(
                "Ids forgotten before their window ended because the window held its most ids")
            .tag("bus", bus)
            .register(meters);
    Gauge.builder("sluice.bus.dedup.ids", this, DedupWindow::size)
        .description("Ids the bus's deduplication window holds")
        .tag("bus", bus)
        .register(meters);
  }

  /**
   * The window of {@code bus}, with the ids of the records the log appended to it within the last
   * {@code window}.
   */
  static DedupWindow open(
      EventLog log, String bus, Duration window, Clock clock, MeterRegistry meters) {
    DedupWindow w = new DedupWindow(bus, window, MAX_IDS, clock, meters);
    long started = System.nanoTime();
    long read = w.rebuild(log);
    LOG.info(
        "bus {}: deduplication window {} holds {} ids, from {} events read in {} ms",
        bus,
        io.sluice.core.config.Durations.format(window),
        w.size(),
        read,
        (System.nanoTime() - started) / 1_000_000);
    return w;
  }

  /** One partition's records in the window, read ahead by a batch. */
  private static final class PartitionScan implements AutoCloseable {
    final LogReader reader;
    final long end;
    final ArrayDeque<LogEntry> ahead = new ArrayDeque<>();

    PartitionScan(LogReader reader, long end) {
      this.reader = reader;
      this.end = end;
    }

    /** The next record, or null at the end (or where the log returns nothing more). */
    LogEntry peek() {
      while (ahead.isEmpty() && reader.position() < end) {
        long before = reader.position();
        List<LogEntry> got = reader.poll(SCAN_BATCH, Duration.ZERO);
        for (LogEntry e : got) {
          if (e.offset() < end) {
            ahead.add(e);
          }
        }
        if (got.isEmpty() && reader.position() == before) {
          break; // nothing more to read now (damage read around ends here)
        }
      }
      return ahead.peek();
    }

    @Override
    public void close() {
      reader.close();
    }
  }

  /** Reads the window's records of every partition, oldest append first; returns how many. */
  private long rebuild(EventLog log) {
    Instant from = Instant.ofEpochMilli(clock.millis() - windowMs);
    List<PartitionScan> scans = new ArrayList<>();
    long read = 0;
    try {
      for (LogInfo.PartitionInfo p : log.info(bus).partitions()) {
        long start = log.offsetForTime(bus, p.partition(), from);
        if (start < p.endOffset()) {
          scans.add(new PartitionScan(log.reader(bus, p.partition(), start), p.endOffset()));
        }
      }
      // merged by append time, so that past the bound the newest ids are the ones kept
      PriorityQueue<PartitionScan> next =
          new PriorityQueue<>(
              Comparator.comparingLong((PartitionScan s) -> s.peek().timestampMs())
                  .thenComparingInt(s -> s.peek().partition()));
      for (PartitionScan s : scans) {
        if (s.peek() != null) {
          next.add(s);
        }
      }
      while (!next.isEmpty()) {
        PartitionScan s = next.poll();
        LogEntry e = s.ahead.poll();
        read++;
        String id = idOf(e.value());
        if (id != null) {
          remember(id, e.partition(), e.offset(), e.timestampMs());
        }
        if (s.peek() != null) {
          next.add(s);
        }
      }
    } finally {
      scans.forEach(PartitionScan::close);
    }
    return read;
  }

  /**
   * The top-level {@code id} of a stored event, read without parsing the rest (ingest writes it
   * second); null for a record that is not an event or has none (the router dead-letters those).
   */
  static String idOf(byte[] json) {
    try (JsonParser p = Json.MAPPER.getFactory().createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("id")) {
          return value == JsonToken.VALUE_STRING ? p.getText() : null;
        }
        p.skipChildren();
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Holds {@code id} as stored at that place, unless it already holds it (the first one wins). */
  synchronized void remember(String id, int partition, long offset, long appendMs) {
    long now = clock.millis();
    if (now - appendMs >= windowMs) {
      return;
    }
    expire(now);
    if (held(id, now) == null && !(ids.get(id) instanceof InFlight)) {
      ids.remove(id);
      ids.put(id, new Held(partition, offset, appendMs));
      bound();
    }
  }

  /** Where {@code id} is held, or null when it is not (or its window ended, or it is in flight). */
  synchronized Held held(String id) {
    return held(id, clock.millis());
  }

  private Held held(String id, long now) {
    return ids.get(id) instanceof Held h && now - h.appendMs() < windowMs ? h : null;
  }

  synchronized int size() {
    return ids.size();
  }

  /**
   * One claim per id, in order, decided together: the first occurrence of an id neither held nor in
   * flight is {@link Fresh}, every other a {@link Duplicate}.
   */
  List<Claim> claim(List<String> batch) {
    List<Claim> out = new ArrayList<>(batch.size());
    synchronized (this) {
      long now = clock.millis();
      expire(now);
      for (String id : batch) {
        if (id == null) { // not an event Ingest made; nothing to compare
          out.add(new Fresh(null, new InFlight()));
          continue;
        }
        Object slot = ids.get(id);
        Held h = held(id, now);
        if (h != null) {
          out.add(
              new Duplicate(
                  CompletableFuture.completedFuture(
                      AppendResult.ok(h.partition(), h.offset(), h.appendMs()))));
        } else if (slot instanceof InFlight f) {
          out.add(new Duplicate(f.outcome));
        } else {
          InFlight f = new InFlight();
          ids.remove(id); // an expired one: the new claim goes to the young end
          ids.put(id, f);
          out.add(new Fresh(id, f));
        }
      }
      bound();
    }
    for (Claim c : out) {
      if (c instanceof Duplicate d) {
        d.answer().thenAccept(r -> countIfStored(r));
      }
    }
    return out;
  }

  private void countIfStored(AppendResult r) {
    if (r.isOk()) {
      duplicates.increment();
    }
  }

  /**
   * The result of a fresh claim's append: a stored record is held from now on, a failed one
   * forgotten. Then the duplicates waiting on it get the same result.
   */
  void settle(Claim claim, AppendResult result) {
    if (!(claim instanceof Fresh fresh)) {
      return;
    }
    synchronized (this) {
      if (ids.get(fresh.id) == fresh.slot) { // else evicted meanwhile
        if (result.isOk()) {
          ids.put(fresh.id, new Held(result.partition(), result.offset(), result.timestampMs()));
        } else {
          ids.remove(fresh.id);
        }
      }
    }
    fresh.slot.outcome.complete(result);
  }

  /** Drops held ids whose window ended, oldest first, up to the first one that has not. */
  private void expire(long now) {
    Iterator<Map.Entry<String, Object>> it = ids.entrySet().iterator();
    while (it.hasNext()) {
      if (!(it.next().getValue() instanceof Held h) || now - h.appendMs() < windowMs) {
        return;
      }
      it.remove();
    }
  }

  /** Forgets the oldest ids past {@link #maxIds}, counting each. */
  private void bound() {
    Iterator<Map.Entry<String, Object>> it = ids.entrySet().iterator();
    int over = ids.size() - maxIds;
    for (int i = 0; i < over && it.hasNext(); i++) {
      it.next();
      it.remove();
      evictions.increment();
    }
    if (over > 0 && !evictionLogged) {
      evictionLogged = true;
      LOG.warn(
          "bus {}: deduplication window holds its most ids ({}); the oldest are forgotten before"
              + " their window ends (counted in sluice_bus_dedup_evictions_total); a shorter"
              + " deduplicate suits this bus's rate",
          bus,
          maxIds);
    }
  }
}

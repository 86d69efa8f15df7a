package io.sluice.engine;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.core.Event;
import io.sluice.core.EventCodec;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.config.BusConfig;
import io.sluice.log.AppendResult;
import io.sluice.log.EmbeddedEventLog;
import io.sluice.log.EventLog;
import io.sluice.log.FsyncIntervalPolicy;
import io.sluice.log.FsyncPolicy;
import io.sluice.log.LogEntry;
import io.sluice.log.LogInfo;
import io.sluice.log.LogReader;
import io.sluice.log.LogRecord;
import io.sluice.log.LogSpec;
import io.sluice.log.Retention;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The configured buses over an {@link EventLog}: each bus is a log of the same name whose records
 * are stored events (EventBridge-envelope JSON), keyed by the event's group key so that events of
 * one group share a partition and keep their order. Events without a group key are spread evenly
 * over the partitions.
 *
 * <p><b>Deduplication.</b> A bus with {@code deduplicate: D} stores an event whose id it stored
 * within the last D no second time: its result is the stored event's (partition, offset, append
 * time), so every caller reports it as stored ({@link Ingest.Stored} with that place), and {@code
 * sluice.bus.duplicates} counts it. The check is here, in {@link #append} and {@link
 * #appendSerialized}, because this is the one place every event reaches a bus through: {@link
 * Ingest} (native and CloudEvents ingest, PutEvents, and as the {@code EventSink} of bus targets,
 * schedules, alarms, reports and object events) stores through {@link #appendSerialized}, and
 * {@link #append} is public too. Nothing else appends to a bus's log (retries and dead letters are
 * internal logs, replays and redrives deliver to targets). {@link DedupWindow} says how concurrent
 * and failed appends are handled, how the window is rebuilt at start and what it costs.
 *
 * <p>Thread-safe.
 */
public final class Buses {

  /** Most events one {@link #read} returns. */
  public static final int MAX_READ_LIMIT = 1000;

  private final EventLog log;
  private final EventCodec codec;
  private final Map<String, BusConfig> configs = new LinkedHashMap<>();
  private final Map<String, DedupWindow> windows = new HashMap<>();

  /**
   * Creates or opens every bus's log; a deduplicating bus reads its window's ids back first (see
   * {@link DedupWindow}).
   */
  Buses(EventLog log, EventCodec codec, List<BusConfig> buses, MeterRegistry meters, Clock clock) {
    this.log = log;
    this.codec = codec;
    for (BusConfig b : buses) {
      log.create(b.name(), spec(b));
      configs.put(b.name(), b);
      if (b.deduplicates()) {
        windows.put(b.name(), DedupWindow.open(log, b.name(), b.deduplicate(), clock, meters));
      }
      Gauge.builder("sluice.bus.size", log, l -> l.info(b.name()).sizeBytes())
          .description("Bytes stored for the bus on disk")
          .baseUnit("bytes")
          .tag("bus", b.name())
          .register(meters);
      Gauge.builder("sluice.bus.events", log, l -> l.info(b.name()).records())
          .description("Events retained in the bus")
          .tag("bus", b.name())
          .register(meters);
      if (log instanceof EmbeddedEventLog e) {
        FunctionCounter.builder("sluice.bus.fsyncs", e, x -> x.fsyncCount(b.name()))
            .description("fsync calls made for the bus (group commit shares them between appends)")
            .tag("bus", b.name())
            .register(meters);
      }
    }
  }

  static LogSpec spec(BusConfig b) {
    FsyncPolicy fsync =
        b.fsync().equals("interval")
            ? new FsyncIntervalPolicy(b.fsyncInterval())
            : FsyncPolicy.EVERY_BATCH;
    return new LogSpec(
        b.partitions(),
        new Retention(b.retention(), b.retentionBytes()),
        fsync,
        b.segmentBytes(),
        LogSpec.DEFAULT_SEGMENT_AGE);
  }

  public EventCodec codec() {
    return codec;
  }

  public EventLog log() {
    return log;
  }

  public boolean exists(String bus) {
    return configs.containsKey(bus);
  }

  public List<String> names() {
    return List.copyOf(configs.keySet());
  }

  public BusConfig config(String bus) {
    BusConfig c = configs.get(bus);
    if (c == null) {
      throw notFound(bus);
    }
    return c;
  }

  public LogInfo info(String bus) {
    config(bus);
    return log.info(bus);
  }

  public static InvalidInputException notFound(String bus) {
    return new InvalidInputException(
        InvalidInputException.NOT_FOUND,
        Problem.of("/bus", "no bus named " + Problem.render(bus), Problem.render(bus)));
  }

  /**
   * Appends validated events (ids and times assigned) to a bus. The future completes with one
   * result per event, in order, once those that succeeded are durable. On a deduplicating bus an
   * event whose id the bus holds is not appended; its result is the stored one's.
   */
  public CompletableFuture<List<AppendResult>> append(String bus, List<Event> events) {
    config(bus);
    List<byte[]> json = new ArrayList<>(events.size());
    for (Event e : events) {
      json.add(codec.toBytes(e));
    }
    return store(bus, events, json);
  }

  /**
   * Appends already serialized events (the bytes {@link EventCodec#toBytes} produced), as {@link
   * #append}.
   */
  public CompletableFuture<List<AppendResult>> appendSerialized(
      String bus, List<Event> events, List<byte[]> json) {
    config(bus);
    return store(bus, events, json);
  }

  private CompletableFuture<List<AppendResult>> store(
      String bus, List<Event> events, List<byte[]> json) {
    DedupWindow window = windows.get(bus);
    if (window == null) {
      List<LogRecord> records = new ArrayList<>(events.size());
      for (int i = 0; i < events.size(); i++) {
        records.add(record(events.get(i), json.get(i)));
      }
      return log.append(bus, records);
    }
    List<DedupWindow.Claim> claims = window.claim(events.stream().map(Event::id).toList());
    List<DedupWindow.Claim> fresh = new ArrayList<>();
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      if (claims.get(i) instanceof DedupWindow.Fresh) {
        fresh.add(claims.get(i));
        records.add(record(events.get(i), json.get(i)));
      }
    }
    CompletableFuture<List<AppendResult>> appended;
    try {
      appended =
          records.isEmpty()
              ? CompletableFuture.completedFuture(List.of())
              : log.append(bus, records);
    } catch (RuntimeException e) {
      settleAll(window, fresh, e);
      throw e;
    }
    CompletableFuture<List<AppendResult>> settled =
        appended.whenComplete(
            (results, err) -> {
              if (err != null) {
                settleAll(window, fresh, err);
              } else {
                for (int k = 0; k < fresh.size(); k++) {
                  window.settle(fresh.get(k), results.get(k));
                }
              }
            });
    List<CompletableFuture<AppendResult>> waits = new ArrayList<>();
    for (DedupWindow.Claim c : claims) {
      if (c instanceof DedupWindow.Duplicate d) {
        waits.add(d.answer());
      }
    }
    waits.add(settled.thenApply(r -> null));
    return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new))
        .thenCompose(v -> settled) // fails as the append failed
        .thenApply(
            results -> {
              List<AppendResult> out = new ArrayList<>(claims.size());
              int k = 0;
              for (DedupWindow.Claim c : claims) {
                out.add(
                    c instanceof DedupWindow.Duplicate d ? d.answer().join() : results.get(k++));
              }
              return out;
            });
  }

  /** A whole append failed: its claims are forgotten, their duplicates get the error. */
  private static void settleAll(
      DedupWindow window, List<DedupWindow.Claim> fresh, Throwable error) {
    Throwable cause =
        error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause()
            : error;
    RuntimeException e =
        cause instanceof RuntimeException re
            ? re
            : new io.sluice.core.TransientException(cause.toString(), cause);
    for (DedupWindow.Claim c : fresh) {
      window.settle(c, AppendResult.failed(-1, e));
    }
  }

  private static LogRecord record(Event e, byte[] json) {
    byte[] key = e.groupKey().map(k -> k.getBytes(StandardCharsets.UTF_8)).orElse(null);
    return new LogRecord(null, key, json);
  }

  /** Where each partition starts for {@code from}: an offset, "earliest", or an ISO time. */
  public BusCursor position(String bus, String from) {
    LogInfo info = info(bus);
    Map<Integer, Long> next = new HashMap<>();
    if (from == null || from.equals("earliest")) {
      info.partitions().forEach(p -> next.put(p.partition(), p.startOffset()));
    } else if (from.equals("latest")) {
      info.partitions().forEach(p -> next.put(p.partition(), p.endOffset()));
    } else if (from.matches("\\d{1,18}")) {
      long o = Long.parseLong(from);
      info.partitions().forEach(p -> next.put(p.partition(), o));
    } else {
      Instant t = EventCodec.parseTime(from);
      if (t == null) {
        throw new InvalidInputException(
            InvalidInputException.INVALID_ARGUMENT,
            Problem.of(
                "/from",
                "expected an offset, earliest, latest or an ISO-8601 time like 2026-11-23T10:00:00Z, got "
                    + Problem.render(from),
                Problem.render(from)));
      }
      info.partitions()
          .forEach(p -> next.put(p.partition(), log.offsetForTime(bus, p.partition(), t)));
    }
    return new BusCursor(next);
  }

  /**
   * Up to {@code limit} events from every partition, after {@code at}, ordered by ingestion time
   * (then partition, offset). Partitions a cursor does not mention start at their beginning.
   */
  public ReadPage read(String bus, BusCursor at, int limit) {
    LogInfo info = info(bus);
    if (limit < 1 || limit > MAX_READ_LIMIT) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of(
              "/limit",
              "expected 1.." + MAX_READ_LIMIT + ", got " + limit,
              Integer.toString(limit)));
    }
    for (Integer p : at.next().keySet()) {
      if (p >= info.partitions().size()) {
        throw new InvalidInputException(
            InvalidInputException.INVALID_ARGUMENT,
            Problem.of(
                "/cursor",
                "cursor names partition "
                    + p
                    + " but bus "
                    + bus
                    + " has "
                    + info.partitions().size()));
      }
    }
    List<StoredEvent> all = new ArrayList<>();
    List<io.sluice.log.CorruptRange> corrupt = new ArrayList<>();
    for (LogInfo.PartitionInfo p : info.partitions()) {
      long from = at.next().containsKey(p.partition()) ? at.next(p.partition()) : p.startOffset();
      if (from >= p.endOffset()) {
        continue;
      }
      try (LogReader r = log.reader(bus, p.partition(), from)) {
        for (LogEntry e : r.poll(limit, Duration.ZERO)) {
          all.add(new StoredEvent(bus, e.partition(), e.offset(), e.timestampMs(), e.value()));
        }
        corrupt.addAll(r.takeSkippedCorrupt());
      }
    }
    all.sort(
        Comparator.comparingLong(StoredEvent::ingestionTimeMs)
            .thenComparingInt(StoredEvent::partition)
            .thenComparingLong(StoredEvent::offset));
    List<StoredEvent> page = all.size() > limit ? all.subList(0, limit) : all;
    Map<Integer, Long> next = new HashMap<>();
    for (LogInfo.PartitionInfo p : info.partitions()) {
      next.put(
          p.partition(),
          at.next().containsKey(p.partition()) ? at.next(p.partition()) : p.startOffset());
    }
    for (StoredEvent e : page) {
      next.put(e.partition(), Math.max(next.get(e.partition()), e.offset() + 1));
    }
    // past damage the page reached: a reader asking again must not land on it forever
    List<io.sluice.log.CorruptRange> reached = new ArrayList<>();
    for (io.sluice.log.CorruptRange c : corrupt) {
      if (c.fromOffset() <= next.get(c.partition())) {
        next.put(c.partition(), Math.max(next.get(c.partition()), c.toOffset()));
        reached.add(c);
      }
    }
    return new ReadPage(List.copyOf(page), new BusCursor(next), List.copyOf(reached));
  }
}

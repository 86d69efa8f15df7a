package io.sluice.analyses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.core.Json;
import io.sluice.core.config.AnalysisConfig;
import io.sluice.core.kinds.EventSink;
import io.sluice.core.rules.RuleSet;
import io.sluice.engine.DeadLetters;
import io.sluice.engine.Health;
import io.sluice.engine.Supervised;
import io.sluice.log.AtomicFiles;
import io.sluice.log.EventLog;
import io.sluice.log.LogEntry;
import io.sluice.log.LogReader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one analysis on its own thread: reads every partition of its bus from the checkpointed
 * offsets, keeps the window state ({@link Windowing}) and each window's events in pane files under
 * the lake's directory, evaluates windows as the watermark passes them, puts the changed result
 * rows on the emit bus, and checkpoints state, pane lengths and offsets together once the results
 * are stored. After a crash it resumes from the checkpoint: pane files are cut back to the
 * checkpointed lengths and the events after the offsets are read again, so the same results are
 * emitted again with the same ids (which a bus with {@code deduplicate} drops).
 */
final class AnalysisRunner implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AnalysisRunner.class);

  static final int CHECKPOINT_VERSION = 1;
  static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

  private final AnalysisConfig config;
  private final EventLog log;
  private final EventSink sink;
  private final DeadLetters deadLetters;
  private final Clock clock;
  private final Health health;
  private final Path dir;
  private final int partitions;
  private final RuleSet pattern;
  private final EventFields fields;
  private final SqlEvaluator evaluator;
  private final String component;

  /**
   * A pattern that only lists exact strings of top-level fields ({@code {detail-type: [A, B]}}),
   * matched on the values the event scan reads anyway; null: event-ruler matches.
   */
  private final Map<String, java.util.Set<String>> simple;

  static Map<String, java.util.Set<String>> simplePattern(JsonNode p) {
    if (p == null || !p.isObject() || p.isEmpty()) {
      return null;
    }
    Map<String, java.util.Set<String>> out = new java.util.LinkedHashMap<>();
    for (var e : p.properties()) {
      if (!java.util.Set.of("source", "detail-type", "account", "region").contains(e.getKey())
          || !e.getValue().isArray()
          || e.getValue().isEmpty()) {
        return null;
      }
      java.util.Set<String> values = new java.util.HashSet<>();
      for (JsonNode v : e.getValue()) {
        if (!v.isTextual()) {
          return null;
        }
        values.add(v.asText());
      }
      out.put(e.getKey(), values);
    }
    return out;
  }

  private Windowing state;
  private long[] next;
  private final Map<Long, OutputStream> writers = new TreeMap<>();
  private long stateBytes;
  private volatile boolean stopped;
  private Thread thread;
  private long lastCheckpointMs;

  private final Counter eventsIn;
  private final Counter late;
  private final Counter refused;
  private final Counter results;
  private final io.micrometer.core.instrument.Timer emitLatency;
  private volatile long lateCount;
  private volatile long refusedCount;
  private volatile long resultCount;
  private volatile long inCount;
  private volatile Instant lastEmitted;
  private volatile String lastError;
  private volatile long globalWatermark = Windowing.NONE;

  AnalysisRunner(
      AnalysisConfig config,
      EventLog log,
      int partitions,
      EventSink sink,
      DeadLetters deadLetters,
      SqlEvaluator evaluator,
      Path dir,
      Clock clock,
      MeterRegistry meters,
      Health health) {
    this.config = config;
    this.log = log;
    this.partitions = partitions;
    this.sink = sink;
    this.deadLetters = deadLetters;
    this.evaluator = evaluator;
    this.dir = dir;
    this.clock = clock;
    this.health = health;
    this.component = "analysis " + config.name();
    this.simple = simplePattern(config.pattern());
    this.pattern =
        config.pattern() == null || simple != null
            ? null
            : RuleSet.compile(Map.of(config.name(), config.pattern()));
    String by = config.window() instanceof AnalysisConfig.Session s ? s.by() : null;
    List<String> paths = new ArrayList<>(List.of(config.eventTime(), "time"));
    paths.add(by);
    if (simple != null) {
      paths.addAll(simple.keySet());
    }
    this.fields = new EventFields(paths.toArray(String[]::new));
    String a = config.name();
    this.eventsIn = meters.counter("sluice.analysis.events", "analysis", a);
    this.late = meters.counter("sluice.analysis.late", "analysis", a);
    this.refused = meters.counter("sluice.analysis.refused", "analysis", a);
    this.results = meters.counter("sluice.analysis.results", "analysis", a);
    this.emitLatency =
        io.micrometer.core.instrument.Timer.builder("sluice.analysis.emit.latency")
            .description(
                "From the watermark passing windows' ends to their results being stored on the"
                    + " emit bus")
            .publishPercentiles(0.5, 0.99)
            .tag("analysis", a)
            .register(meters);
    Gauge.builder("sluice.analysis.watermark.lag", this, r -> r.watermarkLagSeconds())
        .description("Seconds between now and the analysis's watermark")
        .baseUnit("seconds")
        .tag("analysis", a)
        .register(meters);
    Gauge.builder("sluice.analysis.state", this, r -> r.stateBytes)
        .description("Bytes of window state on disk")
        .baseUnit("bytes")
        .tag("analysis", a)
        .register(meters);
  }

  double watermarkLagSeconds() {
    long w = globalWatermark;
    return w == Windowing.NONE ? 0 : Math.max(0, clock.millis() - w) / 1000.0;
  }

  String bus() {
    return config.bus();
  }

  Path checkpointFile() {
    return dir.resolve("checkpoint.json");
  }

  /** Loads the checkpoint (or starts empty) and cuts pane files back to it. */
  void open() throws IOException {
    Files.createDirectories(dir.resolve("panes"));
    state = new Windowing(config, partitions);
    next = new long[partitions];
    Map<Long, Long> lengths = new HashMap<>();
    Path f = checkpointFile();
    if (Files.exists(f)) {
      JsonNode c;
      try {
        c = Json.MAPPER.readTree(Files.readAllBytes(f));
      } catch (IOException e) {
        throw new IOException(
            f
                + " is not a readable analysis checkpoint ("
                + e.getMessage()
                + "); delete the"
                + " directory "
                + dir
                + " to start the analysis again from the bus's start",
            e);
      }
      int v = c.path("version").asInt(-1);
      if (v != CHECKPOINT_VERSION) {
        throw new IOException(
            f
                + " has checkpoint version "
                + v
                + ", this Sluice reads version "
                + CHECKPOINT_VERSION
                + "; delete "
                + dir
                + " to start the analysis again");
      }
      JsonNode offs = c.path("offsets");
      for (int p = 0; p < partitions && p < offs.size(); p++) {
        next[p] = offs.get(p).asLong();
      }
      state.load(c.path("state"));
      c.path("panes")
          .properties()
          .forEach(e -> lengths.put(Long.parseLong(e.getKey()), e.getValue().asLong()));
      List<String> cols = new ArrayList<>();
      c.path("columns").forEach(x -> cols.add(x.asText()));
      evaluator.columns(cols);
      inCount = c.path("counts").path("in").asLong();
      lateCount = c.path("counts").path("late").asLong();
      refusedCount = c.path("counts").path("refused").asLong();
      resultCount = c.path("counts").path("results").asLong();
    } else {
      // a new analysis starts at the bus's oldest retained event
      for (int p = 0; p < partitions; p++) {
        next[p] = log.info(config.bus()).partitions().get(p).startOffset();
      }
    }
    try (Stream<Path> panes = Files.list(dir.resolve("panes"))) {
      for (Path pane : panes.toList()) {
        String n = pane.getFileName().toString();
        Long id = n.endsWith(".ndjson") ? parse(n.substring(0, n.length() - 7)) : null;
        Long keep = id == null ? null : lengths.get(id);
        if (keep == null) {
          Files.delete(pane);
        } else if (Files.size(pane) > keep) {
          try (FileChannel ch = FileChannel.open(pane, StandardOpenOption.WRITE)) {
            ch.truncate(keep);
            ch.force(true);
          }
        }
      }
    }
    globalWatermark = state.processed();
    state.seenAll(clock.millis());
    stateBytes = paneBytes();
  }

  private static Long parse(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  void start() {
    thread =
        Thread.ofPlatform()
            .name("sluice-analysis-" + config.name())
            .daemon(true)
            .start(
                () ->
                    Supervised.run(
                        component,
                        health,
                        () -> stopped,
                        this::where,
                        () -> {
                          try {
                            loop();
                          } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                          }
                        }));
  }

  private String where() {
    StringBuilder b = new StringBuilder("at offsets");
    for (int p = 0; p < partitions; p++) {
      b.append(' ').append(p).append('=').append(next[p]);
    }
    return b.toString();
  }

  private void loop() throws IOException, InterruptedException {
    open();
    List<LogReader> readers = new ArrayList<>();
    try {
      for (int p = 0; p < partitions; p++) {
        readers.add(log.reader(config.bus(), p, next[p]));
      }
      boolean idle = false;
      while (!stopped) {
        int read = 0;
        List<java.util.concurrent.CompletableFuture<?>> refusals = new ArrayList<>();
        for (int p = 0; p < partitions && !stopped; p++) {
          List<LogEntry> batch =
              readers.get(p).poll(2000, idle ? Duration.ofMillis(50) : Duration.ZERO);
          for (LogEntry e : batch) {
            accept(e, refusals);
            next[p] = e.offset() + 1;
          }
          read += batch.size();
        }
        for (var f : refusals) {
          f.join();
        }
        idle = read == 0;
        step();
      }
      checkpoint(); // a clean stop resumes exactly where it stopped
    } finally {
      for (LogReader r : readers) {
        r.close();
      }
      closeWriters();
    }
  }

  private void accept(LogEntry e, List<java.util.concurrent.CompletableFuture<?>> refusals)
      throws IOException {
    if (pattern != null) {
      List<String> m;
      try {
        m = pattern.matches(e.value());
      } catch (IllegalArgumentException notJson) {
        return; // not an event: the router dead-letters it
      }
      if (m.isEmpty()) {
        return;
      }
    }
    String[] v;
    try {
      v = fields.read(e.value());
    } catch (IOException notJson) {
      return;
    }
    if (simple != null) {
      int i = 3;
      for (java.util.Set<String> allowed : simple.values()) {
        if (v[i] == null || !allowed.contains(v[i])) {
          return;
        }
        i++;
      }
    }
    inCount++;
    eventsIn.increment();
    Long t = EventFields.time(v[0]);
    if (t == null) {
      refusedCount++;
      refused.increment();
      refusals.add(
          refuse(
              refusalId("time", e),
              e,
              "eventTime",
              v[0] == null
                  ? "eventTime: the event has no " + config.eventTime()
                  : "eventTime: expected "
                      + config.eventTime()
                      + " to be RFC 3339 with an offset or epoch milliseconds, got "
                      + io.sluice.core.Problem.render(v[0])));
      return;
    }
    Long envelopeTime = EventFields.time(v[1]);
    String series =
        config.window() instanceof AnalysisConfig.Session ? (v[2] == null ? "" : v[2]) : null;
    Windowing.Offer o = state.offer(e.partition(), t, series, clock.millis());
    if (o.tooLate()) {
      lateCount++;
      late.increment();
      if (config.lateBus() != null) {
        refusals.add(sink.put(config.lateBus(), List.of(Json.MAPPER.readTree(e.value()))));
      } else {
        refusals.add(refuse(refusalId("late", e), e, "late", o.lateBy()));
      }
      return;
    }
    OutputStream w = writers.get(o.pane());
    if (w == null) {
      w =
          new BufferedOutputStream(
              Files.newOutputStream(
                  evaluator.paneFile(o.pane()),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE,
                  StandardOpenOption.APPEND),
              1 << 16);
      writers.put(o.pane(), w);
    }
    line.setLength(0);
    line.append("{\"t\":").append(o.trigger()).append(",\"et\":").append(t).append(",\"tm\":");
    if (envelopeTime == null) {
      line.append("null");
    } else {
      line.append(envelopeTime.longValue());
    }
    line.append(",\"it\":")
        .append(e.timestampMs())
        .append(",\"p\":")
        .append(e.partition())
        .append(",\"o\":")
        .append(e.offset())
        .append(",\"k\":");
    if (series == null) {
      line.append("null");
    } else {
      line.append(Json.MAPPER.writeValueAsString(series));
    }
    line.append(",\"e\":");
    int len = line.length();
    if (head.length < len) {
      head = new byte[Math.max(len, head.length * 2)];
    }
    for (int i = 0; i < len; i++) {
      head[i] = (byte) line.charAt(i); // ASCII, except a series, which is JSON-escaped below
    }
    if (series != null && !isAscii(series)) {
      byte[] h = line.toString().getBytes(StandardCharsets.UTF_8);
      w.write(h);
      len = h.length;
    } else {
      w.write(head, 0, len);
    }
    w.write(e.value());
    w.write('}');
    w.write('\n');
    stateBytes += len + e.value().length + 2;
    if (stateBytes > config.stateBytes()) {
      lastError = "window state over limits.stateBytes";
      throw new IllegalStateException(
          "the window state holds "
              + stateBytes
              + " bytes, more than analyses."
              + config.name()
              + ".limits.stateBytes ("
              + config.stateBytes()
              + "); raise it, or shorten the window or allowedLateness");
    }
  }

  /** A dead letter; offline ({@link #runOffline}) a line of the output instead. */
  private java.util.concurrent.CompletableFuture<?> refuse(
      String id, LogEntry e, String target, String error) throws IOException {
    if (deadLetters == null) {
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.put(target.equals("late") ? "late" : "refused", error);
      n.set("event", Json.MAPPER.readTree(e.value()));
      offline.add(n);
      return java.util.concurrent.CompletableFuture.completedFuture(null);
    }
    return deadLetters.addRefused(id, config.bus(), e, "analysis:" + config.name(), target, error);
  }

  private List<ObjectNode> offline = new ArrayList<>();

  /**
   * Runs over {@code entries} (of {@link #partitions} partitions, read in the order given) without
   * a log or checkpoints, moving the watermark after every {@code stepEvery} entries, then closes
   * every window as the end of input does in a batch query; results go to the sink, refusals to
   * {@code out}.
   */
  void runOffline(List<LogEntry> entries, List<ObjectNode> out, int stepEvery) throws Exception {
    offline = out;
    state = new Windowing(config, partitions);
    next = new long[partitions];
    state.seenAll(clock.millis());
    List<java.util.concurrent.CompletableFuture<?>> refusals = new ArrayList<>();
    try {
      int n = 0;
      for (LogEntry e : entries) {
        accept(e, refusals);
        if (++n % stepEvery == 0) {
          long g = state.globalWatermark(clock.millis());
          if (g != Windowing.NONE && g > state.processed()) {
            flushWriters(false);
            emit(state.advance(g, evaluator));
          }
        }
      }
      flushWriters(false);
      emit(state.advance(Long.MAX_VALUE / 4, evaluator));
    } finally {
      closeWriters();
    }
  }

  private final StringBuilder line = new StringBuilder(128);
  private byte[] head = new byte[128];

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private String refusalId(String why, LogEntry e) {
    return "analysis-" + config.name() + "-" + why + "-" + e.partition() + "-" + e.offset();
  }

  /** Moves the watermark, emits what changed, checkpoints. */
  private void step() throws IOException, InterruptedException {
    long g = state.globalWatermark(clock.millis());
    globalWatermark = Math.max(globalWatermark, g);
    boolean moved = g != Windowing.NONE && g > state.processed();
    List<Windowing.Emission> out = List.of();
    if (moved) {
      long t0 = System.nanoTime();
      flushWriters(false);
      try {
        out = state.advance(g, evaluator);
      } catch (Exception e) {
        lastError = e.getMessage();
        throw e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
      }
      emit(out);
      if (!out.isEmpty()) {
        emitLatency.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
      }
    }
    if (!out.isEmpty() || clock.millis() - lastCheckpointMs >= CHECKPOINT_INTERVAL.toMillis()) {
      checkpoint();
      health.ok(component);
      lastError = null;
    }
  }

  private void emit(List<Windowing.Emission> out) throws InterruptedException {
    if (out.isEmpty()) {
      return;
    }
    List<JsonNode> events = new ArrayList<>(out.size());
    for (Windowing.Emission e : out) {
      events.add(event(e));
    }
    long backoff = 100;
    List<JsonNode> todo = events;
    while (!todo.isEmpty()) {
      List<EventSink.Result> rs = sink.put(config.emitBus(), todo).join();
      List<JsonNode> again = new ArrayList<>();
      for (int i = 0; i < rs.size(); i++) {
        EventSink.Result r = rs.get(i);
        if (r.stored()) {
          continue;
        }
        if (!r.retryable()) {
          throw new IllegalStateException(
              "the emit bus " + config.emitBus() + " refused a result: " + r.error());
        }
        again.add(todo.get(i));
      }
      if (!again.isEmpty()) {
        if (stopped) {
          throw new IllegalStateException("stopped before the results were stored");
        }
        Thread.sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
      }
      todo = again;
    }
    resultCount += out.size();
    results.increment(out.size());
    lastEmitted = clock.instant();
  }

  /** A result as an event; its id is the same every time the same result is emitted. */
  ObjectNode event(Windowing.Emission e) {
    ObjectNode ev = Json.MAPPER.createObjectNode();
    ev.put("id", resultId(config.name(), e.series(), e.start(), e.end(), e.key(), e.revision()));
    ev.put("source", config.emitSource());
    ev.put("detail-type", config.emitDetailType());
    ev.put("time", Instant.ofEpochMilli(e.end()).toString());
    ev.putArray("resources").add("sluice:analyses:::" + config.name());
    ObjectNode d = ev.putObject("detail");
    d.setAll(e.row());
    d.put("analysis", config.name());
    d.put("windowStart", Instant.ofEpochMilli(e.start()).toString());
    d.put("windowEnd", Instant.ofEpochMilli(e.end()).toString());
    d.put("revision", e.revision());
    if (e.series() != null && !e.series().isEmpty()) {
      d.put("series", e.series());
    }
    if (e.retracted()) {
      d.put("retracted", true);
    }
    return ev;
  }

  static String resultId(
      String analysis, String series, long start, long end, String key, int rev) {
    String s =
        analysis
            + "\u0000"
            + (series == null ? "" : series)
            + "\u0000"
            + start
            + "\u0000"
            + end
            + "\u0000"
            + key
            + "\u0000"
            + rev;
    return UUID.nameUUIDFromBytes(s.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private void flushWriters(boolean fsync) throws IOException {
    for (Map.Entry<Long, OutputStream> w : writers.entrySet()) {
      w.getValue().flush();
      if (fsync) {
        AtomicFiles.fsyncFile(evaluator.paneFile(w.getKey()));
      }
    }
  }

  private void closeWriters() {
    for (OutputStream w : writers.values()) {
      try {
        w.close();
      } catch (IOException ignored) {
        // the checkpoint decides what counts
      }
    }
    writers.clear();
  }

  private void checkpoint() throws IOException {
    flushWriters(true);
    ObjectNode c = Json.MAPPER.createObjectNode();
    c.put("version", CHECKPOINT_VERSION);
    c.put("analysis", config.name());
    c.put("bus", config.bus());
    ArrayNode offs = c.putArray("offsets");
    for (long o : next) {
      offs.add(o);
    }
    ObjectNode panes = c.putObject("panes");
    try (Stream<Path> files = Files.list(dir.resolve("panes"))) {
      for (Path pane : files.toList()) {
        String n = pane.getFileName().toString();
        if (n.endsWith(".ndjson")) {
          panes.put(n.substring(0, n.length() - 7), Files.size(pane));
        }
      }
    }
    ArrayNode cols = c.putArray("columns");
    evaluator.columns().forEach(cols::add);
    c.putObject("counts")
        .put("in", inCount)
        .put("late", lateCount)
        .put("refused", refusedCount)
        .put("results", resultCount);
    c.set("state", state.save());
    AtomicFiles.write(checkpointFile(), Json.MAPPER.writeValueAsBytes(c));
    lastCheckpointMs = clock.millis();
    dropOldPanes();
  }

  /** Pane files no live window needs any more (only after a checkpoint that no longer has them). */
  private void dropOldPanes() throws IOException {
    long oldest = state.oldestLiveStart();
    List<Long> gone = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir.resolve("panes"))) {
      for (Path pane : files.toList()) {
        String n = pane.getFileName().toString();
        Long id = n.endsWith(".ndjson") ? parse(n.substring(0, n.length() - 7)) : null;
        if (id != null && state.paneEnd(id) <= oldest) {
          gone.add(id);
        }
      }
    }
    for (Long id : gone) {
      OutputStream w = writers.remove(id);
      if (w != null) {
        w.close();
      }
      Files.deleteIfExists(evaluator.paneFile(id));
    }
    stateBytes = paneBytes();
  }

  private long paneBytes() throws IOException {
    long total = 0;
    try (Stream<Path> files = Files.list(dir.resolve("panes"))) {
      for (Path pane : files.toList()) {
        total += Files.size(pane);
      }
    }
    return total;
  }

  /** What {@code GET /analyses} shows. */
  ObjectNode status(Map<Integer, Long> endOffsets) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("name", config.name());
    n.put("bus", config.bus());
    n.put("window", windowText(config.window()));
    n.put("emit", config.emitBus());
    long g = globalWatermark;
    n.put("watermark", g == Windowing.NONE ? null : Instant.ofEpochMilli(g).toString());
    Windowing s = state;
    if (s != null) {
      n.put("openWindows", s.openWindows());
      n.put("windowsInState", s.liveWindowCount());
    }
    long lag = 0;
    long[] at = next;
    for (Map.Entry<Integer, Long> e : endOffsets.entrySet()) {
      if (at != null && e.getKey() < at.length) {
        lag += Math.max(0, e.getValue() - at[e.getKey()]);
      }
    }
    n.put("lag", lag);
    n.put("eventsIn", inCount);
    n.put("late", lateCount);
    n.put("refused", refusedCount);
    n.put("results", resultCount);
    n.put("lastEmitted", lastEmitted == null ? null : lastEmitted.toString());
    n.put("stateBytes", stateBytes);
    n.put("error", lastError);
    return n;
  }

  static String windowText(AnalysisConfig.Window w) {
    return switch (w) {
      case AnalysisConfig.Tumbling t ->
          "tumbling " + io.sluice.core.config.Durations.format(t.size());
      case AnalysisConfig.Hopping h ->
          "hopping "
              + io.sluice.core.config.Durations.format(h.size())
              + " every "
              + io.sluice.core.config.Durations.format(h.advance());
      case AnalysisConfig.Session s ->
          "session "
              + io.sluice.core.config.Durations.format(s.gap())
              + (s.by() == null ? "" : " by " + s.by());
    };
  }

  @Override
  public void close() {
    stopped = true;
    Thread t = thread;
    if (t != null) {
      try {
        t.join(Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (t.isAlive()) {
        LOG.warn("analysis {} did not stop within 30 s", config.name());
      }
    }
  }
}

package io.sluice.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.EventCodec;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.log.AtomicFiles;
import io.sluice.log.EventLog;
import io.sluice.log.LogEntry;
import io.sluice.log.LogReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Archive and replay: the bus itself is the archive (retained events). A replay re-delivers the
 * events of a bus ingested in [from, to) that match one rule (or all of the bus's rules) to its
 * targets (or one of them), through the normal delivery path with retries and dead letters.
 * Replayed deliveries are marked: the event carries {@code "replay-name"} at the top level (as
 * EventBridge does) and HTTP requests a {@code Sluice-Replay-Name} header.
 *
 * <p>A replay's definition and its progress are kept together in {@code
 * <data>/replays/<name>.json}, replaced atomically every commit interval: per partition the offset
 * to resume from (nothing below it is owed) and how many deliveries are wholly done below those
 * offsets. A replay running at a restart resumes there with its counters set to that count, so
 * {@code matched} and {@code settled} end as in a run that was never interrupted. What was
 * delivered above the checkpoint is delivered again (at least once); a lake table skips it by the
 * replay's own high-water mark, so a replay into the lake is exactly once.
 */
public final class Replays {

  private static final Logger LOG = LoggerFactory.getLogger(Replays.class);
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** The format of a replay's file: 1 (without it, files of earlier versions are read as 1). */
  static final int FORMAT = 1;

  /**
   * Deliveries a replay keeps tracked at most (owed, or settled above an owed one). Above a lake
   * writer's flush threshold (40,000 rows), so a replay into a lake table flushes by size rather
   * than waiting out the table's buffer interval.
   */
  static final int WINDOW = 50_000;

  /** What to replay. {@code rule} and {@code target} may be {@code null} for all. */
  public record Spec(
      String name, String bus, Instant from, Instant to, String rule, String target) {}

  /** A replay's progress. */
  public record Status(
      Spec spec,
      String state,
      long matched,
      long settled,
      Instant startedAt,
      Instant finishedAt,
      String error) {}

  /** Where a replay is; its name in files and the API is the lower-case word. */
  public enum State {
    RUNNING,
    COMPLETED,
    FAILED;

    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * @throws io.sluice.core.CorruptDataException for a word that is no state (a damaged file)
     */
    static State of(String word, Path file) {
      for (State s : values()) {
        if (s.word().equals(word)) {
          return s;
        }
      }
      throw new io.sluice.core.CorruptDataException(
          file.toString(),
          0,
          "the state of replay "
              + file.getFileName()
              + " is damaged (state "
              + io.sluice.core.Problem.render(word)
              + " is none of running, completed, failed); remove the file to forget that replay");
    }
  }

  private final class Replay {
    final Spec spec;
    final long[] startOffsets;
    final long[] endOffsets;
    final ReplayProgress[] progress;
    final Semaphore window = new Semaphore(WINDOW);
    final AtomicLong matched = new AtomicLong();
    final AtomicLong settled = new AtomicLong();
    final Instant startedAt;
    volatile State state = State.RUNNING;
    volatile Instant finishedAt;
    volatile String error;
    volatile boolean scanDone;
    Thread thread;

    /**
     * @param start where each partition's scan begins
     * @param doneBelow per partition, deliveries already done below {@code start} (a resume)
     */
    Replay(Spec spec, long[] start, long[] end, long[] doneBelow, Instant startedAt) {
      this.spec = spec;
      this.startOffsets = start;
      this.endOffsets = end;
      this.startedAt = startedAt;
      this.progress = new ReplayProgress[start.length];
      long done = 0;
      for (int p = 0; p < start.length; p++) {
        progress[p] = new ReplayProgress(start[p], doneBelow[p]);
        done += doneBelow[p];
      }
      matched.set(done);
      settled.set(done);
    }

    Status status() {
      return new Status(
          spec, state.word(), matched.get(), settled.get(), startedAt, finishedAt, error);
    }
  }

  private final EventLog log;
  private final Buses buses;
  private final Clock clock;
  private final RouteTable table;
  private final Path dir;
  private final Map<String, Replay> replays = new ConcurrentHashMap<>();

  /**
   * @param table the current rules and targets, which a replay matches and delivers to
   * @param dir where each replay's state file lives
   */
  Replays(EventLog log, Buses buses, Clock clock, RouteTable table, Path dir) {
    this.log = log;
    this.buses = buses;
    this.clock = clock;
    this.table = table;
    this.dir = dir;
  }

  /** Loads known replays and resumes the running ones. */
  void start() {
    try {
      Files.createDirectories(dir);
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
        for (Path f : ds) {
          JsonNode n =
              io.sluice.core.StateFile.read(
                  f,
                  "the state of replay " + f.getFileName(),
                  FORMAT,
                  "remove the file to forget that replay (start it again to redo it)");
          Spec spec =
              new Spec(
                  n.path("name").asText(),
                  n.path("bus").asText(),
                  Instant.parse(n.path("from").asText()),
                  Instant.parse(n.path("to").asText()),
                  n.hasNonNull("rule") ? n.get("rule").asText() : null,
                  n.hasNonNull("target") ? n.get("target").asText() : null);
          if (!buses.exists(spec.bus())) {
            continue;
          }
          long[] start = longs(n.path("startOffsets"));
          long[] end = longs(n.path("endOffsets"));
          long[] doneBelow = new long[start.length];
          if (n.has("positions")) {
            start = longs(n.path("positions"));
            doneBelow = longs(n.path("doneBelow"));
          } else {
            // written by an earlier version: progress in the bus cursor replay:<name>
            Map<Integer, Long> cursor = log.cursor(spec.bus(), cursorName(spec.name()));
            for (int p = 0; p < start.length; p++) {
              start[p] = Math.max(start[p], cursor.getOrDefault(p, start[p]));
            }
          }
          State state = State.of(n.path("state").asText("running"), f);
          Replay r =
              new Replay(spec, start, end, doneBelow, Instant.parse(n.path("startedAt").asText()));
          r.state = state;
          if (!n.has("positions") || state != State.RUNNING) {
            r.matched.set(n.path("matched").asLong());
            r.settled.set(n.path("settled").asLong());
          }
          if (n.hasNonNull("finishedAt")) {
            r.finishedAt = Instant.parse(n.get("finishedAt").asText());
          }
          replays.put(spec.name(), r);
          if (r.state == State.RUNNING) {
            LOG.info("resuming replay {} on bus {}", spec.name(), spec.bus());
            launch(r);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read replays in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static long[] longs(JsonNode arr) {
    long[] out = new long[arr.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = arr.get(i).asLong();
    }
    return out;
  }

  static String cursorName(String replay) {
    return "replay:" + replay;
  }

  /** Starts a replay; every problem with the request is reported at once. */
  public Status start(Spec requested) {
    List<Problem> problems = new ArrayList<>();
    String name =
        requested.name() == null
            ? "replay-" + io.sluice.core.EventIds.next(clock).substring(0, 13).replace("-", "")
            : requested.name();
    if (!NAME.matcher(name).matches()) {
      problems.add(
          Problem.of(
              "/name",
              "expected 1-64 characters A-Z a-z 0-9 . _ -, got " + Problem.render(name),
              Problem.render(name)));
    } else if (replays.containsKey(name)) {
      problems.add(
          Problem.of(
              "/name",
              "a replay named " + Problem.render(name) + " already exists",
              Problem.render(name)));
    }
    if (requested.bus() == null || !buses.exists(requested.bus())) {
      problems.add(
          Problem.of(
              "/bus",
              "no bus named " + Problem.render(requested.bus()),
              Problem.render(requested.bus())));
    }
    if (requested.from() == null) {
      problems.add(Problem.of("/from", "is required: an ISO-8601 time like 2026-11-23T10:00:00Z"));
    }
    if (requested.to() == null) {
      problems.add(Problem.of("/to", "is required: an ISO-8601 time like 2026-11-23T11:00:00Z"));
    }
    if (requested.from() != null
        && requested.to() != null
        && !requested.from().isBefore(requested.to())) {
      problems.add(
          Problem.of(
              "/to",
              "must be after from ("
                  + EventCodec.formatTime(requested.from())
                  + "), got "
                  + EventCodec.formatTime(requested.to())));
    }
    if (problems.isEmpty() && requested.rule() != null) {
      var rule = table.rule(requested.bus(), requested.rule());
      if (rule == null) {
        problems.add(
            Problem.of(
                "/rule",
                "no enabled rule named "
                    + Problem.render(requested.rule())
                    + " on bus "
                    + requested.bus(),
                Problem.render(requested.rule())));
      } else if (requested.target() != null
          && rule.targets().stream().noneMatch(t -> t.id().equals(requested.target()))) {
        problems.add(
            Problem.of(
                "/target",
                "rule " + requested.rule() + " has no target " + Problem.render(requested.target()),
                Problem.render(requested.target())));
      }
    } else if (problems.isEmpty() && requested.target() != null) {
      problems.add(Problem.of("/target", "needs a rule: targets are named within their rule"));
    }
    if (!problems.isEmpty()) {
      throw InvalidInputException.of(InvalidInputException.INVALID_ARGUMENT, problems);
    }
    Spec spec =
        new Spec(
            name,
            requested.bus(),
            requested.from(),
            requested.to(),
            requested.rule(),
            requested.target());
    int n = log.info(spec.bus()).partitions().size();
    long[] start = new long[n];
    long[] end = new long[n];
    for (int p = 0; p < n; p++) {
      start[p] = log.offsetForTime(spec.bus(), p, spec.from());
      end[p] = log.offsetForTime(spec.bus(), p, spec.to());
    }
    Replay r = new Replay(spec, start, end, new long[n], clock.instant());
    replays.put(name, r);
    persist(r);
    launch(r);
    LOG.info(
        "replay {} started: bus {}, {} to {}, rule {}, target {}",
        name,
        spec.bus(),
        spec.from(),
        spec.to(),
        spec.rule() == null ? "all" : spec.rule(),
        spec.target() == null ? "all" : spec.target());
    return r.status();
  }

  private void launch(Replay r) {
    r.thread = Thread.ofVirtual().name("sluice-replay-" + r.spec.name()).start(() -> run(r));
  }

  private void run(Replay r) {
    Spec s = r.spec;
    try {
      for (int p = 0; p < r.startOffsets.length; p++) {
        try (LogReader reader = log.reader(s.bus(), p, r.startOffsets[p])) {
          while (reader.position() < r.endOffsets[p]) {
            List<LogEntry> batch = reader.poll(500, Duration.ofMillis(200));
            for (LogEntry e : batch) {
              if (e.offset() >= r.endOffsets[p]) {
                break;
              }
              deliver(r, p, e);
            }
            if (!batch.isEmpty()) {
              r.window.release(
                  r.progress[p].scanned(
                      Math.min(batch.get(batch.size() - 1).offset() + 1, r.endOffsets[p])));
            } else if (reader.position() < r.endOffsets[p]
                && log.info(s.bus()).partitions().get(p).startOffset() >= r.endOffsets[p]) {
              break; // retention removed the rest of the range
            }
          }
          r.window.release(r.progress[p].scanned(r.endOffsets[p]));
        }
      }
      r.scanDone = true;
      maybeFinish(r);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      r.state = State.FAILED;
      r.error = e.toString();
      r.finishedAt = clock.instant();
      persist(r);
      LOG.error("replay {} failed", s.name(), e);
    }
  }

  private void deliver(Replay r, int p, LogEntry e) throws InterruptedException {
    Spec s = r.spec;
    BusRouter.Routes routes = table.routes(s.bus());
    EventMatcher.Match m = EventMatcher.match(routes.rules(), e.value());
    for (String rule : m.rules()) {
      if (s.rule() != null && !s.rule().equals(rule)) {
        continue;
      }
      for (TargetRunner t : routes.byRule().getOrDefault(rule, List.of())) {
        if (s.target() != null && !s.target().equals(t.id)) {
          continue;
        }
        r.window.acquire();
        r.matched.incrementAndGet();
        r.progress[p].add(e.offset());
        t.submitReplay(Delivery.fresh(s.bus(), e, m.event(), s.name()));
      }
    }
  }

  /** A replayed delivery is settled. */
  void done(Delivery d) {
    Replay r = replays.get(d.replayName());
    if (r == null) {
      return;
    }
    r.settled.incrementAndGet();
    r.window.release(r.progress[d.partition()].done(d.offset()));
    maybeFinish(r);
  }

  private void maybeFinish(Replay r) {
    if (!r.scanDone || r.state != State.RUNNING) {
      return;
    }
    for (ReplayProgress t : r.progress) {
      if (!t.isSettled()) {
        return;
      }
    }
    synchronized (r) {
      if (r.state != State.RUNNING) {
        return;
      }
      r.state = State.COMPLETED;
      r.finishedAt = clock.instant();
    }
    persist(r);
    log.deleteCursor(r.spec.bus(), cursorName(r.spec.name()));
    LOG.info(
        "replay {} completed: {} matched, {} settled (delivered, skipped or dead-lettered)",
        r.spec.name(),
        r.matched.get(),
        r.settled.get());
  }

  /** Commits the progress of running replays. */
  void commit() {
    for (Replay r : replays.values()) {
      if (r.state == State.RUNNING) {
        persist(r);
      }
    }
  }

  private synchronized void persist(Replay r) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    Spec s = r.spec;
    n.put("format", FORMAT);
    n.put("name", s.name());
    n.put("bus", s.bus());
    n.put("from", EventCodec.formatTime(s.from()));
    n.put("to", EventCodec.formatTime(s.to()));
    n.put("rule", s.rule());
    n.put("target", s.target());
    var so = n.putArray("startOffsets");
    for (long v : r.startOffsets) {
      so.add(v);
    }
    var eo = n.putArray("endOffsets");
    for (long v : r.endOffsets) {
      eo.add(v);
    }
    State state = r.state;
    n.put("state", state.word());
    n.put("matched", r.matched.get());
    n.put("settled", r.settled.get());
    if (state == State.RUNNING) {
      var pos = n.putArray("positions");
      var done = n.putArray("doneBelow");
      for (ReplayProgress p : r.progress) {
        long[] c = p.checkpoint();
        pos.add(c[0]);
        done.add(c[1]);
      }
    }
    n.put("startedAt", EventCodec.formatTime(r.startedAt));
    n.put("finishedAt", r.finishedAt == null ? null : EventCodec.formatTime(r.finishedAt));
    n.put("error", r.error);
    try {
      AtomicFiles.write(
          dir.resolve(s.name() + ".json"),
          Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
    } catch (IOException e) {
      LOG.warn("could not save replay {}: {}", s.name(), e.toString());
    }
  }

  public Status get(String name) {
    Replay r = replays.get(name);
    if (r == null) {
      throw new InvalidInputException(
          InvalidInputException.NOT_FOUND,
          Problem.of("/name", "no replay named " + Problem.render(name), Problem.render(name)));
    }
    return r.status();
  }

  public List<Status> list() {
    return replays.values().stream()
        .map(Replay::status)
        .sorted((a, b) -> a.startedAt().compareTo(b.startedAt()))
        .toList();
  }

  void stop() {
    for (Replay r : replays.values()) {
      if (r.thread != null) {
        r.thread.interrupt();
      }
    }
    commit();
  }
}

package io.sluice.analyses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.config.AnalysisConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The event-time logic of one analysis, without files or SQL: which windows an event belongs to,
 * whether it is too late, when each window is evaluated, and which result rows changed.
 *
 * <p><b>Determinism.</b> What is emitted depends only on each partition's events in offset order,
 * never on how the partitions' reading interleaves, so a run resumed from a checkpoint emits
 * exactly what an uninterrupted run would (same ids, same rows). Each event gets a
 * <em>trigger</em>: one millisecond past its partition's watermark when it arrived (the watermark
 * is the partition's largest event time minus {@code maxOutOfOrder}). The node's watermark is the
 * smallest of the partitions'; when it reaches a tick, every event that will ever have a trigger at
 * or before that tick has arrived, so evaluating "the window's events with trigger ≤ tick" gives
 * the same answer however the partitions were read. A window is first evaluated at the tick of its
 * end (its events that were on time in their partition); an event late for it (its partition's
 * watermark had passed the end) revises it at the event's trigger; an event whose every window
 * ended more than {@code allowedLateness} before its partition's watermark is too late and goes to
 * the late output. A window's state is dropped at {@code end + allowedLateness}; its last rows stay
 * as {@code previous} for later windows. An idle partition (no event for {@code idleAfter}) is left
 * out of the node's watermark; that trades this determinism for progress while it is idle.
 *
 * <p>Session windows are kept per series ({@code by}): an event's own window is {@code [t, t+gap)},
 * overlapping windows merge when the event is applied (at its trigger), and a session whose events
 * change after it was emitted is retracted and emitted again as the merged session.
 *
 * <p>Not thread-safe: one analysis thread.
 */
final class Windowing {

  static final long NONE = Long.MIN_VALUE;

  /** One window in state. */
  static final class Win {
    final String series;
    final long start;
    long end;
    boolean emitted;

    /** Events on time for it (trigger at or before its end): it is first evaluated at its end. */
    long onTime;

    /** Triggers of late events not yet evaluated. */
    final TreeSet<Long> pending = new TreeSet<>();

    /** Rows by key as last emitted (retracted ones kept with their revision). */
    final Map<String, Row> rows = new LinkedHashMap<>();

    Win(String series, long start, long end) {
      this.series = series;
      this.start = start;
      this.end = end;
    }

    String id() {
      return series == null ? Long.toString(start) : series + "\u0000" + start;
    }
  }

  /** A row as emitted: its revision, content, and whether it was retracted. */
  record Row(int revision, ObjectNode row, boolean retracted) {}

  /** One window to evaluate at a tick: its events are those with trigger ≤ tick in its range. */
  record Evaluation(Win window, long tick) {}

  /** A result to emit. */
  record Emission(
      String series,
      long start,
      long end,
      String key,
      int revision,
      ObjectNode row,
      boolean retracted) {}

  /** What became of an offered event. */
  record Offer(long trigger, long pane, String lateBy) {
    boolean tooLate() {
      return lateBy != null;
    }
  }

  private final AnalysisConfig config;
  private final long size;
  private final long advance;
  private final boolean session;
  private final long ooo;
  private final long lateness;

  private final long[] maxTs;
  private final long[] lastSeenMs;
  private long processed = NONE;

  /** Windows by id (tumbling/hopping: by start). */
  private final Map<String, Win> windows = new HashMap<>();

  /** Sessions of each series by start. */
  private final Map<String, TreeMap<Long, Win>> sessions = new HashMap<>();

  /** Session events not yet applied: (trigger, time, series). */
  private final TreeMap<Long, List<long[]>> pendingSessionEvents = new TreeMap<>();

  private final Map<Long, String> seriesIds = new HashMap<>();
  private final Map<String, Long> seriesNumbers = new HashMap<>();

  /** The last rows of dropped windows, by key: the start of {@code previous}. */
  private final Map<String, ObjectNode> settled = new LinkedHashMap<>();

  Windowing(AnalysisConfig config, int partitions) {
    this.config = config;
    switch (config.window()) {
      case AnalysisConfig.Tumbling t -> {
        size = t.size().toMillis();
        advance = size;
        session = false;
      }
      case AnalysisConfig.Hopping h -> {
        size = h.size().toMillis();
        advance = h.advance().toMillis();
        session = false;
      }
      case AnalysisConfig.Session s -> {
        size = s.gap().toMillis();
        advance = size;
        session = true;
      }
    }
    this.ooo = config.maxOutOfOrder().toMillis();
    this.lateness = config.allowedLateness().toMillis();
    this.maxTs = new long[partitions];
    this.lastSeenMs = new long[partitions];
    java.util.Arrays.fill(maxTs, NONE);
  }

  int partitions() {
    return maxTs.length;
  }

  long processed() {
    return processed;
  }

  long watermark(int partition) {
    return maxTs[partition] == NONE ? NONE : maxTs[partition] - ooo;
  }

  /**
   * The node's watermark: the smallest partition watermark, leaving out partitions idle for {@code
   * idleAfter} at {@code nowMs} (all idle: the largest).
   */
  long globalWatermark(long nowMs) {
    long idleMs = config.idleAfter() == null ? -1 : config.idleAfter().toMillis();
    long min = Long.MAX_VALUE;
    long max = NONE;
    boolean any = false;
    for (int p = 0; p < maxTs.length; p++) {
      long w = watermark(p);
      max = Math.max(max, w);
      if (idleMs >= 0 && nowMs - lastSeenMs[p] >= idleMs) {
        continue;
      }
      any = true;
      min = Math.min(min, w);
    }
    return any ? min : max;
  }

  /** Marks every partition as seen now (at start, so that idleness counts from there). */
  void seenAll(long nowMs) {
    java.util.Arrays.fill(lastSeenMs, nowMs);
  }

  long paneOf(long t) {
    return Math.floorDiv(t, advance);
  }

  long paneStart(long pane) {
    return pane * advance;
  }

  long paneEnd(long pane) {
    return pane * advance + advance;
  }

  /** Accepts or refuses one event of {@code partition} with event time {@code t}. */
  Offer offer(int partition, long t, String series, long nowMs) {
    lastSeenMs[partition] = nowMs;
    long wm = watermark(partition);
    long eff = Math.max(wm, processed);
    long trigger = eff == NONE ? NONE : eff + 1;
    maxTs[partition] = Math.max(maxTs[partition], t);
    if (session) {
      if (eff != NONE && t + lateness <= eff) {
        return new Offer(trigger, 0, lateBy(eff - (t + lateness), t, eff));
      }
      pendingSessionEvents
          .computeIfAbsent(trigger, k -> new ArrayList<>())
          .add(new long[] {t, seriesNumber(series)});
      return new Offer(trigger, paneOf(t), null);
    }
    long lastStart = Math.floorDiv(t, advance) * advance;
    boolean accepted = false;
    long newestEnd = NONE;
    for (long s = lastStart; s > t - size; s -= advance) {
      long end = s + size;
      newestEnd = Math.max(newestEnd, end);
      if (eff != NONE && end + lateness <= eff) {
        continue; // this window is gone
      }
      accepted = true;
      final long ws = s;
      Win w = windows.computeIfAbsent(Long.toString(ws), k -> new Win(null, ws, end));
      if (trigger != NONE && trigger > end) {
        w.pending.add(trigger);
      } else {
        w.onTime++;
      }
    }
    if (!accepted) {
      return new Offer(trigger, 0, lateBy(eff - (newestEnd + lateness), t, eff));
    }
    return new Offer(trigger, paneOf(t), null);
  }

  private String lateBy(long byMs, long t, long wm) {
    return "late by "
        + io.sluice.core.config.Durations.format(java.time.Duration.ofMillis(Math.max(1, byMs)))
        + ": event time "
        + java.time.Instant.ofEpochMilli(t)
        + ", watermark "
        + java.time.Instant.ofEpochMilli(wm)
        + ", allowed lateness "
        + io.sluice.core.config.Durations.format(config.allowedLateness());
  }

  private long seriesNumber(String series) {
    String s = series == null ? "" : series;
    Long n = seriesNumbers.get(s);
    if (n == null) {
      n = (long) seriesNumbers.size();
      seriesNumbers.put(s, n);
      seriesIds.put(n, s);
    }
    return n;
  }

  /**
   * Moves time to {@code watermark}: every tick up to it is processed in order; {@code evaluator}
   * answers each evaluation with the window's rows (null when the analysis has no rows for it), and
   * the changed rows come back as emissions, in a deterministic order.
   */
  List<Emission> advance(long watermark, Evaluator evaluator) throws Exception {
    List<Emission> out = new ArrayList<>();
    if (watermark == NONE) {
      return out;
    }
    while (true) {
      long tick = nextTick();
      if (tick == Long.MAX_VALUE || tick > watermark) {
        break;
      }
      processTick(tick, evaluator, out);
      processed = Math.max(processed, tick);
    }
    if (processed < watermark) {
      processed = watermark;
    }
    return out;
  }

  /** The first tick with work: a window end, a late trigger, a drop, a session event. */
  private long nextTick() {
    long next = Long.MAX_VALUE;
    if (!pendingSessionEvents.isEmpty()) {
      next = Math.min(next, pendingSessionEvents.firstKey());
    }
    for (Win w : liveWindows()) {
      if (!w.emitted && (w.series != null || w.onTime > 0)) {
        next = Math.min(next, w.end);
      }
      if (!w.pending.isEmpty()) {
        next = Math.min(next, w.pending.first());
      }
      next = Math.min(next, w.end + lateness);
    }
    // a trigger of NONE (before any watermark) is applied at the first tick
    if (next == NONE && processed != NONE) {
      next = processed;
    }
    return next;
  }

  List<Win> liveWindows() {
    List<Win> all = new ArrayList<>(windows.values());
    for (TreeMap<Long, Win> m : sessions.values()) {
      all.addAll(m.values());
    }
    return all;
  }

  private static final Comparator<Win> ORDER =
      Comparator.<Win>comparingLong(w -> w.end)
          .thenComparingLong(w -> w.start)
          .thenComparing(w -> w.series == null ? "" : w.series);

  private void processTick(long tick, Evaluator evaluator, List<Emission> out) throws Exception {
    TreeSet<Win> due = new TreeSet<>(ORDER);
    List<Win> retracted = new ArrayList<>();
    if (session) {
      applySessionEvents(tick, due, retracted);
    }
    for (Win w : liveWindows()) {
      if (!w.emitted && w.end <= tick && (w.series != null || w.onTime > 0)) {
        due.add(w);
      }
      if (!w.pending.isEmpty() && w.pending.first() <= tick) {
        w.pending.headSet(tick, true).clear();
        due.add(w);
      }
    }
    boolean cascade = evaluator.usesPrevious();
    for (Win w : retracted) {
      retract(w, out);
      if (cascade) {
        for (Win later : liveWindows()) {
          if (later.emitted && ORDER.compare(later, w) > 0) {
            due.add(later);
          }
        }
      }
    }
    while (!due.isEmpty()) {
      Win w = due.pollFirst();
      boolean changed = evaluate(w, tick, evaluator, out);
      w.emitted = true;
      if (changed && cascade) {
        for (Win later : liveWindows()) {
          if (later.emitted && ORDER.compare(later, w) > 0) {
            due.add(later);
          }
        }
      }
    }
    // drop windows past their lateness, oldest first, keeping their rows as previous
    List<Win> done = new ArrayList<>();
    for (Win w : liveWindows()) {
      if (w.emitted && w.pending.isEmpty() && w.end + lateness <= tick) {
        done.add(w);
      }
    }
    done.sort(ORDER);
    for (Win w : done) {
      for (Map.Entry<String, Row> r : w.rows.entrySet()) {
        if (r.getValue().retracted()) {
          continue;
        }
        settled.remove(r.getKey());
        settled.put(r.getKey(), r.getValue().row());
      }
      if (w.series == null) {
        windows.remove(w.id());
      } else {
        TreeMap<Long, Win> m = sessions.get(w.series);
        m.remove(w.start);
        if (m.isEmpty()) {
          sessions.remove(w.series);
        }
      }
    }
  }

  private void applySessionEvents(long tick, TreeSet<Win> due, List<Win> retracted) {
    List<long[]> events = new ArrayList<>();
    while (!pendingSessionEvents.isEmpty() && pendingSessionEvents.firstKey() <= tick) {
      events.addAll(pendingSessionEvents.pollFirstEntry().getValue());
    }
    events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
    for (long[] e : events) {
      long t = e[0];
      String series = seriesIds.get(e[1]);
      TreeMap<Long, Win> m = sessions.computeIfAbsent(series, k -> new TreeMap<>());
      long start = t;
      long end = t + size;
      List<Win> merged = new ArrayList<>();
      // sessions overlapping [t, t+gap): start < t+gap and end > t
      for (Win w : new ArrayList<>(m.headMap(t + size, false).values())) {
        if (w.end > t) {
          merged.add(w);
        }
      }
      for (Win w : merged) {
        start = Math.min(start, w.start);
        end = Math.max(end, w.end);
      }
      if (merged.size() == 1 && merged.get(0).start == start && merged.get(0).end == end) {
        // inside one session without moving its bounds: the same window, revised (its rows keep
        // their revisions, so a changed row is emitted with revision + 1, not as a new window)
        Win same = merged.get(0);
        if (same.emitted) {
          due.add(same);
        }
        continue;
      }
      for (Win w : merged) {
        m.remove(w.start);
        if (w.emitted) {
          retracted.add(w);
        }
        due.remove(w);
      }
      // the merged session is emitted when the watermark passes its end (at once if it has)
      m.put(start, new Win(series, start, end));
    }
  }

  private void retract(Win w, List<Emission> out) {
    for (Map.Entry<String, Row> r : w.rows.entrySet()) {
      Row row = r.getValue();
      if (!row.retracted()) {
        out.add(
            new Emission(
                w.series, w.start, w.end, r.getKey(), row.revision() + 1, row.row(), true));
      }
    }
  }

  /** Evaluates one window; true when any row changed. */
  private boolean evaluate(Win w, long tick, Evaluator evaluator, List<Emission> out)
      throws Exception {
    List<ObjectNode> rows = evaluator.evaluate(w, tick, this);
    // sorted by key: DuckDB's row order is not stable, the emission order must be
    Map<String, ObjectNode> byKey = new TreeMap<>();
    for (ObjectNode r : rows) {
      String key = evaluator.key(r);
      if (byKey.put(key, r) != null) {
        throw new IllegalStateException(
            "the SQL returned two rows with key "
                + key
                + " for the window "
                + java.time.Instant.ofEpochMilli(w.start)
                + " – "
                + java.time.Instant.ofEpochMilli(w.end)
                + "; the key columns must name one row per window");
      }
    }
    boolean changed = false;
    for (Map.Entry<String, ObjectNode> e : byKey.entrySet()) {
      Row before = w.rows.get(e.getKey());
      if (before != null && !before.retracted() && before.row().equals(e.getValue())) {
        continue;
      }
      int revision = before == null ? 1 : before.revision() + 1;
      w.rows.put(e.getKey(), new Row(revision, e.getValue(), false));
      out.add(new Emission(w.series, w.start, w.end, e.getKey(), revision, e.getValue(), false));
      changed = true;
    }
    for (Map.Entry<String, Row> e : w.rows.entrySet()) {
      Row before = e.getValue();
      if (!before.retracted() && !byKey.containsKey(e.getKey())) {
        e.setValue(new Row(before.revision() + 1, before.row(), true));
        out.add(
            new Emission(
                w.series, w.start, w.end, e.getKey(), before.revision() + 1, before.row(), true));
        changed = true;
      }
    }
    return changed;
  }

  /**
   * {@code previous} for a window: per key, the last row of the latest earlier window (by end) that
   * has one; dropped windows' rows first.
   */
  List<ObjectNode> previous(Win w) {
    Map<String, ObjectNode> prev = new LinkedHashMap<>(settled);
    List<Win> earlier = new ArrayList<>();
    for (Win x : liveWindows()) {
      if (x != w && x.emitted && ORDER.compare(x, w) < 0) {
        earlier.add(x);
      }
    }
    earlier.sort(ORDER);
    for (Win x : earlier) {
      for (Map.Entry<String, Row> r : x.rows.entrySet()) {
        if (!r.getValue().retracted()) {
          prev.remove(r.getKey());
          prev.put(r.getKey(), r.getValue().row());
        }
      }
    }
    return new ArrayList<>(prev.values());
  }

  /** The oldest start of a live window, or {@code Long.MAX_VALUE}: panes ending by it can go. */
  long oldestLiveStart() {
    long min = Long.MAX_VALUE;
    for (Win w : liveWindows()) {
      min = Math.min(min, w.start);
    }
    for (List<long[]> es : pendingSessionEvents.values()) {
      for (long[] e : es) {
        min = Math.min(min, e[0]);
      }
    }
    return min;
  }

  int openWindows() {
    int n = 0;
    for (Win w : liveWindows()) {
      if (!w.emitted) {
        n++;
      }
    }
    return n;
  }

  int liveWindowCount() {
    return liveWindows().size();
  }

  /** The interface to SQL: rows of one evaluation, and a row's key. */
  interface Evaluator {
    List<ObjectNode> evaluate(Win w, long tick, Windowing state) throws Exception;

    String key(ObjectNode row);

    boolean usesPrevious();
  }

  // --- checkpoint ------------------------------------------------------------------------

  ObjectNode save() {
    ObjectNode n = Json.MAPPER.createObjectNode();
    ArrayNode ts = n.putArray("maxTs");
    for (long t : maxTs) {
      ts.add(t);
    }
    n.put("processed", processed);
    ArrayNode ws = n.putArray("windows");
    List<Win> all = liveWindows();
    all.sort(ORDER);
    for (Win w : all) {
      ObjectNode o = ws.addObject();
      if (w.series != null) {
        o.put("series", w.series);
      }
      o.put("start", w.start).put("end", w.end).put("emitted", w.emitted).put("onTime", w.onTime);
      ArrayNode p = o.putArray("pending");
      w.pending.forEach(p::add);
      ArrayNode rows = o.putArray("rows");
      w.rows.forEach(
          (k, r) ->
              rows.addObject()
                  .put("key", k)
                  .put("revision", r.revision())
                  .put("retracted", r.retracted())
                  .set("row", r.row()));
    }
    ArrayNode se = n.putArray("sessionEvents");
    pendingSessionEvents.forEach(
        (trig, list) -> {
          for (long[] e : list) {
            se.addArray().add(trig).add(e[0]).add(seriesIds.get(e[1]));
          }
        });
    ArrayNode st = n.putArray("settled");
    settled.forEach((k, r) -> st.addObject().put("key", k).set("row", r));
    return n;
  }

  void load(JsonNode n) {
    JsonNode ts = n.path("maxTs");
    for (int p = 0; p < maxTs.length && p < ts.size(); p++) {
      maxTs[p] = ts.get(p).asLong();
    }
    processed = n.path("processed").asLong(NONE);
    for (JsonNode o : n.path("windows")) {
      String series = o.hasNonNull("series") ? o.get("series").asText() : null;
      Win w = new Win(series, o.path("start").asLong(), o.path("end").asLong());
      w.emitted = o.path("emitted").asBoolean();
      w.onTime = o.path("onTime").asLong();
      o.path("pending").forEach(p -> w.pending.add(p.asLong()));
      for (JsonNode r : o.path("rows")) {
        w.rows.put(
            r.path("key").asText(),
            new Row(
                r.path("revision").asInt(),
                (ObjectNode) r.path("row"),
                r.path("retracted").asBoolean()));
      }
      if (series == null) {
        windows.put(w.id(), w);
      } else {
        seriesNumber(series);
        sessions.computeIfAbsent(series, k -> new TreeMap<>()).put(w.start, w);
      }
    }
    for (JsonNode e : n.path("sessionEvents")) {
      pendingSessionEvents
          .computeIfAbsent(e.get(0).asLong(), k -> new ArrayList<>())
          .add(new long[] {e.get(1).asLong(), seriesNumber(e.get(2).asText())});
    }
    for (JsonNode r : n.path("settled")) {
      settled.put(r.path("key").asText(), (ObjectNode) r.path("row"));
    }
  }
}

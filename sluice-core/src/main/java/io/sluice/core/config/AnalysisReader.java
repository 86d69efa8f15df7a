package io.sluice.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.config.AnalysisConfig.Hopping;
import io.sluice.core.config.AnalysisConfig.Reference;
import io.sluice.core.config.AnalysisConfig.Session;
import io.sluice.core.config.AnalysisConfig.Tumbling;
import io.sluice.core.config.AnalysisConfig.Window;
import io.sluice.core.kinds.ReadContext;
import io.sluice.core.rules.PatternValidator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the {@code analyses} section; every problem is recorded with its path and value. The SQL
 * itself is checked when the node starts the analysis (DuckDB compiles it over the window's
 * columns), and by {@code sluice analyses test}.
 */
final class AnalysisReader {

  /** Names are used in files, ids and metrics. */
  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");

  /** A dotted path of JSON field names, such as {@code detail.passedAt}. */
  static final Pattern PATH =
      Pattern.compile("[A-Za-z_$][A-Za-z0-9_$-]*(\\.[A-Za-z_$][A-Za-z0-9_$-]*)*");

  /** SQL identifiers usable unquoted for reference tables and key columns. */
  static final Pattern IDENT = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  /** DuckDB types a detail field may be declared as. */
  static final Set<String> TYPES =
      Set.of(
          "VARCHAR",
          "BIGINT",
          "INTEGER",
          "DOUBLE",
          "BOOLEAN",
          "TIMESTAMPTZ",
          "DATE",
          "JSON",
          "DECIMAL(18,3)");

  static final Set<String> RESERVED_TABLES = Set.of("events", "previous");

  static final List<String> KEYS =
      List.of(
          "name",
          "description",
          "bus",
          "pattern",
          "eventTime",
          "window",
          "watermark",
          "allowedLateness",
          "reference",
          "key",
          "fields",
          "sql",
          "emit",
          "late",
          "limits");

  private final Set<String> busNames;

  AnalysisReader(Set<String> busNames) {
    this.busNames = busNames;
  }

  List<AnalysisConfig> readAll(ConfigNode list) {
    List<AnalysisConfig> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (ConfigNode n : list.list(false, "a list of analyses")) {
      AnalysisConfig a = read(n);
      if (a == null) {
        continue;
      }
      String before = seen.putIfAbsent(a.name(), n.path());
      if (before != null) {
        n.field("name")
            .problem(
                "duplicate analysis name "
                    + Problem.render(a.name())
                    + " (first at "
                    + before
                    + ")");
        continue;
      }
      out.add(a);
    }
    return out;
  }

  private AnalysisConfig read(ConfigNode n) {
    if (!n.isObject(true, "an analysis mapping with name, bus, window, sql and emit")) {
      return null;
    }
    n.allowOnly(KEYS.toArray(String[]::new));
    int before = n.problems().size();
    String name = n.field("name").requiredString("an analysis name (a-z, 0-9 and -, up to 63)");
    if (name != null && !NAME.matcher(name).matches()) {
      n.field("name")
          .problem(
              "expected 1-63 of a-z 0-9 - starting with a letter, got " + Problem.render(name));
    }
    String description = n.field("description").string("");
    ConfigNode b = n.field("bus");
    String bus = b.requiredString("the bus whose events feed the analysis");
    if (bus != null) {
      ReadContext.checkBus(busNames, b, bus);
    }
    ConfigNode p = n.field("pattern");
    JsonNode pattern = null;
    if (!p.isMissing()) {
      pattern = p.raw();
      n.problems().addAll(PatternValidator.check(pattern, p.path()));
    }
    String eventTime = path(n.field("eventTime"), "time");
    Window window = window(n.field("window"));
    ConfigNode wm = n.field("watermark");
    Duration maxOutOfOrder = Duration.ZERO;
    Duration idleAfter = null;
    if (wm.isObject(false, "a mapping with maxOutOfOrder and idleAfter")) {
      wm.allowOnly("maxOutOfOrder", "idleAfter");
      maxOutOfOrder =
          range(
              wm.field("maxOutOfOrder"),
              Duration.ZERO,
              Duration.ZERO,
              AnalysisConfig.MAX_OUT_OF_ORDER);
      idleAfter = range(wm.field("idleAfter"), null, Duration.ofSeconds(1), Duration.ofDays(1));
    }
    Duration lateness =
        range(
            n.field("allowedLateness"), Duration.ZERO, Duration.ZERO, AnalysisConfig.MAX_LATENESS);
    Map<String, Reference> reference = reference(n.field("reference"));
    List<String> key = new ArrayList<>();
    ConfigNode k = n.field("key");
    if (!k.isMissing()) {
      if (k.raw().isTextual()) {
        key.add(ident(k, k.raw().asText(), "a result column"));
      } else {
        for (ConfigNode c : k.list(false, "a list of result column names, such as [station]")) {
          if (c.raw().isTextual()) {
            key.add(ident(c, c.raw().asText(), "a result column"));
          } else {
            c.problem("expected a result column name, got " + Json.describe(c.raw()));
          }
        }
      }
    }
    Map<String, String> fields = new LinkedHashMap<>();
    ConfigNode f = n.field("fields");
    if (f.isObject(false, "a mapping of detail field names to types, such as {amount: DOUBLE}")) {
      for (var e : f.raw().properties()) {
        ConfigNode v = f.field(e.getKey());
        String type =
            e.getValue().isTextual()
                ? e.getValue().asText().toUpperCase(java.util.Locale.ROOT)
                : null;
        if (type == null || !TYPES.contains(type)) {
          v.problem(
              "expected one of "
                  + String.join(", ", new java.util.TreeSet<>(TYPES))
                  + ", got "
                  + Json.describe(e.getValue()));
        } else {
          fields.put(e.getKey(), type);
        }
      }
    }
    ConfigNode s = n.field("sql");
    String sql = s.requiredString("a DuckDB SELECT over the window's events (table events)");
    if (sql != null && sql.isBlank()) {
      s.problem("expected a SELECT over events, got an empty string");
    }
    if (sql != null && sql.length() > 100_000) {
      s.problem("is " + sql.length() + " characters, more than the limit of 100000");
    }
    ConfigNode em = n.field("emit");
    String emitBus = null;
    String emitSource = AnalysisConfig.DEFAULT_SOURCE;
    String emitType = AnalysisConfig.DEFAULT_DETAIL_TYPE;
    if (em.isObject(true, "a mapping with the bus that gets the results, such as {bus: alerts}")) {
      em.allowOnly("bus", "source", "detail-type");
      ConfigNode eb = em.field("bus");
      emitBus = eb.requiredString("the bus that gets one event per result row");
      if (emitBus != null) {
        ReadContext.checkBus(busNames, eb, emitBus);
      }
      emitSource = em.field("source").string(AnalysisConfig.DEFAULT_SOURCE);
      emitType = em.field("detail-type").string(AnalysisConfig.DEFAULT_DETAIL_TYPE);
    }
    String lateBus = null;
    ConfigNode late = n.field("late");
    if (late.isObject(false, "a mapping with the bus for events too late, such as {bus: late}")) {
      late.allowOnly("bus");
      ConfigNode lb = late.field("bus");
      lateBus = lb.requiredString("the bus that gets events too late for every window");
      if (lateBus != null) {
        ReadContext.checkBus(busNames, lb, lateBus);
      }
    }
    long stateBytes = AnalysisConfig.DEFAULT_STATE_BYTES;
    ConfigNode lim = n.field("limits");
    if (lim.isObject(false, "a mapping with stateBytes")) {
      lim.allowOnly("stateBytes");
      stateBytes =
          lim.field("stateBytes").bytes(AnalysisConfig.DEFAULT_STATE_BYTES, 1L << 20, 1L << 40);
    }
    if (n.problems().size() > before) {
      return null;
    }
    return new AnalysisConfig(
        name,
        description,
        bus,
        pattern,
        eventTime,
        window,
        maxOutOfOrder,
        idleAfter,
        lateness,
        reference,
        key,
        fields,
        sql,
        emitBus,
        emitSource,
        emitType,
        lateBus,
        stateBytes);
  }

  private static String ident(ConfigNode n, String s, String what) {
    if (!IDENT.matcher(s).matches()) {
      n.problem(
          "expected "
              + what
              + ": lower-case a-z, 0-9 and _ starting with a letter or _, got "
              + Problem.render(s));
    }
    return s;
  }

  private static String path(ConfigNode n, String def) {
    if (n.isMissing()) {
      return def;
    }
    String s = n.requiredString("a dotted path into the event, such as detail.passedAt");
    if (s != null && !PATH.matcher(s).matches()) {
      n.problem(
          "expected a dotted path of field names into the event, such as detail.passedAt, got "
              + Problem.render(s));
      return null;
    }
    return s;
  }

  private static Duration range(ConfigNode n, Duration def, Duration min, Duration max) {
    Duration d = n.duration(def);
    if (d != null && !n.isMissing() && (d.compareTo(min) < 0 || d.compareTo(max) > 0)) {
      n.problem(
          "expected a duration from "
              + Durations.format(min)
              + " to "
              + Durations.format(max)
              + ", got "
              + Durations.format(d));
      return def;
    }
    return d;
  }

  private static Window window(ConfigNode w) {
    String expected =
        "a window: {tumbling: 1m}, {hopping: 5m, advance: 1m} or {session: 10m, by: detail.user}";
    if (!w.isObject(true, expected)) {
      return null;
    }
    w.allowOnly("tumbling", "hopping", "advance", "session", "by");
    int kinds =
        (w.raw().has("tumbling") ? 1 : 0)
            + (w.raw().has("hopping") ? 1 : 0)
            + (w.raw().has("session") ? 1 : 0);
    if (kinds != 1) {
      w.problem("expected exactly one of tumbling, hopping, session: " + expected);
      return null;
    }
    if (w.raw().has("tumbling")) {
      if (w.raw().has("advance") || w.raw().has("by")) {
        w.problem("advance belongs to hopping windows and by to session windows, not tumbling");
      }
      Duration size =
          range(w.field("tumbling"), null, AnalysisConfig.MIN_WINDOW, AnalysisConfig.MAX_WINDOW);
      return size == null ? null : new Tumbling(size);
    }
    if (w.raw().has("hopping")) {
      Duration size =
          range(w.field("hopping"), null, AnalysisConfig.MIN_WINDOW, AnalysisConfig.MAX_WINDOW);
      ConfigNode a = w.field("advance");
      if (a.isMissing()) {
        a.problem("is required for a hopping window: how often a window starts, such as 1m");
        return null;
      }
      Duration advance = range(a, null, AnalysisConfig.MIN_WINDOW, AnalysisConfig.MAX_WINDOW);
      if (size == null || advance == null) {
        return null;
      }
      if (advance.compareTo(size) > 0) {
        a.problem(
            "expected at most the window size ("
                + Durations.format(size)
                + "), got "
                + Durations.format(advance));
        return null;
      }
      if (size.toMillis() % advance.toMillis() != 0) {
        a.problem(
            "expected a divisor of the window size ("
                + Durations.format(size)
                + ") so that each event is in size/advance windows, got "
                + Durations.format(advance));
        return null;
      }
      if (size.toMillis() / advance.toMillis() > AnalysisConfig.MAX_WINDOWS_PER_EVENT) {
        a.problem(
            "puts each event in "
                + size.toMillis() / advance.toMillis()
                + " windows, more than the limit of "
                + AnalysisConfig.MAX_WINDOWS_PER_EVENT
                + "; use a larger advance");
        return null;
      }
      return new Hopping(size, advance);
    }
    Duration gap = range(w.field("session"), null, AnalysisConfig.MIN_WINDOW, Duration.ofDays(1));
    String by = path(w.field("by"), null);
    return gap == null ? null : new Session(gap, by);
  }

  private static Map<String, Reference> reference(ConfigNode r) {
    Map<String, Reference> out = new LinkedHashMap<>();
    if (!r.isObject(false, "a mapping of table names to {object: bucket/key} or {table: name}")) {
      return out;
    }
    for (var e : r.raw().properties()) {
      ConfigNode v = r.field(e.getKey());
      if (!IDENT.matcher(e.getKey()).matches()) {
        v.problem(
            "expected a table name of lower-case a-z, 0-9 and _ starting with a letter, got "
                + Problem.render(e.getKey()));
        continue;
      }
      if (RESERVED_TABLES.contains(e.getKey())) {
        v.problem("is a name the analysis gives its own tables (events, previous); choose another");
        continue;
      }
      if (!v.isObject(true, "{object: bucket/key.csv} or {table: lake_table}")) {
        continue;
      }
      v.allowOnly("object", "table");
      boolean object = v.raw().has("object");
      boolean table = v.raw().has("table");
      if (object == table) {
        v.problem("expected exactly one of object (bucket/key) and table (a lake table)");
        continue;
      }
      if (object) {
        ConfigNode o = v.field("object");
        String s = o.requiredString("bucket/key of a CSV, JSON, NDJSON or Parquet object");
        if (s == null) {
          continue;
        }
        int slash = s.indexOf('/');
        if (slash <= 0 || slash == s.length() - 1) {
          o.problem(
              "expected bucket/key, such as tolls/ref/stations.csv, got " + Problem.render(s));
          continue;
        }
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        if (!(lower.endsWith(".csv")
            || lower.endsWith(".json")
            || lower.endsWith(".ndjson")
            || lower.endsWith(".jsonl")
            || lower.endsWith(".parquet"))) {
          o.problem(
              "expected a key ending in .csv, .json, .ndjson, .jsonl or .parquet (the format), got "
                  + Problem.render(s));
          continue;
        }
        out.put(e.getKey(), new Reference(s.substring(0, slash), s.substring(slash + 1), null));
      } else {
        ConfigNode t = v.field("table");
        String s = t.requiredString("a lake table's name");
        if (s != null) {
          out.put(e.getKey(), new Reference(null, null, ident(t, s, "a lake table name")));
        }
      }
    }
    return out;
  }
}

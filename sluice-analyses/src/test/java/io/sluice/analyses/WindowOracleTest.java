package io.sluice.analyses;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.Json;
import io.sluice.core.config.AnalysisConfig;
import io.sluice.lake.Lake;
import io.sluice.lake.LakeSettings;
import io.sluice.log.LogEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The batch oracle: for generated tumbling, hopping and session analyses over several partitions,
 * with events out of order within maxOutOfOrder, late events inside and outside allowedLateness,
 * and partitions read in a random interleaving, the final results (latest revision per window and
 * key) equal the same SQL run in batch with DuckDB over each window's events, computed here on its
 * own; the events too late are exactly the ones refused; and a second interleaving emits exactly
 * the same events (ids and rows), which is what makes a resumed run emit nothing new.
 */
class WindowOracleTest {

  static Path dir;
  static Lake lake;
  static Connection duck;
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
  static int run;

  @BeforeContainer
  static void open() throws Exception {
    dir = Files.createTempDirectory("oracle");
    lake = Lake.open(dir.resolve("lake"), CLOCK, new SimpleMeterRegistry(), LakeSettings.DEFAULTS);
    duck = DriverManager.getConnection("jdbc:duckdb:");
  }

  @AfterContainer
  static void close() throws Exception {
    duck.close();
    lake.close();
  }

  record Gen(
      AnalysisConfig config,
      int partitions,
      List<List<long[]>> events, // per partition: {time, key, value, tooLate}
      Set<String> tooLate) {}

  static final String PLAIN =
      "SELECT e.detail.k AS k, count(*) AS n, sum(e.detail.v) AS total FROM events e GROUP BY ALL";
  static final String WITH_PREVIOUS =
      "SELECT e.detail.k AS k, count(*) AS n, coalesce(max(p.n), 0) + count(*) AS running"
          + " FROM events e LEFT JOIN previous p ON p.k = e.detail.k GROUP BY ALL";

  static Gen generate(long seed) {
    Random r = new Random(seed);
    int kind = r.nextInt(3);
    long size = (1 + r.nextInt(5)) * 1000L;
    AnalysisConfig.Window w =
        switch (kind) {
          case 0 -> new AnalysisConfig.Tumbling(Duration.ofMillis(size));
          case 1 -> {
            long adv = size / (1 + r.nextInt(3));
            adv = Math.max(500, adv - adv % 500);
            size = adv * (1 + r.nextInt(3));
            yield new AnalysisConfig.Hopping(Duration.ofMillis(size), Duration.ofMillis(adv));
          }
          default ->
              new AnalysisConfig.Session(
                  Duration.ofMillis(size), r.nextBoolean() ? "detail.s" : null);
        };
    long ooo = r.nextInt(4) * 500L;
    long lateness = r.nextInt(3) * 2000L;
    boolean previous = r.nextInt(3) == 0;
    int partitions = 1 + r.nextInt(3);
    AnalysisConfig c =
        new AnalysisConfig(
            "oracle-" + (run++),
            "",
            "b",
            null,
            "detail.at",
            w,
            Duration.ofMillis(ooo),
            null,
            Duration.ofMillis(lateness),
            Map.of(),
            List.of("k"),
            Map.of(),
            previous ? WITH_PREVIOUS : PLAIN,
            "out",
            AnalysisConfig.DEFAULT_SOURCE,
            AnalysisConfig.DEFAULT_DETAIL_TYPE,
            null,
            AnalysisConfig.DEFAULT_STATE_BYTES);
    long base = 1_780_000_000_000L + r.nextInt(1000) * 1000L;
    List<List<long[]>> events = new ArrayList<>();
    Set<String> tooLate = new HashSet<>();
    long gap = kind == 2 ? size : Math.max(1, size / 3);
    for (int p = 0; p < partitions; p++) {
      List<long[]> ev = new ArrayList<>();
      long clock = base;
      long max = Long.MIN_VALUE;
      int n = 5 + r.nextInt(40);
      for (int i = 0; i < n; i++) {
        clock += r.nextInt((int) (kind == 2 ? size * 2 : gap + 1));
        long t;
        int roll = r.nextInt(10);
        boolean late = false;
        if (max != Long.MIN_VALUE && roll == 0 && lateness >= 2000) {
          t = max - ooo - r.nextInt((int) (lateness / 2)); // late, within allowedLateness
        } else if (max != Long.MIN_VALUE && roll == 1) {
          t = max - ooo - lateness - 2 * size - 1 - r.nextInt(3000); // too late
          late = true;
        } else {
          t = clock + (ooo == 0 ? 0 : r.nextInt((int) ooo + 1)) - ooo / 2; // within maxOutOfOrder
          if (max != Long.MIN_VALUE && t < max - ooo) {
            t = max - ooo;
          }
        }
        ev.add(new long[] {t, r.nextInt(3), r.nextInt(100), late ? 1 : 0, r.nextInt(2)});
        if (late) {
          tooLate.add(p + "-" + i);
        }
        max = Math.max(max, t);
      }
      events.add(ev);
    }
    return new Gen(c, partitions, events, tooLate);
  }

  static byte[] event(int p, int i, long[] e) {
    ObjectNode ev = Json.MAPPER.createObjectNode();
    ev.put("version", "0");
    ev.put("id", "e-" + p + "-" + i);
    ev.put("detail-type", "T");
    ev.put("source", "s");
    ev.put("account", "0");
    ev.put("time", "2026-12-01T00:00:00Z");
    ev.put("region", "local");
    ev.putArray("resources");
    ObjectNode d = ev.putObject("detail");
    d.put("at", Instant.ofEpochMilli(e[0]).toString());
    d.put("k", "k" + e[1]);
    d.put("v", e[2]);
    d.put("s", "s" + e[4]);
    try {
      return Json.MAPPER.writeValueAsBytes(ev);
    } catch (java.io.IOException x) {
      throw new java.io.UncheckedIOException(x);
    }
  }

  /** The partitions' events merged in a random order that keeps each partition's order. */
  static List<LogEntry> interleave(Gen g, Random r) {
    List<LogEntry> out = new ArrayList<>();
    int[] at = new int[g.partitions()];
    while (true) {
      List<Integer> open = new ArrayList<>();
      for (int p = 0; p < g.partitions(); p++) {
        if (at[p] < g.events().get(p).size()) {
          open.add(p);
        }
      }
      if (open.isEmpty()) {
        return out;
      }
      int p = open.get(r.nextInt(open.size()));
      int i = at[p]++;
      out.add(new LogEntry(p, i, 0, null, event(p, i, g.events().get(p).get(i))));
    }
  }

  @Property(tries = 150)
  void finalResultsEqualTheBatchQuery(@ForAll long seed) throws Exception {
    Gen g = generate(seed);
    Random r = new Random(seed ^ 0x5DEECE66DL);
    List<ObjectNode> first =
        Analyses.runOffline(
            g.config(),
            interleave(g, r),
            g.partitions(),
            1 + r.nextInt(5),
            lake,
            lake.dir().resolve("_analyses").resolve(g.config().name() + "-a"),
            CLOCK);
    List<ObjectNode> second =
        Analyses.runOffline(
            g.config(),
            interleave(g, r),
            g.partitions(),
            1 + r.nextInt(7),
            lake,
            lake.dir().resolve("_analyses").resolve(g.config().name() + "-b"),
            CLOCK);

    // refused: exactly the generated too-late events
    Set<String> refused = new HashSet<>();
    List<ObjectNode> results = new ArrayList<>();
    for (ObjectNode o : first) {
      if (o.has("late")) {
        String id = o.path("event").path("id").asText();
        refused.add(id.substring(2));
      } else {
        results.add(o);
      }
    }
    assertThat(refused).as("too late").isEqualTo(g.tooLate());

    // another interleaving emits the same events
    assertThat(ids(second)).as("same emissions in another interleaving").isEqualTo(ids(first));
    assertThat(lateIds(second)).isEqualTo(lateIds(first));

    Map<String, String> latest = latest(results);
    Map<String, String> oracle = oracle(g);
    assertThat(latest).as(g.config().window() + " " + g.config().sql()).isEqualTo(oracle);
  }

  static List<String> ids(List<ObjectNode> out) {
    List<String> s = new ArrayList<>();
    for (ObjectNode o : out) {
      if (!o.has("late")) {
        s.add(o.path("id").asText() + " " + o.path("detail"));
      }
    }
    return s;
  }

  static Set<String> lateIds(List<ObjectNode> out) {
    Set<String> s = new HashSet<>();
    for (ObjectNode o : out) {
      if (o.has("late")) {
        s.add(o.path("event").path("id").asText());
      }
    }
    return s;
  }

  /** Latest revision per (window, series, key), retracted ones left out: window|key → row. */
  static Map<String, String> latest(List<ObjectNode> results) {
    Map<String, Integer> rev = new HashMap<>();
    Map<String, String> row = new TreeMap<>();
    for (ObjectNode e : results) {
      JsonNode d = e.path("detail");
      String id =
          d.path("windowStart").asText()
              + "|"
              + d.path("windowEnd").asText()
              + "|"
              + d.path("series").asText("")
              + "|"
              + d.path("k").asText();
      int v = d.path("revision").asInt();
      if (rev.getOrDefault(id, 0) >= v) {
        continue;
      }
      rev.put(id, v);
      if (d.path("retracted").asBoolean(false)) {
        row.remove(id);
      } else {
        row.put(id, rowText(d));
      }
    }
    return row;
  }

  static String rowText(JsonNode d) {
    StringBuilder b = new StringBuilder();
    for (String c : List.of("k", "n", "total", "running")) {
      if (d.has(c)) {
        b.append(c).append('=').append(d.get(c).asText()).append(' ');
      }
    }
    return b.toString().trim();
  }

  /** Windows computed here, and the SQL run over each window's events in DuckDB directly. */
  static Map<String, String> oracle(Gen g) throws Exception {
    record E(long t, String json, String series) {}
    List<E> admitted = new ArrayList<>();
    for (int p = 0; p < g.partitions(); p++) {
      for (int i = 0; i < g.events().get(p).size(); i++) {
        if (g.tooLate().contains(p + "-" + i)) {
          continue;
        }
        long[] e = g.events().get(p).get(i);
        String series = null;
        if (g.config().window() instanceof AnalysisConfig.Session s) {
          series = s.by() == null ? "" : "s" + e[4];
        }
        admitted.add(new E(e[0], new String(event(p, i, e), StandardCharsets.UTF_8), series));
      }
    }
    record W(long start, long end, String series) {}
    Map<W, List<E>> windows = new LinkedHashMap<>();
    switch (g.config().window()) {
      case AnalysisConfig.Tumbling t -> {
        long size = t.size().toMillis();
        for (E e : admitted) {
          long s = Math.floorDiv(e.t(), size) * size;
          windows.computeIfAbsent(new W(s, s + size, null), k -> new ArrayList<>()).add(e);
        }
      }
      case AnalysisConfig.Hopping h -> {
        long size = h.size().toMillis();
        long adv = h.advance().toMillis();
        for (E e : admitted) {
          for (long s = Math.floorDiv(e.t(), adv) * adv; s > e.t() - size; s -= adv) {
            windows.computeIfAbsent(new W(s, s + size, null), k -> new ArrayList<>()).add(e);
          }
        }
      }
      case AnalysisConfig.Session s -> {
        long gap = s.gap().toMillis();
        Map<String, List<E>> bySeries = new TreeMap<>();
        for (E e : admitted) {
          bySeries.computeIfAbsent(e.series(), k -> new ArrayList<>()).add(e);
        }
        for (Map.Entry<String, List<E>> se : bySeries.entrySet()) {
          List<E> es = new ArrayList<>(se.getValue());
          es.sort(Comparator.comparingLong(E::t));
          long start = es.get(0).t();
          long end = start + gap;
          List<E> cur = new ArrayList<>();
          for (E e : es) {
            if (e.t() >= end) {
              windows.put(new W(start, end, se.getKey()), cur);
              cur = new ArrayList<>();
              start = e.t();
            }
            cur.add(e);
            end = Math.max(end, e.t() + gap);
          }
          windows.put(new W(start, end, se.getKey()), cur);
        }
      }
    }
    List<W> order = new ArrayList<>(windows.keySet());
    order.sort(
        Comparator.comparingLong(W::end)
            .thenComparingLong(W::start)
            .thenComparing(w -> w.series() == null ? "" : w.series()));
    Map<String, String> out = new TreeMap<>();
    Map<String, Map<String, Object>> previous = new LinkedHashMap<>();
    Path f = dir.resolve("oracle.ndjson");
    for (W w : order) {
      StringBuilder lines = new StringBuilder();
      for (E e : windows.get(w)) {
        lines.append(e.json()).append('\n');
      }
      Files.writeString(f, lines);
      try (Statement st = duck.createStatement()) {
        st.execute(
            "CREATE OR REPLACE TABLE events AS SELECT * FROM read_json('"
                + f
                + "', format = 'newline_delimited', sample_size = -1)");
        if (g.config().sql().contains("previous")) {
          st.execute("CREATE OR REPLACE TABLE previous (k VARCHAR, n BIGINT, running BIGINT)");
          for (Map<String, Object> row : previous.values()) {
            st.execute(
                "INSERT INTO previous VALUES ('"
                    + row.get("k")
                    + "', "
                    + row.get("n")
                    + ", "
                    + row.get("running")
                    + ")");
          }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(g.config().sql())) {
          ResultSetMetaData md = rs.getMetaData();
          while (rs.next()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
              row.put(md.getColumnLabel(i), rs.getObject(i));
            }
            rows.add(row);
          }
        }
        for (Map<String, Object> row : rows) {
          String key = String.valueOf(row.get("k"));
          StringBuilder b = new StringBuilder();
          for (String c : List.of("k", "n", "total", "running")) {
            if (row.containsKey(c)) {
              b.append(c).append('=').append(row.get(c)).append(' ');
            }
          }
          out.put(
              Instant.ofEpochMilli(w.start())
                  + "|"
                  + Instant.ofEpochMilli(w.end())
                  + "|"
                  + (w.series() == null ? "" : w.series())
                  + "|"
                  + key,
              b.toString().trim());
          previous.remove(key);
          previous.put(key, row);
        }
      }
    }
    return out;
  }
}

package io.sluice.analyses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.core.EventCodec;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.config.AnalysisConfig;
import io.sluice.core.kinds.EventSink;
import io.sluice.engine.Buses;
import io.sluice.engine.DeadLetters;
import io.sluice.engine.Health;
import io.sluice.engine.Ingest;
import io.sluice.lake.Lake;
import io.sluice.lake.QueryException;
import io.sluice.log.LogEntry;
import io.sluice.objects.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The node's analyses: one {@link AnalysisRunner} per configured analysis, each with its state
 * under {@code <lake>/_analyses/<name>/} (inside the lake's sandbox, which its SQL reads).
 *
 * <pre>{@code
 * Analyses a = Analyses.open(config.analyses(), engine.buses(), engine.ingest(),
 *     engine.routing().deadLetters(), lake, store, clock, meters, health);
 * a.start();
 * }</pre>
 */
public final class Analyses implements AutoCloseable {

  private final Map<String, AnalysisRunner> runners = new LinkedHashMap<>();
  private final Buses buses;

  private Analyses(Buses buses) {
    this.buses = buses;
  }

  /**
   * Builds every analysis and checks its SQL with DuckDB; a problem names the analysis's path.
   *
   * @throws InvalidInputException {@code INVALID_CONFIG} listing each analysis whose SQL DuckDB
   *     refuses
   */
  public static Analyses open(
      List<AnalysisConfig> configs,
      Buses buses,
      EventSink sink,
      DeadLetters deadLetters,
      Lake lake,
      ObjectStore store,
      Clock clock,
      MeterRegistry meters,
      Health health) {
    Analyses a = new Analyses(buses);
    List<Problem> problems = new ArrayList<>();
    for (int i = 0; i < configs.size(); i++) {
      AnalysisConfig c = configs.get(i);
      Path dir = lake.dir().resolve("_analyses").resolve(c.name());
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(
            "cannot create the state directory " + dir + " of analysis " + c.name() + ": " + e, e);
      }
      SqlEvaluator ev = new SqlEvaluator(c, lake, dir, references(c, lake, store, dir));
      Problem p = check(c, ev, dir, "/analyses/" + i + "/sql");
      if (p != null) {
        problems.add(p);
        continue;
      }
      int partitions = buses.info(c.bus()).partitions().size();
      a.runners.put(
          c.name(),
          new AnalysisRunner(
              c, buses.log(), partitions, sink, deadLetters, ev, dir, clock, meters, health));
    }
    if (!problems.isEmpty()) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_CONFIG,
          "the analyses' SQL has "
              + problems.size()
              + (problems.size() == 1 ? " problem" : " problems"),
          problems);
    }
    return a;
  }

  /** Starts every analysis's thread. */
  public Analyses start() {
    runners.values().forEach(AnalysisRunner::start);
    return this;
  }

  public List<String> names() {
    return List.copyOf(runners.keySet());
  }

  /** The state of every analysis, as {@code GET /analyses} shows it. */
  public List<ObjectNode> list() {
    List<ObjectNode> out = new ArrayList<>();
    for (AnalysisRunner r : runners.values()) {
      out.add(status(r));
    }
    return out;
  }

  public Optional<ObjectNode> show(String name) {
    AnalysisRunner r = runners.get(name);
    return r == null ? Optional.empty() : Optional.of(status(r));
  }

  private ObjectNode status(AnalysisRunner r) {
    Map<Integer, Long> ends = new HashMap<>();
    buses.info(r.bus()).partitions().forEach(p -> ends.put(p.partition(), p.endOffset()));
    return r.status(ends);
  }

  /**
   * Checks the SQL: DuckDB parses it; with declared {@code fields}, it is also run over one made-up
   * event so unknown columns are found before any event arrives.
   */
  static Problem check(AnalysisConfig c, SqlEvaluator ev, Path dir, String path) {
    try {
      List<ObjectNode> r =
          ev.run("SELECT json_serialize_sql(" + SqlEvaluator.literal(c.sql()) + ") AS ast");
      JsonNode ast = Json.MAPPER.readTree(r.get(0).path("ast").asText());
      if (ast.path("error").asBoolean(false)) {
        return Problem.of(
            path, "DuckDB cannot parse the SQL: " + ast.path("error_message").asText());
      }
      if (ast.path("statements").size() != 1) {
        return Problem.of(
            path, "expected one SELECT statement, got " + ast.path("statements").size());
      }
    } catch (QueryException | IOException e) {
      return Problem.of(path, "DuckDB cannot parse the SQL: " + e.getMessage());
    }
    if (c.fields().isEmpty()
        || !c.reference().isEmpty()
        || SqlEvaluator.USES_PREVIOUS.matcher(c.sql()).find()) {
      return null; // previous has the result's columns only once there is a result
    }
    try {
      Path probe = dir.resolve("probe.ndjson");
      Files.writeString(
          probe,
          "{\"t\":0,\"et\":0,\"tm\":0,\"it\":0,\"p\":0,\"o\":0,\"k\":null,\"e\":{\"id\":\"probe\","
              + "\"source\":\"probe\",\"detail-type\":\"probe\",\"account\":\"0\",\"region\":\"local\","
              + "\"resources\":[],\"detail\":{}}}\n");
      Windowing.Win w = new Windowing.Win(null, 0, 1);
      ev.run(ev.sql(List.of(probe), w, 0, "SELECT NULL AS _none WHERE false") + " LIMIT 0");
      Files.deleteIfExists(probe);
    } catch (QueryException | IOException e) {
      return Problem.of(
          path, "DuckDB refuses the SQL over the window's columns: " + e.getMessage());
    }
    return null;
  }

  static SqlEvaluator.References references(
      AnalysisConfig c, Lake lake, ObjectStore store, Path dir) {
    Map<String, String> shas = new HashMap<>();
    return name -> {
      AnalysisConfig.Reference r = c.reference().get(name);
      if (!r.isObject()) {
        try {
          lake.table(r.table());
        } catch (RuntimeException missing) {
          throw new IOException(
              "reference " + name + ": there is no lake table " + r.table() + " yet");
        }
        return "SELECT * FROM " + SqlEvaluator.ident(r.table());
      }
      String lower = r.key().toLowerCase(Locale.ROOT);
      String ext = lower.substring(lower.lastIndexOf('.') + 1);
      Path local = dir.resolve("ref").resolve(name + "." + ext);
      if (store == null) {
        throw new IOException(
            "reference "
                + name
                + ": there is no object store to read "
                + r.bucket()
                + "/"
                + r.key()
                + " from (sluice analyses test reads the objects under the config's storage.dir;"
                + " upload it with sluice put FILE "
                + r.bucket()
                + "/"
                + r.key()
                + " to a server using that directory)");
      }
      Optional<ObjectStore.Opened> o = store.read(r.bucket(), r.key());
      if (o.isEmpty()) {
        throw new IOException(
            "reference "
                + name
                + ": there is no object "
                + r.bucket()
                + "/"
                + r.key()
                + " (upload it: sluice put FILE "
                + r.bucket()
                + "/"
                + r.key()
                + ")");
      }
      try (InputStream in = o.get().in()) {
        String sha = o.get().info().sha256();
        if (!sha.equals(shas.get(name)) || !Files.exists(local)) {
          Files.createDirectories(local.getParent());
          Path tmp = local.resolveSibling(name + ".tmp");
          Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
          Files.move(
              tmp, local, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
          shas.put(name, sha);
        }
      }
      String file = SqlEvaluator.literal(local.toAbsolutePath().toString());
      return switch (ext) {
        case "csv" -> "SELECT * FROM read_csv(" + file + ", header = true)";
        case "parquet" -> "SELECT * FROM read_parquet(" + file + ")";
        case "json" -> "SELECT * FROM read_json(" + file + ")";
        default -> "SELECT * FROM read_json(" + file + ", format = 'newline_delimited')";
      };
    };
  }

  /**
   * Runs an analysis offline over {@code events} (EventBridge envelopes, in the order given, as one
   * partition) until every window has closed, and returns the result events it would emit: what
   * {@code sluice analyses test} prints. Late events are results too, as {@code {"late": …}}.
   */
  public static List<ObjectNode> test(
      AnalysisConfig c, List<JsonNode> events, Lake lake, ObjectStore store, Clock clock)
      throws Exception {
    Path dir = lake.dir().resolve("_analyses").resolve(c.name());
    Files.createDirectories(dir.resolve("panes"));
    SqlEvaluator ev = new SqlEvaluator(c, lake, dir, references(c, lake, store, dir));
    Problem p = check(c, ev, dir, "/sql");
    if (p != null) {
      throw InvalidInputException.of(InvalidInputException.INVALID_ARGUMENT, List.of(p));
    }
    EventCodec codec = new EventCodec(io.sluice.core.EventLimits.DEFAULTS);
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      final int n = i;
      Ingest.Entry en =
          Ingest.prepare(codec, events.get(i), "/" + i, () -> "test-" + n, clock.instant());
      if (en instanceof Ingest.Invalid inv) {
        throw InvalidInputException.of(InvalidInputException.INVALID_ARGUMENT, inv.problems());
      }
      byte[] json = ((Ingest.Valid) en).json();
      entries.add(new LogEntry(0, i, clock.millis(), null, json));
    }
    return runOffline(c, entries, 1, 1, ev, dir, clock);
  }

  /** For tests: {@link #test} over entries of several partitions in a given reading order. */
  static List<ObjectNode> runOffline(
      AnalysisConfig c,
      List<LogEntry> entries,
      int partitions,
      int stepEvery,
      Lake lake,
      Path dir,
      Clock clock)
      throws Exception {
    Files.createDirectories(dir.resolve("panes"));
    return runOffline(
        c,
        entries,
        partitions,
        stepEvery,
        new SqlEvaluator(c, lake, dir, references(c, lake, null, dir)),
        dir,
        clock);
  }

  private static List<ObjectNode> runOffline(
      AnalysisConfig c,
      List<LogEntry> entries,
      int partitions,
      int stepEvery,
      SqlEvaluator ev,
      Path dir,
      Clock clock)
      throws Exception {
    List<ObjectNode> out = new ArrayList<>();
    AnalysisRunner runner =
        new AnalysisRunner(
            c,
            null,
            partitions,
            new CollectingSink(out),
            null,
            ev,
            dir,
            clock,
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
            new Health(clock, new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
    runner.runOffline(entries, out, stepEvery);
    return out;
  }

  /** Collects what would be put on a bus. */
  record CollectingSink(List<ObjectNode> out) implements EventSink {
    @Override
    public java.util.concurrent.CompletableFuture<List<Result>> put(
        String bus, List<JsonNode> events) {
      List<Result> rs = new ArrayList<>();
      for (JsonNode e : events) {
        out.add((ObjectNode) e);
        rs.add(Result.STORED);
      }
      return java.util.concurrent.CompletableFuture.completedFuture(rs);
    }
  }

  @Override
  public void close() {
    for (AnalysisRunner r : runners.values()) {
      r.close();
    }
  }
}

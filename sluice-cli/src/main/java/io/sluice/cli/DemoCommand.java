package io.sluice.cli;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.server.SluiceKinds;
import io.sluice.server.SluiceServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice demo}: the sports-events example end to end, from any directory: starts a server
 * with the example's configuration, sends the events over HTTP, waits for the lake tables to flush,
 * prints SQL answers, and stops.
 *
 * <p>The example's functions and the targets that call them (rule {@code matches-lambda}, the
 * Python Firehose transform) are left out ({@link #withoutFunctions}): the demo needs nothing but
 * Java, and the function's code is not in the jar. What it prints is about {@code cat1} and {@code
 * cat2}, which they do not touch.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the sports-events example end to end and print SQL answers over its lake.",
      "A server with two rules writing two lake tables, 228 events sent over HTTP, then SQL.",
      "Stops when done. The example lives in examples/sports-events/ (sluice.yaml, events.ndjson);",
      "its python3 Lambda transform (rule matches-lambda) runs with sluice run, not here."
    })
final class DemoCommand implements Callable<Integer> {

  static final String RESOURCES = "/io/sluice/cli/examples/sports-events/";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static final List<String[]> QUERIES =
      List.of(
          new String[] {
            "Events per lake table",
            "SELECT 'cat1' AS table_name, count(*) AS events FROM cat1"
                + " UNION ALL SELECT 'cat2', count(*) FROM cat2"
          },
          new String[] {
            "Ticket revenue per sport (cat1, revenue computed by the rule's jq transform)",
            "SELECT sport, count(*) AS matches, sum(tickets_sold) AS tickets,"
                + " round(sum(revenue), 2) AS revenue FROM cat1 GROUP BY sport ORDER BY revenue DESC"
          },
          new String[] {
            "Top scoring teams (cat2 joined with cat1)",
            "SELECT s.sport, s.team, sum(s.points) AS points, count(DISTINCT s.match_id) AS matches"
                + " FROM cat2 s JOIN cat1 m USING (match_id)"
                + " GROUP BY ALL ORDER BY points DESC, team LIMIT 5"
          },
          new String[] {
            "Partitions written (Hive-style, like Firehose dynamic partitioning)",
            "SELECT dt, sport, count(*) AS rows FROM cat1 GROUP BY ALL ORDER BY dt, sport LIMIT 6"
          });

  @Option(names = "--data", description = "Data directory to keep (default: a temporary one).")
  Path data;

  @Option(names = "--port", description = "Port (default: a free one).", defaultValue = "0")
  int port;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.sluice")).setLevel(Level.WARN);
    PrintWriter out = spec.commandLine().getOut();
    String yaml = withoutFunctions(resource("sluice.yaml"));
    byte[] events = resource("events.ndjson").getBytes(StandardCharsets.UTF_8);
    Path dir = data != null ? data : Files.createTempDirectory("sluice-demo-");
    SluiceConfig c =
        ConfigLoader.parse(
            yaml, "examples/sports-events/sluice.yaml", dir, SluiceKinds.forReading());
    c = c.withDataDir(dir.toAbsolutePath()).withServer(c.server().withPort(port));
    long t0 = System.nanoTime();
    try (SluiceServer server = SluiceServer.start(c, SluiceServer.Options.DEFAULTS)) {
      out.printf(
          "Sluice is running on %s with examples/sports-events/sluice.yaml (data in %s)%n",
          server.url(), dir);
      out.println(
          "  bus databus → rule matches (Match Scheduled) → lake table cat1, partitioned by dt and sport");
      out.println(
          "              → rule scores  (Score Update)    → lake table cat2, partitioned by sport");
      ApiClient api = new ApiClient();
      api.url = server.url().toString();
      Map<String, Integer> byType = new TreeMap<>();
      for (String line : new String(events, StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          byType.merge(Json.MAPPER.readTree(line).get("detail-type").asText(), 1, Integer::sum);
        }
      }
      ApiClient.Response sent =
          api.send("POST", "/buses/databus/events", "application/x-ndjson", events);
      if (sent.status() != 200) {
        out.println("sluice: sending the events failed: " + sent.error());
        return SluiceCommand.EXIT_FAILED;
      }
      int ok = 0;
      for (JsonNode e : sent.json().get("entries")) {
        ok += e.has("id") ? 1 : 0;
      }
      out.printf(
          "Sent %d events over HTTP (POST /buses/databus/events), each on disk before the answer: %s%n",
          ok, byType);
      int want1 = byType.getOrDefault("Match Scheduled", 0);
      int want2 = byType.getOrDefault("Score Update", 0);
      out.printf(
          "Waiting for the lake tables to flush their buffers (interval 2 s): expecting %d rows in cat1, %d in cat2…%n",
          want1, want2);
      long deadline = System.nanoTime() + 60_000_000_000L;
      long n1 = -1;
      long n2 = -1;
      while (System.nanoTime() < deadline) {
        n1 = count(api, "cat1");
        n2 = count(api, "cat2");
        if (n1 == want1 && n2 == want2) {
          break;
        }
        Thread.sleep(200);
      }
      if (n1 != want1 || n2 != want2) {
        out.printf(
            "sluice: the lake has %d and %d rows after 60 s; expected %d and %d%n",
            n1, n2, want1, want2);
        return SluiceCommand.EXIT_FAILED;
      }
      out.printf(
          "Queryable %.1f s after start. The weather reports matched no rule and stayed on the bus.%n",
          (System.nanoTime() - t0) / 1e9);
      for (String[] q : QUERIES) {
        out.println();
        out.println("-- " + q[0]);
        out.println(q[1] + ";");
        ApiClient.Response r =
            api.send(
                "POST",
                "/query",
                "application/json",
                Json.MAPPER
                    .createObjectNode()
                    .put("sql", q[1])
                    .toString()
                    .getBytes(StandardCharsets.UTF_8));
        if (r.status() != 200) {
          out.println("sluice: " + r.error());
          return SluiceCommand.EXIT_FAILED;
        }
        TablePrinter.print(r.json(), out);
      }
      out.println();
      out.println("Try it by hand:");
      out.println("  ./sluice run examples/sports-events/sluice.yaml &");
      out.println("  ./sluice send --bus databus --file examples/sports-events/events.ndjson");
      out.println("  ./sluice query \"SELECT sport, count(*) FROM cat2 GROUP BY sport\"");
      out.println("  ./sluice tables cat1");
    } finally {
      out.flush();
      if (data == null) {
        deleteTree(dir);
      }
    }
    return 0;
  }

  private static long count(ApiClient api, String table) {
    ApiClient.Response r =
        api.send(
            "POST",
            "/query",
            "application/json",
            ("{\"sql\":\"SELECT count(*) FROM " + table + "\"}").getBytes(StandardCharsets.UTF_8));
    return r.status() == 200 ? r.json().get("rows").get(0).get(0).asLong() : -1;
  }

  /**
   * The config {@code yaml} without its {@code functions} and without the targets that call one (a
   * {@code function} target, a {@code transform: {function: …}}); a rule left with no target goes
   * too. Returned as JSON, which is YAML.
   */
  static String withoutFunctions(String yaml) throws IOException {
    JsonNode root = YAML.readTree(yaml);
    if (!(root instanceof ObjectNode config)) {
      return yaml;
    }
    config.remove("functions");
    if (config.get("rules") instanceof ArrayNode rules) {
      for (int r = rules.size() - 1; r >= 0; r--) {
        if (!(rules.get(r).get("targets") instanceof ArrayNode targets)) {
          continue;
        }
        for (int t = targets.size() - 1; t >= 0; t--) {
          JsonNode target = targets.get(t);
          if (target.has("function") || target.path("transform").has("function")) {
            targets.remove(t);
          }
        }
        if (targets.isEmpty()) {
          rules.remove(r);
        }
      }
    }
    return config.toString();
  }

  static String resource(String name) throws IOException {
    try (InputStream in = DemoCommand.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IOException("the demo's " + name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(all::add);
    }
    for (Path p : all) {
      Files.deleteIfExists(p);
    }
  }
}

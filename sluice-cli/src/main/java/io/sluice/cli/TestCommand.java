package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.EventCodec;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.config.BusConfig;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.RuleConfig;
import io.sluice.core.config.SluiceConfig;
import io.sluice.engine.Ingest;
import io.sluice.server.SluiceKinds;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice test CONFIG --events FILE}: the config's rules over sample events, offline — which
 * rules each event matches and what each of their targets would receive — and, with {@code
 * --expect}, a comparison with results kept from an earlier run, so a pipeline carries its own
 * tests into CI.
 *
 * <pre>{@code
 * sluice test sluice.yaml --events events.ndjson --bus databus --format json > expected.ndjson
 * sluice test sluice.yaml --events events.ndjson --bus databus --expect expected.ndjson
 * }</pre>
 *
 * <p>No server runs and nothing is written: the config file's rules are used (not those added
 * through the API), and a {@code ${env:NAME}} that is not set reads as empty, with a note, since no
 * value is sent anywhere. Exit codes: 0 done (and, with {@code --expect}, as expected); 1 a
 * difference, or invalid input (config, events, expected results; every problem is listed); 2 the
 * command line was wrong.
 */
@Command(
    name = "test",
    mixinStandardHelpOptions = true,
    description = {
      "Run the config's rules over sample events, offline: which rules each event matches and"
          + " what each target would receive (after inputTransformer or jq).",
      "  sluice test sluice.yaml --bus orders --events events.ndjson",
      "  sluice test … --format json > expected.ndjson    # a baseline",
      "  sluice test … --expect expected.ndjson           # exit 1 on a difference",
      "Events without id get test-<n> (n counts events from 1), without time"
          + " 1970-01-01T00:00:00Z; an unset $${env:NAME} reads as empty.",
      "Exit code: 0 done (with --expect: as expected), 1 a difference or invalid input, 2 usage."
    })
final class TestCommand implements Callable<Integer> {

  /** At most this many differing events are shown; the count covers all. */
  static final int MAX_SHOWN_DIFFERENCES = 10;

  @Parameters(paramLabel = "CONFIG", description = "Configuration file (YAML).")
  Path config;

  @Option(
      names = "--events",
      required = true,
      paramLabel = "FILE",
      description = "Sample events: NDJSON (one event per line) or a JSON array.")
  Path events;

  @Option(
      names = "--bus",
      defaultValue = "default",
      paramLabel = "NAME",
      description = "The bus the events arrive on; its rules are run (default: ${DEFAULT-VALUE}).")
  String bus;

  @Option(
      names = "--expect",
      paramLabel = "FILE",
      description =
          "Expected results (what --format json printed before): print the differences instead"
              + " of the results, exit 1 if there is any.")
  Path expect;

  @Option(
      names = "--format",
      defaultValue = "text",
      paramLabel = "text|json",
      description = "text (default) or json: one JSON document per event, for --expect.")
  String format;

  @Option(
      names = "--explain",
      description =
          "Also list the rules an event did not match, with the first failed condition (with"
              + " --expect, a rule expected to match that did not always says why).")
  boolean explain;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (!format.equals("text") && !format.equals("json")) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value for option '--format': expected text or json, got "
              + Problem.render(format));
    }
    if (expect != null && format.equals("json")) {
      throw new ParameterException(
          spec.commandLine(),
          "--format json prints results and --expect compares them with a file: give one of them");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Set<String> unset = new TreeSet<>();
    Function<String, String> env =
        name -> {
          String v = System.getenv(name);
          if (v == null) {
            unset.add(name);
            return "";
          }
          return v;
        };
    SluiceConfig c = ConfigLoader.load(config, SluiceKinds.forReading(), env);
    for (String name : unset) {
      err.println(
          "sluice test: ${env:"
              + name
              + "} is not set, so it reads as empty here (sluice run and sluice validate need it)");
    }
    if (c.bus(bus).isEmpty()) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of(
              "/bus",
              "names bus "
                  + Problem.render(bus)
                  + ", which is not configured in "
                  + config
                  + " (buses: "
                  + String.join(", ", c.buses().stream().map(BusConfig::name).toList())
                  + "); pass --bus with one of them",
              Problem.render(bus)));
    }
    EventCodec codec = new EventCodec(c.server().limits().eventLimits());
    List<SampleEvents.Sample> samples = SampleEvents.read(events, codec);
    List<String> invalid = new ArrayList<>();
    for (SampleEvents.Sample s : samples) {
      if (s.entry() instanceof Ingest.Invalid inv) {
        for (Problem p : inv.problems()) {
          // as sluice send --file reports a refused line
          invalid.add(
              "line "
                  + s.line()
                  + ": "
                  + inv.code()
                  + (p.path().isEmpty() ? ": " + p.message() : " " + p));
        }
      }
    }
    if (!invalid.isEmpty()) {
      long n = samples.stream().filter(s -> s.entry() instanceof Ingest.Invalid).count();
      err.println(
          "sluice: "
              + events
              + " has "
              + n
              + (n == 1 ? " invalid event" : " invalid events")
              + " (ingest would refuse "
              + (n == 1 ? "it" : "them")
              + "):");
      invalid.forEach(l -> err.println("  " + l));
      return SluiceCommand.EXIT_FAILED;
    }
    ExpectedResults expected = null;
    if (expect != null) {
      try {
        expected = ExpectedResults.read(expect);
      } catch (ExpectedResults.MalformedException e) {
        err.println("sluice: " + e.getMessage() + ":");
        e.problems.forEach(p -> err.println("  " + p));
        return SluiceCommand.EXIT_FAILED;
      }
    }
    OfflineRouting routing = new OfflineRouting(c, bus);
    List<JsonNode> results = new ArrayList<>(samples.size());
    List<JsonNode> trees = new ArrayList<>(samples.size());
    for (SampleEvents.Sample s : samples) {
      Ingest.Valid v = (Ingest.Valid) s.entry();
      // as printed and read back, so a comparison sees what a baseline file holds
      results.add(reparse(routing.route(s, v, explain && expected == null)));
      trees.add(OfflineRouting.tree(v.json()));
    }
    if (expected != null) {
      return compare(expected, results, routing, trees, out, err);
    }
    if (format.equals("json")) {
      for (JsonNode r : results) {
        out.println(r.toString());
      }
    } else {
      printText(results, out);
    }
    return 0;
  }

  private int compare(
      ExpectedResults expected,
      List<JsonNode> results,
      OfflineRouting routing,
      List<JsonNode> trees,
      PrintWriter out,
      PrintWriter err) {
    List<ExpectedResults.EventDiff> diffs =
        expected.compare(
            results,
            (n, rule) -> {
              RuleConfig r =
                  routing.rules().stream()
                      .filter(x -> x.name().equals(rule))
                      .findFirst()
                      .orElse(null);
              return r == null
                  ? "no rule " + rule + " on bus " + routing.bus() + " in " + config
                  : OfflineRouting.whyNot(r, trees.get(n - 1));
            });
    if (diffs.isEmpty()) {
      out.printf(
          "%d event%s as expected in %s%n", results.size(), results.size() == 1 ? "" : "s", expect);
      return 0;
    }
    for (int i = 0; i < Math.min(diffs.size(), MAX_SHOWN_DIFFERENCES); i++) {
      ExpectedResults.EventDiff d = diffs.get(i);
      out.println(d.heading() + ":");
      d.differences().forEach(x -> out.println("  " + x));
    }
    if (diffs.size() > MAX_SHOWN_DIFFERENCES) {
      out.printf(
          "… and %d more event%s with differences%n",
          diffs.size() - MAX_SHOWN_DIFFERENCES,
          diffs.size() - MAX_SHOWN_DIFFERENCES == 1 ? "" : "s");
    }
    long total = results.size() + diffs.stream().filter(d -> d.event() > results.size()).count();
    err.printf(
        "sluice: %d of %d event%s differ%s from %s%n",
        diffs.size(), total, total == 1 ? "" : "s", diffs.size() == 1 ? "s" : "", expect);
    return SluiceCommand.EXIT_FAILED;
  }

  private static JsonNode reparse(ObjectNode doc) {
    try {
      return Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(doc));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void printText(List<JsonNode> results, PrintWriter out) {
    int matchedEvents = 0;
    int deliveries = 0;
    int skipped = 0;
    int failed = 0;
    for (JsonNode r : results) {
      JsonNode matched = r.get("matched");
      List<String> names = new ArrayList<>();
      matched.forEach(m -> names.add(m.get("rule").asText()));
      out.printf(
          "event %d (line %d, id %s): %s%n",
          r.get("event").asInt(),
          r.get("line").asInt(),
          r.get("id").asText(),
          names.isEmpty() ? "no rule matched" : "matched " + String.join(", ", names));
      if (!names.isEmpty()) {
        matchedEvents++;
      }
      for (JsonNode m : matched) {
        for (JsonNode t : m.get("targets")) {
          String who =
              "  "
                  + m.get("rule").asText()
                  + " → "
                  + t.get("target").asText()
                  + " ("
                  + t.get("kind").asText()
                  + ")";
          if (t.has("function")) {
            // a function transform runs on a server only: what it is given, not what it returns
            deliveries++;
            out.println(
                who
                    + " through function "
                    + t.get("function").asText()
                    + " (not run offline), which gets "
                    + t.get("payload"));
          } else if (t.has("payload")) {
            deliveries++;
            out.println(who + " receives " + t.get("payload"));
          } else if (t.has("text")) {
            deliveries++;
            out.println(who + " receives text " + t.get("text"));
          } else if (t.has("skipped")) {
            skipped++;
            out.println(who + " skipped: " + t.get("skipped").asText());
          } else {
            failed++;
            out.println(who + " dead-lettered: " + t.get("error").asText());
          }
        }
      }
      for (JsonNode u : r.path("unmatched")) {
        out.println("  " + u.get("rule").asText() + " did not match: " + u.get("reason").asText());
      }
    }
    out.printf(
        "%d event%s on bus %s: %d matched a rule, %d matched none; %d deliver%s, %d skipped, %d"
            + " dead-lettered%n",
        results.size(),
        results.size() == 1 ? "" : "s",
        bus,
        matchedEvents,
        results.size() - matchedEvents,
        deliveries,
        deliveries == 1 ? "y" : "ies",
        skipped,
        failed);
  }
}

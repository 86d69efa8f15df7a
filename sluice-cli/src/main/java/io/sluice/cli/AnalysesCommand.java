package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.analyses.Analyses;
import io.sluice.core.EventCodec;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.config.AnalysisConfig;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.engine.Ingest;
import io.sluice.lake.Lake;
import io.sluice.lake.LakeSettings;
import io.sluice.objects.ObjectEvents;
import io.sluice.objects.ObjectStore;
import io.sluice.server.SluiceKinds;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice analyses list|show|test}: the analyses of a server, and an offline test. */
@Command(
    name = "analyses",
    mixinStandardHelpOptions = true,
    description =
        "Show the analyses (continuous SQL over event-time windows), or test one offline.",
    subcommands = {
      AnalysesCommand.ListAnalyses.class,
      AnalysesCommand.Show.class,
      AnalysesCommand.Test.class
    })
final class AnalysesCommand implements Runnable {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Each analysis with its watermark, open windows, lag and counts.")
  static final class ListAnalyses implements Callable<Integer> {
    @Mixin ApiClient api;

    @Option(
        names = "--format",
        defaultValue = "table",
        description = "table or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      return Listing.print(
          spec,
          api,
          format,
          "/analyses",
          "analyses",
          "no analyses (declare them in the config's analyses section)",
          new String[] {
            "name", "bus", "window", "watermark", "open", "lag", "in", "late", "results", "error"
          },
          (a, row) -> {
            row.add(a.get("name"));
            row.add(a.get("bus"));
            row.add(a.get("window"));
            row.add(a.get("watermark"));
            row.add(a.get("openWindows"));
            row.add(a.get("lag"));
            row.add(a.get("eventsIn"));
            row.add(a.get("late"));
            row.add(a.get("results"));
            row.add(a.get("error"));
          });
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "One analysis's state as JSON: watermark, windows, lag, counts, last error.")
  static final class Show implements Callable<Integer> {
    @Mixin ApiClient api;

    @Parameters(paramLabel = "NAME", description = "The analysis.")
    String name;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      ApiClient.Response r =
          api.send(
              "GET",
              "/analyses/"
                  + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8),
              null,
              null);
      if (r.status() != 200) {
        spec.commandLine().getErr().println("sluice: " + r.error());
        return SluiceCommand.EXIT_FAILED;
      }
      spec.commandLine().getOut().println(r.json().toPrettyString());
      return 0;
    }
  }

  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      description = {
        "Run one analysis's SQL over a file of events, offline, and print the results it would"
            + " emit once every window has closed (and the events it would refuse as late).",
        "  sluice analyses test station-traffic --config sluice.yaml --events events.ndjson",
        "Events are read in file order as one partition; events without id get test-<n>.",
        "Reference objects are read from the config's data directory; lake tables need the server.",
        "Exit code: 0 done, 1 invalid input (config, events, SQL), 2 usage."
      })
  static final class Test implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The analysis.")
    String name;

    @Option(
        names = "--config",
        defaultValue = "sluice.yaml",
        paramLabel = "FILE",
        description = "Configuration file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Option(
        names = "--events",
        required = true,
        paramLabel = "FILE",
        description = "Events: NDJSON (one per line) or a JSON array.")
    Path events;

    @Option(
        names = "--format",
        defaultValue = "text",
        paramLabel = "text|json",
        description = "text (default) or json: one result event per line.")
    String format;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (!format.equals("text") && !format.equals("json")) {
        throw new ParameterException(
            spec.commandLine(), "--format: expected text or json, got " + Problem.render(format));
      }
      PrintWriter out = spec.commandLine().getOut();
      SluiceConfig c = ConfigLoader.load(config, SluiceKinds.forReading(), n -> "");
      AnalysisConfig a =
          c.analysis(name)
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          InvalidInputException.INVALID_ARGUMENT,
                          Problem.of(
                              "/name",
                              "no analysis named "
                                  + Problem.render(name)
                                  + " in "
                                  + config
                                  + (c.analyses().isEmpty()
                                      ? " (it has no analyses)"
                                      : " (analyses: "
                                          + String.join(
                                              ", ",
                                              c.analyses().stream()
                                                  .map(AnalysisConfig::name)
                                                  .toList())
                                          + ")"),
                              Problem.render(name))));
      EventCodec codec = new EventCodec(c.server().limits().eventLimits());
      List<SampleEvents.Sample> samples = SampleEvents.read(events, codec);
      List<JsonNode> trees = new ArrayList<>();
      List<Problem> invalid = new ArrayList<>();
      for (SampleEvents.Sample s : samples) {
        if (s.entry() instanceof Ingest.Invalid inv) {
          for (Problem p : inv.problems()) {
            invalid.add(Problem.of("line " + s.line() + p.path(), p.message()));
          }
        } else {
          trees.add(OfflineRouting.tree(((Ingest.Valid) s.entry()).json()));
        }
      }
      if (!invalid.isEmpty()) {
        throw new InvalidInputException(
            InvalidInputException.INVALID_ARGUMENT, events + " has invalid events", invalid);
      }
      Path tmp = Files.createTempDirectory("sluice-analyses-test");
      Clock clock = Clock.systemUTC();
      List<ObjectNode> results;
      try (Lake lake =
          Lake.open(
              tmp.resolve("lake"),
              clock,
              new SimpleMeterRegistry(),
              LakeSettings.of(c.lake()).withCompactionInterval(java.time.Duration.ZERO))) {
        Path objects = c.dataDir().resolve("objects");
        ObjectStore store =
            Files.isDirectory(objects)
                ? new ObjectStore(objects, c.objects().maxObjectBytes(), ObjectEvents.NONE, clock)
                : null;
        results = Analyses.test(a, trees, lake, store, clock);
      } finally {
        delete(tmp);
      }
      int n = 0;
      for (ObjectNode r : results) {
        if (format.equals("json")) {
          out.println(r.toString());
          continue;
        }
        if (r.has("late") || r.has("refused")) {
          out.println(
              (r.has("late") ? "late     " : "refused  ")
                  + r.path("event").path("id").asText()
                  + ": "
                  + (r.has("late") ? r.path("late").asText() : r.path("refused").asText()));
          continue;
        }
        n++;
        ObjectNode d = (ObjectNode) r.path("detail").deepCopy();
        String ws = d.remove("windowStart").asText();
        String we = d.remove("windowEnd").asText();
        int rev = d.remove("revision").asInt();
        d.remove("analysis");
        boolean retracted = d.has("retracted");
        d.remove("retracted");
        out.println(ws + " – " + we + "  rev " + rev + (retracted ? "  retracted " : "  ") + d);
      }
      if (format.equals("text")) {
        out.println(n + (n == 1 ? " result" : " results") + " from " + trees.size() + " events");
      }
      return 0;
    }

    private static void delete(Path dir) throws IOException {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}

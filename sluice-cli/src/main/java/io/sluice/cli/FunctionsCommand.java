package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice functions list|invoke|logs}: the functions of a running server. */
@Command(
    name = "functions",
    mixinStandardHelpOptions = true,
    description = "List, invoke and read the logs of the declared functions.",
    subcommands = {
      FunctionsCommand.ListFunctions.class,
      FunctionsCommand.Invoke.class,
      FunctionsCommand.Logs.class
    })
final class FunctionsCommand implements Runnable {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Each function with its runtime, state, warm workers, invocations and errors.")
  static final class ListFunctions implements Callable<Integer> {
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
          "/functions",
          "functions",
          "no functions (declare them in the config's functions section)",
          new String[] {
            "name",
            "runtime",
            "state",
            "concurrency",
            "warm",
            "running",
            "invocations",
            "errors",
            "last error"
          },
          (f, row) -> {
            row.add(f.get("name"));
            row.add(f.get("runtime"));
            row.add(f.get("state"));
            row.add(f.get("concurrency"));
            row.add(f.get("warmWorkers"));
            row.add(f.get("running"));
            row.add(f.get("invocations"));
            row.add(f.get("errors"));
            row.add(f.get("lastError"));
          });
    }
  }

  @Command(
      name = "invoke",
      mixinStandardHelpOptions = true,
      description = {
        "Call a function with a JSON payload and print its result (Lambda's Invoke API).",
        "  sluice functions invoke enrich '{\"amount\":12}'",
        "  sluice functions invoke enrich --payload event.json --log",
        "Exit code 1 when the function failed (its error is printed on standard error)."
      })
  static final class Invoke implements Callable<Integer> {
    @Mixin ApiClient api;

    @Parameters(index = "0", paramLabel = "NAME", description = "The function.")
    String name;

    @Parameters(
        index = "1",
        arity = "0..1",
        paramLabel = "PAYLOAD",
        description = "The payload, JSON (default: {}).")
    String payload;

    @Option(
        names = "--payload",
        paramLabel = "FILE",
        description = "Read the payload from FILE (- for standard input).")
    Path payloadFile;

    @Option(names = "--log", description = "Also print the invocation's log lines (stderr).")
    boolean log;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      if (payload != null && payloadFile != null) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "give the payload as PAYLOAD or with --payload FILE, not both");
      }
      byte[] body;
      if (payloadFile != null) {
        if (payloadFile.toString().equals("-")) {
          body = System.in.readAllBytes();
        } else if (!Files.isReadable(payloadFile)) {
          throw new InvalidInputException(
              InvalidInputException.INVALID_ARGUMENT,
              Problem.of("/payload", "cannot read " + payloadFile));
        } else {
          body = Files.readAllBytes(payloadFile);
        }
      } else {
        body = (payload == null ? "{}" : payload).getBytes(StandardCharsets.UTF_8);
      }
      ApiClient.Response r =
          api.send(
              "POST",
              "/2015-03-31/functions/"
                  + URLEncoder.encode(name, StandardCharsets.UTF_8)
                  + "/invocations",
              "application/json",
              body,
              null,
              log ? java.util.Map.of("X-Amz-Log-Type", "Tail") : java.util.Map.of());
      var err = spec.commandLine().getErr();
      if (log && r.header("X-Amz-Log-Result") != null) {
        err.print(
            new String(
                Base64.getDecoder().decode(r.header("X-Amz-Log-Result")), StandardCharsets.UTF_8));
      }
      if (r.status() != 200) {
        String type = r.header("x-amzn-ErrorType");
        String message = r.body();
        try {
          message = Json.MAPPER.readTree(r.body()).path("message").asText(r.body());
        } catch (IOException notJson) {
          // the raw body then
        }
        err.println("sluice: " + (type == null ? "HTTP " + r.status() : type) + ": " + message);
        return SluiceCommand.EXIT_FAILED;
      }
      if (r.header("X-Amz-Function-Error") != null) {
        JsonNode e = r.json();
        err.println(
            "sluice: function "
                + name
                + " failed: "
                + e.path("errorType").asText()
                + ": "
                + e.path("errorMessage").asText());
        for (JsonNode frame : e.path("stackTrace")) {
          err.println("  " + frame.asText());
        }
        return SluiceCommand.EXIT_FAILED;
      }
      spec.commandLine().getOut().println(r.body());
      return 0;
    }
  }

  @Command(
      name = "logs",
      mixinStandardHelpOptions = true,
      description = "Print a function's recent log lines; --follow keeps printing new ones.")
  static final class Logs implements Callable<Integer> {
    @Mixin ApiClient api;

    @Parameters(index = "0", paramLabel = "NAME", description = "The function.")
    String name;

    @Option(names = "--follow", description = "Keep waiting for new lines (Ctrl-C stops).")
    boolean follow;

    @Option(
        names = "--limit",
        defaultValue = "100",
        description = "Lines to show first, 1..1000 (default: ${DEFAULT-VALUE}).")
    int limit;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
      if (limit < 1 || limit > 1000) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "--limit: expected an integer from 1 to 1000, got " + limit);
      }
      long after = 0;
      String boot = null;
      var out = spec.commandLine().getOut();
      while (true) {
        ApiClient.Response r =
            api.send(
                "GET",
                "/functions/"
                    + URLEncoder.encode(name, StandardCharsets.UTF_8)
                    + "/logs?after="
                    + after
                    + "&limit="
                    + limit,
                null,
                null);
        if (r.status() != 200) {
          spec.commandLine().getErr().println("sluice: " + r.error());
          return SluiceCommand.EXIT_FAILED;
        }
        JsonNode page = r.json();
        String pageBoot = page.path("boot").asText();
        if (boot != null && !boot.equals(pageBoot)) {
          boot = pageBoot; // the server started again: its log is numbered from 1 again
          after = 0;
          continue;
        }
        boot = pageBoot;
        for (JsonNode l : page.get("lines")) {
          out.println(
              l.get("time").asText()
                  + " "
                  + (l.get("requestId").isNull() ? "-" : l.get("requestId").asText())
                  + " "
                  + l.get("stream").asText()
                  + " "
                  + l.get("text").asText());
        }
        out.flush();
        after = page.get("next").asLong();
        if (!follow) {
          return 0;
        }
        if (page.get("lines").isEmpty()) {
          Thread.sleep(500); // polling interval of --follow
        }
        limit = 1000;
      }
    }
  }
}

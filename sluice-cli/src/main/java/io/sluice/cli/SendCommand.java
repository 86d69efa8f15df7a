package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.TransientException;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice send}: one event from the command line, or a file of NDJSON events in batches with
 * a progress bar. Retries batches the server could not take yet (503), so nothing is dropped;
 * reports every rejected line with its reason and exits 1 if there was any.
 */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    description = {
      "Send events to a bus.",
      "  sluice send --bus orders --source shop --type OrderPlaced '{\"amount\":12}'",
      "  sluice send --bus orders --file events.ndjson",
      "With --file, each line is a whole event; with --source and --type too, each line is a detail."
    })
final class SendCommand implements Callable<Integer> {

  static final int BATCH_LINES = 500;
  static final int BATCH_BYTES = 4 << 20;

  @Mixin ApiClient api;

  @Option(
      names = "--bus",
      defaultValue = "default",
      description = "Bus (default: ${DEFAULT-VALUE}).")
  String bus;

  @Option(names = "--source", description = "Event source.")
  String source;

  @Option(names = "--type", description = "Event detail-type.")
  String type;

  @ArgGroup(exclusive = true, multiplicity = "1")
  What what;

  static final class What {
    @Parameters(
        paramLabel = "DETAIL",
        description = "The detail, a JSON object (needs --source and --type).")
    String detail;

    @Option(names = "--file", description = "A file of NDJSON events, one per line.")
    Path file;
  }

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    return what.file != null ? sendFile(what.file) : sendOne(what.detail);
  }

  private int sendOne(String detailText) {
    if (source == null || type == null) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "Missing required option "
              + (source == null ? "'--source'" : "'--type'")
              + ": a DETAIL needs --source and --type (or send whole events with --file)");
    }
    ObjectNode event = Json.MAPPER.createObjectNode();
    event.put("source", source);
    event.put("detail-type", type);
    event.set("detail", parseDetail(detailText, "DETAIL"));
    ApiClient.Response r =
        api.send(
            "POST",
            "/buses/" + bus + "/events",
            "application/json",
            event.toString().getBytes(StandardCharsets.UTF_8));
    if (r.status() != 200) {
      spec.commandLine().getErr().println("sluice: not stored: " + r.error());
      return SluiceCommand.EXIT_FAILED;
    }
    JsonNode e = r.json().get("entries").get(0);
    spec.commandLine()
        .getOut()
        .printf(
            "%s partition %d offset %d%n",
            e.get("id").asText(), e.get("partition").asInt(), e.get("offset").asLong());
    return 0;
  }

  private static JsonNode parseDetail(String text, String what) {
    try {
      JsonNode d = Json.MAPPER.readTree(text);
      if (d == null || !d.isObject()) {
        throw new IOException("not an object");
      }
      return d;
    } catch (IOException e) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of(
              "/" + what,
              "expected a JSON object like {\"amount\":12}, got " + Problem.render(text),
              Problem.render(text)));
    }
  }

  private int sendFile(Path file) throws IOException, InterruptedException {
    if (!Files.isReadable(file)) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of(
              "/file",
              "cannot read " + file + (Files.exists(file) ? "" : ": there is no such file")));
    }
    PrintWriter err = spec.commandLine().getErr();
    long total = Files.size(file);
    long stored = 0;
    List<String> rejected = new ArrayList<>();
    // the bar only for a person at a terminal; logs and pipes get the summary line alone
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        ProgressBar bar =
            Terminal.STDERR.isTerminal()
                ? new ProgressBarBuilder()
                    .setTaskName("sending")
                    .setInitialMax(total)
                    .setUnit(" KiB", 1024)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                    .build()
                : null) {
      List<Integer> lineNumbers = new ArrayList<>();
      ByteArrayOutputStream batch = new ByteArrayOutputStream();
      String line;
      int n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (bar != null) {
          bar.stepBy(line.length() + 1);
        }
        if (line.isBlank()) {
          continue;
        }
        byte[] b = (wrap(line, n) + "\n").getBytes(StandardCharsets.UTF_8);
        if (!lineNumbers.isEmpty()
            && (lineNumbers.size() >= BATCH_LINES || batch.size() + b.length > BATCH_BYTES)) {
          stored += post(batch.toByteArray(), lineNumbers, rejected);
          batch.reset();
          lineNumbers.clear();
        }
        batch.writeBytes(b);
        lineNumbers.add(n);
      }
      if (!lineNumbers.isEmpty()) {
        stored += post(batch.toByteArray(), lineNumbers, rejected);
      }
    }
    for (String r : rejected) {
      err.println(r);
    }
    spec.commandLine()
        .getOut()
        .printf(
            "sent %d event%s to bus %s, %d rejected%n",
            stored, stored == 1 ? "" : "s", bus, rejected.size());
    return rejected.isEmpty() ? 0 : SluiceCommand.EXIT_FAILED;
  }

  private String wrap(String line, int n) {
    if (source == null || type == null) {
      return line;
    }
    ObjectNode event = Json.MAPPER.createObjectNode();
    event.put("source", source);
    event.put("detail-type", type);
    try {
      event.set("detail", Json.MAPPER.readTree(line));
    } catch (IOException e) {
      return line; // let the server report the malformed line with its position
    }
    return event.toString();
  }

  /** Posts one NDJSON batch, retrying while the server asks to; returns events stored. */
  private long post(byte[] body, List<Integer> lineNumbers, List<String> rejected)
      throws InterruptedException {
    long backoffMs = 200;
    for (int attempt = 1; ; attempt++) {
      ApiClient.Response r =
          api.send("POST", "/buses/" + bus + "/events", "application/x-ndjson", body);
      if (r.status() == 503 || r.status() == 429) {
        if (attempt >= 30) {
          throw new TransientException(
              "the server stayed unavailable after " + attempt + " attempts: " + r.error());
        }
        Thread.sleep(r.retryAfterSeconds() > 0 ? r.retryAfterSeconds() * 1000 : backoffMs);
        backoffMs = Math.min(backoffMs * 2, 5000);
        continue;
      }
      if (r.status() != 200) {
        throw new TransientException(
            "batch starting at line " + lineNumbers.get(0) + " was refused: " + r.error());
      }
      JsonNode entries = r.json().get("entries");
      long ok = 0;
      List<Integer> retry = new ArrayList<>();
      for (int i = 0; i < entries.size(); i++) {
        JsonNode e = entries.get(i);
        if (e.has("id")) {
          ok++;
        } else if ("UNAVAILABLE".equals(e.path("error").path("code").asText())) {
          retry.add(i);
        } else {
          String msg = e.path("error").path("message").asText();
          String rest = msg.replaceFirst("^/\\d+", "");
          rejected.add(
              "line "
                  + lineNumbers.get(i)
                  + ": "
                  + e.path("error").path("code").asText()
                  + (rest.startsWith(":") ? "" : " ")
                  + rest);
        }
      }
      if (retry.isEmpty()) {
        return ok;
      }
      // resend only the entries the server could not take yet
      String[] lines = new String(body, StandardCharsets.UTF_8).split("\n");
      ByteArrayOutputStream again = new ByteArrayOutputStream();
      List<Integer> againLines = new ArrayList<>();
      for (int i : retry) {
        again.writeBytes((lines[i] + "\n").getBytes(StandardCharsets.UTF_8));
        againLines.add(lineNumbers.get(i));
      }
      Thread.sleep(backoffMs);
      return ok + post(again.toByteArray(), againLines, rejected);
    }
  }
}

package io.sluice.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs wrk (Debian package {@code wrk}) as the HTTP load generator: written in C, so it costs far
 * less CPU per request than a JVM client on the same 2 cores.
 */
public final class Wrk {

  /** One wrk run: requests/s, latency percentiles and how many answers were not 2xx. */
  public record Result(
      double requestsPerSecond, double p50Ms, double p99Ms, long non2xx, long requests) {}

  private Wrk() {}

  public static Result post(
      String url,
      String contentType,
      byte[] body,
      int threads,
      int connections,
      int seconds,
      Path work)
      throws IOException, InterruptedException {
    Path script = Files.createTempFile(work, "wrk-", ".lua");
    String lua =
        "wrk.method = \"POST\"\n"
            + "wrk.headers[\"Content-Type\"] = \""
            + contentType
            + "\"\n"
            + "wrk.body = [==["
            + new String(body, StandardCharsets.UTF_8)
            + "]==]\n"
            + "done = function(summary, latency, requests)\n"
            + "  io.write(string.format(\"SLUICE p50=%d p99=%d\\n\", latency:percentile(50), latency:percentile(99)))\n"
            + "end\n";
    Files.writeString(script, lua);
    Process p =
        new ProcessBuilder(
                List.of(
                    "wrk",
                    "-t",
                    Integer.toString(threads),
                    "-c",
                    Integer.toString(connections),
                    "-d",
                    seconds + "s",
                    "--timeout",
                    "10s",
                    "-s",
                    script.toString(),
                    url))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("wrk failed: " + out);
    }
    double rps = number(out, "Requests/sec:\\s+([0-9.]+)");
    long non2xx = (long) numberOr(out, "Non-2xx or 3xx responses:\\s+([0-9]+)", 0);
    long requests = (long) number(out, "([0-9]+) requests in");
    Matcher m = Pattern.compile("SLUICE p50=([0-9]+) p99=([0-9]+)").matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no latency in wrk output: " + out);
    }
    return new Result(
        rps,
        Long.parseLong(m.group(1)) / 1000.0,
        Long.parseLong(m.group(2)) / 1000.0,
        non2xx,
        requests);
  }

  private static double number(String out, String regex) {
    Matcher m = Pattern.compile(regex).matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("'" + regex + "' not in wrk output: " + out);
    }
    return Double.parseDouble(m.group(1));
  }

  private static double numberOr(String out, String regex, double def) {
    Matcher m = Pattern.compile(regex).matcher(out);
    return m.find() ? Double.parseDouble(m.group(1)) : def;
  }
}

package io.sluice.cli;

import ch.qos.logback.classic.Level;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.ServerConfig;
import io.sluice.core.config.SluiceConfig;
import io.sluice.server.SluiceKinds;
import io.sluice.server.SluiceServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice run [CONFIG]}: starts the server until SIGTERM or Ctrl-C. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Start the Sluice server. Without CONFIG it uses the embedded default (one bus named default).",
      "Stops cleanly on SIGTERM or Ctrl-C: in-flight requests finish with their fsync first."
    })
final class RunCommand implements Callable<Integer> {

  @Parameters(arity = "0..1", paramLabel = "CONFIG", description = "Configuration file (YAML).")
  Path config;

  @Option(
      names = "--port",
      description = "Port to listen on (default: from the config, else 7070; 0 picks a free one).")
  Integer port;

  @Option(
      names = "--host",
      description = "Address to listen on (default: from the config, else 127.0.0.1).")
  String host;

  @Option(
      names = "--data",
      description = "Data directory (default: from the config, else ./sluice-data).")
  Path data;

  @Option(names = "--insecure", description = "Allow a non-loopback address without API keys.")
  boolean insecure;

  @Option(
      names = "--log-level",
      description =
          "error, warn, info, debug or trace (default: server.logLevel from the config, else info)."
              + " Log targets print at any level.")
  String logLevel;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    if (logLevel != null && !ServerConfig.LOG_LEVELS.contains(logLevel)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--log-level: expected one of "
              + String.join(", ", ServerConfig.LOG_LEVELS)
              + ", got "
              + Problem.render(logLevel));
    }
    if (port != null && (port < 0 || port > 65535)) {
      spec.commandLine()
          .getErr()
          .println("sluice: --port: expected a port 0..65535 (0 picks a free one), got " + port);
      return SluiceCommand.EXIT_USAGE;
    }
    SluiceConfig c = load(config);
    setLogLevel(logLevel != null ? logLevel : c.server().logLevel());
    if (data != null) {
      c = c.withDataDir(data.toAbsolutePath().normalize());
    }
    if (port != null) {
      c = c.withServer(c.server().withPort(port));
    }
    if (host != null) {
      c = c.withServer(c.server().withHost(host));
    }
    SluiceServer server;
    // Javalin logs "Failed to start Javalin" before the exception that says why: ours says it
    var javalin = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.javalin.Javalin");
    Level javalinLevel = javalin.getLevel();
    javalin.setLevel(Level.OFF);
    try {
      server = SluiceServer.start(c, SluiceServer.Options.DEFAULTS.withInsecure(insecure));
    } catch (InvalidInputException e) {
      if (e.problems().size() == 1 && e.problems().get(0).path().startsWith("/server/")) {
        // where to listen: the message names the option to change (port 7070 is in use …)
        spec.commandLine().getErr().println("sluice: " + e.problems().get(0).message());
        return SluiceCommand.EXIT_FAILED;
      }
      throw e;
    } finally {
      javalin.setLevel(javalinLevel);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  Thread watchdog = watchdog(stopped, SHUTDOWN_LIMIT);
                  try {
                    server.close();
                  } finally {
                    stopped.countDown();
                    watchdog.interrupt();
                  }
                },
                "sluice-shutdown"));
    System.out.println(
        "Sluice is ready on "
            + server.url()
            + " (started in "
            + server.startupTime().toMillis()
            + " ms)");
    System.out.flush();
    stopped.await();
    return 0;
  }

  /**
   * How long a stop may take before the process ends anyway. Stopping finishes in-flight requests
   * (up to 10 s), the last lake commits and the cursors; whatever is not committed by then is
   * delivered again at the next start, so ending the process loses nothing.
   */
  static final Duration SHUTDOWN_LIMIT = Duration.ofSeconds(60);

  /**
   * Ends the process if stopping takes longer than {@code limit}, after logging what the Sluice
   * threads were doing: a target stuck in a call must not keep a stopped server alive.
   */
  static Thread watchdog(CountDownLatch stopped, Duration limit) {
    return Thread.ofPlatform()
        .daemon()
        .name("sluice-shutdown-watchdog")
        .start(
            () -> {
              try {
                if (stopped.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                  return;
                }
              } catch (InterruptedException e) {
                return;
              }
              StringBuilder b = new StringBuilder();
              Thread.getAllStackTraces()
                  .forEach(
                      (t, frames) -> {
                        if (t.getName().startsWith("sluice") && t != Thread.currentThread()) {
                          b.append("\n  ").append(t.getName()).append(" (").append(t.getState());
                          b.append(")");
                          for (int i = 0; i < Math.min(frames.length, 6); i++) {
                            b.append("\n      at ").append(frames[i]);
                          }
                        }
                      });
              LoggerFactory.getLogger(RunCommand.class)
                  .error(
                      "stopping took longer than {} s; ending the process now (what was not"
                          + " committed is delivered again at the next start). Threads:{}",
                      limit.toSeconds(),
                      b);
              Runtime.getRuntime().halt(1);
            });
  }

  /**
   * Sets the level of Sluice's own loggers; {@code log} targets (logger {@code sluice.target}) stay
   * at INFO, since what they print is output, not diagnostics.
   */
  static void setLogLevel(String level) {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.sluice"))
        .setLevel(Level.toLevel(level, Level.INFO));
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("sluice.target")).setLevel(Level.INFO);
  }

  static SluiceConfig load(Path config) {
    return config == null
        ? ConfigLoader.defaults()
        : ConfigLoader.load(config, SluiceKinds.forReading());
  }
}

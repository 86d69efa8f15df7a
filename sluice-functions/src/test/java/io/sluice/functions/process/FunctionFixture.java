package io.sluice.functions.process;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.functions.Functions.LogLine;
import io.sluice.core.functions.InvocationResult;
import io.sluice.core.functions.InvocationResult.Failure;
import io.sluice.core.functions.InvocationResult.Success;
import io.sluice.core.kinds.Kinds;
import io.sluice.functions.FunctionHost;
import io.sluice.functions.FunctionRuntimes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A function host started from a YAML {@code functions} section read by the config loader, with
 * code written by the test into a temporary directory. Close it to stop every process.
 */
final class FunctionFixture implements AutoCloseable {

  static final Kinds KINDS = Kinds.of().withRuntimes(FunctionRuntimes.kinds());

  /** How long a test waits for anything a process does: generous, for loaded machines. */
  static final Duration WAIT = Duration.ofSeconds(30);

  final Path dir;
  final FunctionHost host;

  private FunctionFixture(Path dir, FunctionHost host) {
    this.dir = dir;
    this.host = host;
  }

  /** Starts the functions of {@code functionsYaml} (the list under {@code functions:}). */
  static FunctionFixture start(Path dir, String functionsYaml) {
    SluiceConfig c = ConfigLoader.parse("functions:\n" + functionsYaml, "t.yaml", dir, KINDS);
    return new FunctionFixture(
        dir,
        FunctionHost.start(
            c.functions(),
            KINDS,
            dir.resolve("data"),
            Clock.systemUTC(),
            new SimpleMeterRegistry()));
  }

  static Path write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path executable(Path file, String text) {
    write(file, text);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  InvocationResult invoke(String function, String payload) {
    return host.invoke(function, payload.getBytes(StandardCharsets.UTF_8), "test", WAIT);
  }

  /** The result's JSON text; fails with the failure when it is one. */
  String success(String function, String payload) {
    InvocationResult r = invoke(function, payload);
    if (r instanceof Failure f) {
      throw new AssertionError("expected a success, got " + f + "\nlog:\n" + logText(function));
    }
    return ((Success) r).text();
  }

  Failure failure(String function, String payload) {
    InvocationResult r = invoke(function, payload);
    if (r instanceof Success s) {
      throw new AssertionError("expected a failure, got " + s.text());
    }
    return (Failure) r;
  }

  List<LogLine> logs(String function) {
    return host.logs(function, 0, 10_000);
  }

  String logText(String function) {
    return logs(function).stream()
        .map(l -> l.stream() + " " + l.requestId() + " " + l.text())
        .collect(Collectors.joining("\n"));
  }

  @Override
  public void close() {
    host.close();
  }
}

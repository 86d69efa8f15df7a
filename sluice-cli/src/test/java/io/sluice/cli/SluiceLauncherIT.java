package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the packaged {@code sluice} as a user would: through the launcher script. */
class SluiceLauncherIT {

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @TempDir Path tmp;

  record Result(int exit, String out, String err) {}

  static Result sluice(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ROOT.resolve("sluice").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("SLUICE_NO_BUILD", "1");
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  @Test
  void launcherRunsThePackagedJarFromAnyDirectory() throws Exception {
    Path data = tmp.resolve("data");

    Result append =
        sluice(Map.of(), "log", "append", "--data", data.toString(), "--log", "demo", "hello");
    Result read = sluice(Map.of(), "log", "read", "--data", data.toString(), "--log", "demo");

    assertThat(append.exit()).as(append.err()).isZero();
    assertThat(append.out()).isEqualTo("partition 0 offset 0\n");
    assertThat(read.out()).startsWith("0\t0\t").endsWith("\t-\thello\n");
  }

  @Test
  void launcherWithoutAJdk21ExplainsAndExitsTwo() throws Exception {
    Path fakeJdk = tmp.resolve("jvm/fake-17");
    Files.createDirectories(fakeJdk.resolve("bin"));
    Files.writeString(fakeJdk.resolve("release"), "JAVA_VERSION=\"17.0.9\"\n");
    for (String tool : List.of("java", "javac")) {
      Path t = fakeJdk.resolve("bin").resolve(tool);
      Files.writeString(t, "#!/bin/sh\necho 'openjdk version \"17.0.9\"' >&2\n");
      t.toFile().setExecutable(true);
    }

    Result r =
        sluice(
            Map.of(
                "JAVA_HOME", fakeJdk.toString(),
                "SLUICE_JVM_DIRS", tmp.resolve("jvm").toString(),
                "PATH", fakeJdk.resolve("bin") + ":/usr/bin:/bin"),
            "--version");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .startsWith(
            "sluice: a JDK 21 or newer is needed; none found. Looked at: JAVA_HOME="
                + fakeJdk
                + " (17)")
        .contains("set JAVA_HOME to it");
  }

  @Test
  void validateSchemaPrintsTheWholeSchemaIntoAPipe() throws Exception {
    Result r = sluice(Map.of(), "validate", "--schema");

    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .hasSizeGreaterThan(8192)
        .isEqualTo(Files.readString(ROOT.resolve("docs/sluice-config.schema.json")));
  }

  @Test
  void sendDrawsNoProgressBarWhenStderrIsNotATerminal() throws Exception {
    Path events = tmp.resolve("events.ndjson");
    Files.writeString(events, "{\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{}}\n");
    Path data = tmp.resolve("data");
    int port = PackagedServer.freePort();
    Path log = tmp.resolve("server.log");
    Process server =
        new ProcessBuilder(
                ROOT.resolve("sluice").toString(),
                "run",
                "--port",
                Integer.toString(port),
                "--data",
                data.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      new PackagedServer(tmp, "256m")
          .awaitReady(java.net.URI.create("http://127.0.0.1:" + port), server);

      Result r =
          sluice(
              Map.of("SLUICE_URL", "http://127.0.0.1:" + port),
              "send",
              "--file",
              events.toString());

      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).isEqualTo("sent 1 event to bus default, 0 rejected\n");
      assertThat(r.err()).isEmpty();
    } finally {
      server.destroy();
      assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aLogTargetPrintsEveryEventAtTheDefaultLevelAndTheLevelIsSetInTheConfig() throws Exception {
    Path config = tmp.resolve("sluice.yaml");
    int port = PackagedServer.freePort();
    Files.writeString(
        config,
        "server: {port: "
            + port
            + ", logLevel: warn}\n"
            + "rules:\n"
            + "  - {name: on-call, pattern: {source: [vitals]}, targets: [{id: print, log: {}}]}\n");
    Path log = tmp.resolve("server.log");
    Process server =
        new ProcessBuilder(ROOT.resolve("sluice").toString(), "run", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      java.net.URI base = java.net.URI.create("http://127.0.0.1:" + port);
      new PackagedServer(tmp, "256m").awaitReady(base, server);

      Result sent =
          sluice(
              Map.of("SLUICE_URL", base.toString()),
              "send",
              "--source",
              "vitals",
              "--type",
              "HeartRateHigh",
              "{\"patient\":\"p-7\",\"bpm\":181}");
      assertThat(sent.exit()).as(sent.err()).isZero();

      io.sluice.testkit.Await.until(
          java.time.Duration.ofSeconds(30),
          () -> readQuietly(log).contains("\"bpm\":181"),
          () -> "the log target printed nothing; the server's output:\n" + readQuietly(log));
      String out = Files.readString(log);
      assertThat(out)
          .containsPattern(
              "INFO +print - on-call/print: \\{.*\"detail\":\\{\"patient\":\"p-7\",\"bpm\":181\\}");
      // logLevel: warn silences Sluice's own INFO lines (the ready line goes to stdout)
      assertThat(out).doesNotContain("INFO  SluiceServer");
    } finally {
      server.destroy();
      assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }
}

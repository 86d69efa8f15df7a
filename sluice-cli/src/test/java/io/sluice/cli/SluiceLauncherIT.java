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
}

package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.testkit.Await;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The packaged server ({@code target/sluice.jar}) as a child process, for the kill -9 tests: start
 * it with a config, wait until it is ready, ask it SQL. Its output goes to {@code server.log} in
 * the test's directory.
 */
final class PackagedServer {

  static final Path JAR = Path.of("target/sluice.jar").toAbsolutePath();

  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  final Path dir;
  final String heap;

  PackagedServer(Path dir, String heap) {
    this.dir = dir;
    this.heap = heap;
  }

  Path log() {
    return dir.resolve("server.log");
  }

  /** The server's java.io.tmpdir: its own, so a test can see what it leaves there. */
  Path tmp() {
    return dir.resolve("jvm-tmp");
  }

  /** {@code java -Xmx<heap> -Djava.io.tmpdir=<tmp> -jar sluice.jar ARGS…}. */
  Process start(String... args) throws IOException {
    Files.createDirectories(tmp());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String[] cmd = new String[args.length + 5];
    cmd[0] = java;
    cmd[1] = "-Xmx" + heap;
    cmd[2] = "-Djava.io.tmpdir=" + tmp();
    cmd[3] = "-jar";
    cmd[4] = JAR.toString();
    System.arraycopy(args, 0, cmd, 5, args.length);
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
        .start();
  }

  void awaitReady(URI base, Process server) {
    Await.until(
        Duration.ofSeconds(60),
        () -> {
          if (!server.isAlive()) {
            throw new AssertionError("server exited; see " + log());
          }
          try {
            return http.send(
                        HttpRequest.newBuilder(base.resolve("/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString())
                    .statusCode()
                == 200;
          } catch (IOException | InterruptedException e) {
            return false;
          }
        },
        () -> "server not ready");
  }

  /** POST /query; fails the test unless the answer is 200. */
  JsonNode query(URI base, String sql) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve("/query"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        Json.MAPPER.createObjectNode().put("sql", sql).toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}

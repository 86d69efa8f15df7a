package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.testkit.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At least once through a function across kill -9: the packaged server hands every matched event to
 * a python3 function (which writes down each event id it sees) and puts each result on an onSuccess
 * bus; it is killed with SIGKILL while the function is busy, and started again. Every acknowledged
 * event reaches the function at least once, and every one has its result on the results bus.
 */
class FunctionKillNineIT {

  @TempDir Path dir;

  @Test
  void everyMatchedEventReachesTheFunctionAndEverySuccessReachesOnSuccess() throws Exception {
    PackagedServer packaged = new PackagedServer(dir, "512m");
    Files.createDirectories(dir.resolve("fn"));
    Path seen = dir.resolve("seen.txt");
    Files.writeString(
        dir.resolve("fn/app.py"),
        """
        import os, time

        def handler(event, context):
            with open(os.environ["SEEN"], "a") as f:
                f.write(event["id"] + "\\n")
            time.sleep(0.002)   # busy: a kill finds invocations in flight
            return {"id": event["id"], "handled": True}
        """,
        StandardCharsets.UTF_8);
    int port = PackagedServer.freePort();
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        """
        server: {port: %d}
        storage: {dir: data}
        buses: [{name: default}, {name: results}]
        functions:
          - {name: handle, runtime: python3, handler: app.handler, code: fn, timeout: 10s,
             concurrency: 4, environment: {SEEN: "%s"}}
        rules:
          - name: all
            pattern: {source: [load]}
            targets:
              - {id: fn, function: {name: handle, onSuccess: {bus: results}}, concurrency: 4}
        """
            .formatted(port, seen));
    URI base = URI.create("http://127.0.0.1:" + port);
    Set<String> acked = ConcurrentHashMap.newKeySet();
    for (int cycle = 0; cycle < 2; cycle++) {
      Process server = packaged.start("run", config.toString());
      try {
        packaged.awaitReady(base, server);
        AtomicBoolean stop = new AtomicBoolean();
        int c = cycle;
        Thread producer =
            Thread.ofVirtual()
                .start(
                    () -> {
                      int n = 0;
                      while (!stop.get()) {
                        String id = "f" + c + "-" + n++;
                        if (post(packaged, base, id)) {
                          acked.add(id);
                        }
                      }
                    });
        int goal = acked.size() + 200;
        Await.until(
            Duration.ofSeconds(60), () -> acked.size() >= goal, () -> acked.size() + " acked");
        if (cycle == 0) {
          Await.until(
              Duration.ofSeconds(60), () -> lines(seen).size() >= 50, () -> "function idle");
          server.destroyForcibly(); // SIGKILL while the function is busy
          assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        stop.set(true);
        producer.join();
        if (cycle == 1) {
          Await.until(
              Duration.ofSeconds(120),
              () ->
                  new HashSet<>(lines(seen)).containsAll(acked)
                      && results(packaged, base).containsAll(acked),
              () ->
                  "function saw "
                      + new HashSet<>(lines(seen)).size()
                      + ", results "
                      + results(packaged, base).size()
                      + " of "
                      + acked.size());
        }
      } finally {
        if (cycle == 1) {
          server.destroy();
          server.waitFor(60, TimeUnit.SECONDS);
        } else {
          server.destroyForcibly();
        }
      }
    }
    assertThat(new HashSet<>(lines(seen))).containsAll(acked);
    assertThat(acked.size()).isGreaterThan(350);
  }

  /**
   * A handler still running when Sluice is killed with SIGKILL ends too: Sluice's python3 bootstrap
   * watches its parent, so no interpreter is left behind (here one that would sleep for two more
   * minutes).
   */
  @Test
  void aHandlerRunningWhenSluiceIsKilledEndsWithIt() throws Exception {
    PackagedServer packaged = new PackagedServer(dir, "512m");
    Files.createDirectories(dir.resolve("slow"));
    Path started = dir.resolve("started.txt");
    Files.writeString(
        dir.resolve("slow/app.py"),
        """
        import os, time

        def handler(event, context):
            with open(os.environ["STARTED"], "a") as f:
                f.write("started\\n")
            time.sleep(120)
            return {}
        """,
        StandardCharsets.UTF_8);
    int port = PackagedServer.freePort();
    Path config = dir.resolve("slow.yaml");
    Files.writeString(
        config,
        """
        server: {port: %d}
        storage: {dir: slow-data}
        buses: [{name: default}]
        functions:
          - {name: slow, runtime: python3, handler: app.handler, code: slow, timeout: 5m,
             environment: {STARTED: "%s"}}
        """
            .formatted(port, started));
    URI base = URI.create("http://127.0.0.1:" + port);
    Process server = packaged.start("run", config.toString());
    List<ProcessHandle> children;
    try {
      packaged.awaitReady(base, server);
      HttpResponse<String> r =
          packaged.http.send(
              HttpRequest.newBuilder(base.resolve("/2015-03-31/functions/slow/invocations"))
                  .header("X-Amz-Invocation-Type", "Event")
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      Await.until(
          Duration.ofSeconds(60), () -> !lines(started).isEmpty(), () -> "the handler never ran");
      children = server.toHandle().descendants().toList();
      assertThat(children).as("the function's processes").isNotEmpty();
    } finally {
      server.destroyForcibly();
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    Await.until(
        Duration.ofSeconds(20),
        () -> children.stream().noneMatch(ProcessHandle::isAlive),
        () ->
            "still running after Sluice was killed: "
                + children.stream()
                    .filter(ProcessHandle::isAlive)
                    .map(h -> h.pid() + " " + h.info().commandLine().orElse("?"))
                    .toList());
  }

  private static boolean post(PackagedServer p, URI base, String id) {
    try {
      HttpResponse<String> r =
          p.http.send(
              HttpRequest.newBuilder(base.resolve("/buses/default/events"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"id\":\"" + id + "\",\"source\":\"load\",\"detail-type\":\"T\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static List<String> lines(Path p) {
    try {
      return Files.exists(p) ? Files.readAllLines(p) : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The event ids whose result is on the results bus. */
  private static Set<String> results(PackagedServer p, URI base) {
    Set<String> ids = new HashSet<>();
    String cursor = null;
    try {
      while (true) {
        String q = cursor == null ? "?from=earliest&limit=1000" : "?limit=1000&cursor=" + cursor;
        HttpResponse<String> r =
            p.http.send(
                HttpRequest.newBuilder(base.resolve("/buses/results/events" + q)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode page = Json.MAPPER.readTree(r.body());
        for (JsonNode e : page.path("events")) {
          ids.add(e.path("event").path("detail").path("id").asText());
        }
        if (page.path("events").isEmpty()) {
          return ids;
        }
        cursor = page.path("next").asText();
      }
    } catch (IOException | InterruptedException e) {
      return ids;
    }
  }
}

package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.testkit.Await;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The object store is atomic: any valid key is stored whatever the file system's name rules, and
 * every write is all or nothing with exactly one event, however many clients write one key.
 */
class ObjectsAtomicityTest {

  @TempDir Path dir;

  static final String YAML = "buses: [{name: default}]\nobjects: {bus: default}\n";

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  static ServerFixture.Response put(ServerFixture s, String path, byte[] body) {
    return s.send(
        HttpRequest.newBuilder(s.uri(path))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  static ServerFixture.Response delete(ServerFixture s, String path) {
    return s.send(HttpRequest.newBuilder(s.uri(path)).DELETE().build());
  }

  /** Object events on the bus, as "type key". */
  static List<String> events(ServerFixture s) {
    List<String> out = new ArrayList<>();
    String cursor = null;
    while (true) {
      JsonNode page =
          s.get(
                  "/buses/default/events?limit=1000"
                      + (cursor == null ? "&from=earliest" : "&cursor=" + cursor))
              .json();
      for (JsonNode e : page.get("events")) {
        out.add(
            e.get("event").get("detail-type").asText()
                + " "
                + e.get("event").get("detail").get("object").get("key").asText());
      }
      if (page.get("events").isEmpty()) {
        return out;
      }
      cursor = page.get("next").asText();
    }
  }

  @Test
  void keysThatFileSystemsRefuseAreStoredWithTheirEvent() throws Exception {
    try (ServerFixture s = ServerFixture.start(dir, YAML)) {
      String segment = "s".repeat(255) + "x"; // one segment over 255 characters
      String longKey = "k".repeat(255); // 255 characters
      for (String key : List.of(segment + "/end", longKey, "mc/a", "mc/a.json/x", "mc/a.json")) {
        ServerFixture.Response r =
            put(s, "/objects/mc/" + key, key.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(key + ": " + r.body()).isEqualTo(200);
        assertThat(s.get("/objects/mc/" + key).body()).isEqualTo(key);
      }
      assertThat(events(s))
          .containsExactly(
              "Object Created " + segment + "/end",
              "Object Created " + longKey,
              "Object Created mc/a",
              "Object Created mc/a.json/x",
              "Object Created mc/a.json");
      // a trailing slash is not dropped by the router: the key is refused
      ServerFixture.Response slash = put(s, "/objects/mc/a/b/", new byte[] {1});
      assertThat(slash.status()).isEqualTo(400);
      assertThat(slash.json().get("message").asText())
          .isEqualTo("/key: expected a key that does not end with /, got \"a/b/\"");
      assertThat(s.get("/objects/mc/a/b").status()).isEqualTo(404);
      assertThat(delete(s, "/objects/mc/nothing").status()).isEqualTo(404);
    }
  }

  @Test
  void concurrentWritesOfOneKeyAreAllOrNothingWithOneEventEach() throws Exception {
    try (ServerFixture s = ServerFixture.start(dir, YAML)) {
      Map<String, byte[]> versions = new ConcurrentHashMap<>();
      AtomicInteger puts = new AtomicInteger();
      AtomicInteger deletes = new AtomicInteger();
      AtomicInteger reads = new AtomicInteger();
      List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        work.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 60; i++) {
                    try {
                      switch ((thread + i) % 3) {
                        case 0 -> {
                          byte[] body = new byte[20_000 + thread * 1000 + i];
                          java.util.Arrays.fill(body, (byte) ('a' + thread));
                          versions.put(sha256(body), body);
                          ServerFixture.Response r = put(s, "/objects/race/one", body);
                          if (r.status() == 200) {
                            puts.incrementAndGet();
                          } else {
                            problems.add("PUT " + r.status() + " " + r.body());
                          }
                        }
                        case 1 -> {
                          ServerFixture.Response r = delete(s, "/objects/race/one");
                          if (r.status() == 204) {
                            deletes.incrementAndGet();
                          } else if (r.status() != 404) {
                            problems.add("DELETE " + r.status() + " " + r.body());
                          }
                        }
                        default -> {
                          HttpResponse<byte[]> r =
                              s.http.send(
                                  HttpRequest.newBuilder(s.uri("/objects/race/one")).build(),
                                  HttpResponse.BodyHandlers.ofByteArray());
                          if (r.statusCode() == 200) {
                            reads.incrementAndGet();
                            String etag =
                                r.headers().firstValue("ETag").orElse("").replace("\"", "");
                            if (!sha256(r.body()).equals(etag)) {
                              problems.add("GET body does not match its ETag " + etag);
                            }
                            if (!versions.containsKey(etag)) {
                              problems.add("GET returned bytes no PUT sent");
                            }
                          } else if (r.statusCode() != 404) {
                            problems.add("GET " + r.statusCode());
                          }
                        }
                      }
                    } catch (Exception e) {
                      problems.add(e.toString());
                    }
                  }
                }));
      }
      for (Future<?> f : work) {
        f.get();
      }
      pool.shutdown();
      assertThat(problems).isEmpty();
      assertThat(puts.get()).isPositive();
      assertThat(deletes.get()).isPositive();
      assertThat(reads.get()).isPositive();
      Await.until(
          Duration.ofSeconds(10),
          () -> events(s).size() == puts.get() + deletes.get(),
          () -> events(s).size() + " events for " + puts.get() + " PUTs and " + deletes.get());
      List<String> events = events(s);
      assertThat(events.stream().filter(e -> e.startsWith("Object Created")).count())
          .isEqualTo(puts.get());
      assertThat(events.stream().filter(e -> e.startsWith("Object Deleted")).count())
          .isEqualTo(deletes.get());
      // events of one key alternate sensibly: never two deletes without a create between them
      String last = "Object Deleted";
      for (String e : events) {
        if (e.startsWith("Object Deleted")) {
          assertThat(last).as("a delete follows a create").startsWith("Object Created");
        }
        last = e;
      }
    }
  }
}

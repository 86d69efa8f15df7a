package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.sluice.testkit.Await;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook target through a running server: the engine retries a 503, every attempt carries the
 * same webhook-id (the event id) and a valid signature, and a 400 is a dead letter at once.
 */
class WebhookTargetTest {

  @TempDir Path dir;

  static final byte[] KEY = new byte[32];
  static final String SECRET;

  static {
    for (int i = 0; i < KEY.length; i++) {
      KEY[i] = (byte) (i * 7 + 3);
    }
    SECRET = "whsec_" + Base64.getEncoder().encodeToString(KEY);
  }

  record Hit(String id, String timestamp, String signature, String body) {}

  @Test
  void retriesKeepTheWebhookIdAndEveryAttemptIsSigned() throws Exception {
    List<Hit> hits = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger failuresLeft = new AtomicInteger(2);
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/",
        x -> {
          String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          var h = x.getRequestHeaders();
          hits.add(
              new Hit(
                  h.getFirst("webhook-id"),
                  h.getFirst("webhook-timestamp"),
                  h.getFirst("webhook-signature"),
                  body));
          int status = x.getRequestURI().getPath().equals("/bad") ? 400 : 200;
          if (status == 200 && failuresLeft.getAndDecrement() > 0) {
            status = 503;
          }
          x.sendResponseHeaders(status, -1);
          x.close();
        });
    http.start();
    String base = "http://127.0.0.1:" + http.getAddress().getPort();
    try (ServerFixture s =
        ServerFixture.start(
            dir,
            """
            rules:
              - name: orders
                pattern: {source: [shop]}
                targets:
                  - id: hook
                    retry: {initialBackoff: 100ms, maxBackoff: 200ms}
                    webhook: {url: "%s/in", secret: "%s"}
                  - id: bad
                    webhook: {url: "%s/bad", secret: "%s"}
            """
                .formatted(base, SECRET, base, SECRET))) {
      var put =
          s.post(
              "/buses/default/events",
              "application/json",
              "{\"id\":\"ev-42\",\"source\":\"shop\",\"detail-type\":\"Order\",\"detail\":{}}");
      assertThat(put.status()).as(put.body()).isEqualTo(200);
      Await.until(
          Duration.ofSeconds(30),
          () -> hits.stream().filter(h -> h.body().contains("ev-42")).count() >= 4,
          () -> "hits: " + hits);
      Await.until(
          Duration.ofSeconds(30),
          () -> s.get("/dead-letters").json().path("deadLetters").size() == 1,
          () -> s.get("/dead-letters").body());
      var d = s.get("/dead-letters").json().path("deadLetters").get(0);
      assertThat(d.path("target").asText()).isEqualTo("bad");
      assertThat(d.path("error").asText()).isEqualTo(base + "/bad answered 400");
    } finally {
      http.stop(0);
    }
    // 2 × 503 and the 200 to /in, one 400 to /bad: all with the event's id, each signed
    assertThat(hits).hasSize(4);
    for (Hit h : hits) {
      assertThat(h.id()).isEqualTo("ev-42");
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
      String expected =
          "v1,"
              + Base64.getEncoder()
                  .encodeToString(
                      mac.doFinal(
                          (h.id() + "." + h.timestamp() + "." + h.body())
                              .getBytes(StandardCharsets.UTF_8)));
      assertThat(h.signature()).isEqualTo(expected);
    }
  }
}

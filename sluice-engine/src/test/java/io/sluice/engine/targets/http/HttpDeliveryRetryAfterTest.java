package io.sluice.engine.targets.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.sluice.core.targets.DeliveryException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code Retry-After} from a real HTTP server: delta-seconds and HTTP dates against the clock. */
class HttpDeliveryRetryAfterTest {

  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);

  HttpServer server;
  final AtomicReference<String> retryAfter = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        x -> {
          x.getRequestBody().readAllBytes();
          x.getResponseHeaders().add("Retry-After", retryAfter.get());
          x.sendResponseHeaders(503, -1);
          x.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  Duration retryAfterOf(String header) throws Exception {
    retryAfter.set(header);
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/in";
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(url))
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();
    AtomicReference<Duration> after = new AtomicReference<>();
    try (HttpDelivery d = new HttpDelivery(Duration.ofSeconds(5), CLOCK)) {
      assertThatThrownBy(() -> d.send(req, url))
          .isInstanceOfSatisfying(
              DeliveryException.class,
              e -> {
                assertThat(e.retryable()).isTrue();
                assertThat(e.getMessage()).isEqualTo(url + " answered 503");
                after.set(e.retryAfter());
              });
    }
    return after.get();
  }

  @Test
  void deltaSecondsAreTheWait() throws Exception {
    assertThat(retryAfterOf("7")).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void anHttpDateIsTheWaitFromTheClocksNow() throws Exception {
    assertThat(retryAfterOf("Sun, 01 Mar 2026 10:02:00 GMT")).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void anHttpDateInThePastIsNoWait() throws Exception {
    assertThat(retryAfterOf("Sun, 01 Mar 2026 09:00:00 GMT")).isEqualTo(Duration.ZERO);
  }

  @Test
  void somethingElseIsNoHint() throws Exception {
    assertThat(retryAfterOf("soon")).isNull();
  }
}

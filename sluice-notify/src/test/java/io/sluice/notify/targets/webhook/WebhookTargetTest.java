package io.sluice.notify.targets.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.TargetConfig;
import io.sluice.core.kinds.Kinds;
import io.sluice.core.kinds.TargetContext;
import io.sluice.core.kinds.TargetKind;
import io.sluice.core.targets.DeliveryException;
import io.sluice.core.targets.Outbound;
import io.sluice.core.targets.Sender;
import io.sluice.core.transform.TransformOutput;
import io.sluice.engine.targets.EngineTargets;
import io.sluice.notify.NotifyTargets;
import io.sluice.testkit.MutableClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The webhook target against a real HTTP server: Standard Webhooks signatures checked with an
 * independent HMAC, the Slack format, raw payloads, and how answers are classified.
 */
class WebhookTargetTest {

  static final Kinds KINDS = Kinds.of(EngineTargets.kinds(), NotifyTargets.kinds(null));
  static final byte[] KEY = "a key of twenty-four+ bytes, random".getBytes(StandardCharsets.UTF_8);
  static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(KEY);

  record Received(Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  HttpServer server;
  final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger status = new AtomicInteger(200);
  final AtomicReference<String> retryAfter = new AtomicReference<>();
  final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        x -> {
          received.add(new Received(x.getRequestHeaders(), x.getRequestBody().readAllBytes()));
          if (retryAfter.get() != null) {
            x.getResponseHeaders().add("Retry-After", retryAfter.get());
          }
          byte[] answer = ("answer " + status.get()).getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(status.get(), answer.length);
          x.getResponseBody().write(answer);
          x.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/in";
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  Sender sender(String webhook) {
    var config =
        ConfigLoader.parse(
            "rules: [{name: r, pattern: {source: [shop]}, targets: [{id: t, timeout: 5s, webhook: "
                + webhook
                + "}]}]",
            "t",
            Path.of("/"),
            KINDS);
    TargetConfig target = config.rules().get(0).targets().get(0);
    TargetKind kind = KINDS.target("webhook");
    return kind.sender(target.spec(), new TargetContext("default", "r", target, clock, null));
  }

  static final String EVENT =
      "{\"version\":\"0\",\"id\":\"ev-1\",\"source\":\"shop\",\"detail-type\":\"Order Placed\","
          + "\"time\":\"2026-03-01T09:59:00Z\",\"detail\":{\"id\":\"o-7\",\"amount\":42}}";

  static Outbound outbound(String json) throws Exception {
    JsonNode tree = Json.MAPPER.readTree(json);
    return new Outbound(
        "default",
        "r",
        tree.path("id").asText(),
        new TransformOutput.Json(tree, json.getBytes(StandardCharsets.UTF_8)),
        null,
        tree,
        0,
        7,
        false,
        false,
        0);
  }

  /** The Standard Webhooks signature, computed here without the code under test. */
  static String expectedSignature(String id, String timestamp, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
    byte[] signed =
        (id + "." + timestamp + "." + new String(body, StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8);
    return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(signed));
  }

  @Test
  void standardWebhooksAreSignedAsTheSpecSays() throws Exception {
    try (Sender s =
        sender("{url: '" + url() + "', secret: '" + SECRET + "', headers: {X-Team: ops}}")) {
      s.send(List.of(outbound(EVENT)));
    }
    assertThat(received).hasSize(1);
    Received r = received.get(0);
    assertThat(r.text()).isEqualTo(EVENT);
    assertThat(r.header("Content-Type")).isEqualTo("application/json");
    assertThat(r.header("webhook-id")).isEqualTo("ev-1");
    assertThat(r.header("webhook-timestamp"))
        .isEqualTo(Long.toString(Instant.parse("2026-03-01T10:00:00Z").getEpochSecond()));
    assertThat(r.header("webhook-signature"))
        .isEqualTo(expectedSignature("ev-1", r.header("webhook-timestamp"), r.body()));
    assertThat(r.header("X-Team")).isEqualTo("ops");
  }

  @Test
  void theWebhookIdStaysTheSameOnEveryAttemptAndTheTimestampIsTheAttempts() throws Exception {
    try (Sender s = sender("{url: '" + url() + "', secret: '" + SECRET + "'}")) {
      status.set(503);
      retryAfter.set("7");
      assertThatThrownBy(() -> s.send(List.of(outbound(EVENT))))
          .isInstanceOfSatisfying(
              DeliveryException.class,
              e -> {
                assertThat(e.retryable()).isTrue();
                assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
                assertThat(e.getMessage()).contains("answered 503").contains("answer 503");
              });
      clock.advance(Duration.ofSeconds(90));
      status.set(204);
      retryAfter.set(null);
      s.send(List.of(outbound(EVENT)));
    }
    assertThat(received).hasSize(2);
    assertThat(received.get(0).header("webhook-id"))
        .isEqualTo(received.get(1).header("webhook-id"));
    long t0 = Long.parseLong(received.get(0).header("webhook-timestamp"));
    long t1 = Long.parseLong(received.get(1).header("webhook-timestamp"));
    assertThat(t1 - t0).isEqualTo(90);
    for (Received r : received) {
      assertThat(r.header("webhook-signature"))
          .isEqualTo(expectedSignature("ev-1", r.header("webhook-timestamp"), r.body()));
    }
  }

  @Test
  void answersAreClassifiedAsTheHttpTargetDoes() throws Exception {
    try (Sender s = sender("{url: '" + url() + "', secret: '" + SECRET + "'}")) {
      status.set(429);
      assertThatThrownBy(() -> s.send(List.of(outbound(EVENT))))
          .isInstanceOfSatisfying(DeliveryException.class, e -> assertThat(e.retryable()).isTrue());
      status.set(410);
      assertThatThrownBy(() -> s.send(List.of(outbound(EVENT))))
          .isInstanceOfSatisfying(
              DeliveryException.class,
              e -> {
                assertThat(e.retryable()).isFalse();
                assertThat(e.getMessage()).isEqualTo(url() + " answered 410: answer 410");
              });
    }
    server.stop(0);
    try (Sender s = sender("{url: '" + url() + "', secret: '" + SECRET + "'}")) {
      assertThatThrownBy(() -> s.send(List.of(outbound(EVENT))))
          .isInstanceOfSatisfying(
              DeliveryException.class,
              e -> {
                assertThat(e.retryable()).isTrue();
                assertThat(e.getMessage()).startsWith("cannot connect to " + url());
              });
    }
  }

  @Test
  void slackGetsATextFromTheTemplateOrASummary() throws Exception {
    try (Sender s =
        sender(
            "{url: '"
                + url()
                + "', format: slack, text: 'Order {{detail.id}}: {{detail.amount}} EUR'}")) {
      s.send(List.of(outbound(EVENT)));
    }
    try (Sender s = sender("{url: '" + url() + "', format: slack}")) {
      s.send(List.of(outbound(EVENT)));
    }
    assertThat(received).hasSize(2);
    assertThat(Json.MAPPER.readTree(received.get(0).body()))
        .isEqualTo(Json.MAPPER.readTree("{\"text\":\"Order o-7: 42 EUR\"}"));
    assertThat(received.get(0).header("Content-Type")).isEqualTo("application/json");
    assertThat(received.get(0).header("webhook-signature")).isNull();
    assertThat(Json.MAPPER.readTree(received.get(1).body()).path("text").asText())
        .isEqualTo("Order Placed from shop (ev-1, 2026-03-01T09:59:00Z)");
  }

  @Test
  void rawPostsThePayloadAsItIs() throws Exception {
    try (Sender s = sender("{url: '" + url() + "', format: raw}")) {
      s.send(
          List.of(
              new Outbound("default", "r", "ev-2", new TransformOutput.Text("plain words"), null)));
    }
    assertThat(received.get(0).text()).isEqualTo("plain words");
    assertThat(received.get(0).header("Content-Type")).startsWith("text/plain");
    assertThat(received.get(0).header("webhook-id")).isNull();
  }

  @Test
  void theUrlIsRedactedInErrorsAndInToString() throws Exception {
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    String secretUrl = base + "/services/T000/B000/XXXX";
    String shown = base + "/services/…";
    status.set(404);
    try (Sender s = sender("{url: '" + secretUrl + "', format: slack}")) {
      assertThatThrownBy(() -> s.send(List.of(outbound(EVENT))))
          .isInstanceOfSatisfying(
              DeliveryException.class,
              e -> {
                assertThat(e.retryable()).isFalse();
                assertThat(e.getMessage()).isEqualTo(shown + " answered 404: answer 404");
              });
    }
    server.stop(0);
    try (Sender s = sender("{url: '" + secretUrl + "', format: slack}")) {
      assertThatThrownBy(() -> s.send(List.of(outbound(EVENT))))
          .isInstanceOfSatisfying(
              DeliveryException.class,
              e -> {
                assertThat(e.retryable()).isTrue();
                assertThat(e.getMessage()).startsWith("cannot connect to " + shown + ":");
                assertThat(e.getMessage()).doesNotContain("XXXX").doesNotContain("T000");
              });
    }
    WebhookTarget t =
        new WebhookTarget(
            "https://hooks.slack.com/services/T000/B000/XXXX",
            null,
            WebhookTarget.Format.SLACK,
            null,
            Map.of());
    assertThat(t.toString())
        .contains("url=https://hooks.slack.com/services/…")
        .doesNotContain("T000")
        .doesNotContain("XXXX");
    assertThat(WebhookTarget.redact("https://h.example.com/hook?token=abc"))
        .isEqualTo("https://h.example.com/hook?…");
    assertThat(WebhookTarget.redact("https://user:pw@h.example.com/a/b"))
        .isEqualTo("https://h.example.com/a/…");
    assertThat(WebhookTarget.redact("https://h.example.com")).isEqualTo("https://h.example.com");
  }

  @Test
  void aRetryAfterDateIsTheWaitFromTheNodesClock() throws Exception {
    try (Sender s = sender("{url: '" + url() + "', secret: '" + SECRET + "'}")) {
      status.set(503);
      retryAfter.set("Sun, 01 Mar 2026 10:02:30 GMT"); // the clock is at 10:00:00
      assertThatThrownBy(() -> s.send(List.of(outbound(EVENT))))
          .isInstanceOfSatisfying(
              DeliveryException.class,
              e -> {
                assertThat(e.retryable()).isTrue();
                assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(150));
              });
      retryAfter.set("Sun, 01 Mar 2026 09:59:00 GMT");
      assertThatThrownBy(() -> s.send(List.of(outbound(EVENT))))
          .isInstanceOfSatisfying(
              DeliveryException.class, e -> assertThat(e.retryAfter()).isEqualTo(Duration.ZERO));
    }
  }
}

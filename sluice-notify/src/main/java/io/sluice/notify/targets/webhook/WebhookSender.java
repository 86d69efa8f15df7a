package io.sluice.notify.targets.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.targets.DeliveryException;
import io.sluice.core.targets.Outbound;
import io.sluice.core.targets.Sender;
import io.sluice.core.transform.TransformOutput;
import io.sluice.engine.targets.http.HttpDelivery;
import io.sluice.notify.Templates;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * One POST per event, through the http target's client and answer classification ({@link
 * HttpDelivery}: 2xx delivered; 408, 429, 5xx and connection failures retried with Retry-After;
 * other 4xx permanent), naming the URL redacted ({@link WebhookTarget#redactedUrl()}). The {@code
 * webhook-id} is the event id, the same on every retry, so a receiver can drop duplicates; the
 * timestamp and signature are those of the attempt.
 */
final class WebhookSender implements Sender {

  private final WebhookTarget spec;
  private final Clock clock;
  private final HttpDelivery delivery;
  private final URI uri;
  private final String shownUrl;
  private final WebhookSigner signer;
  private final Templates.Template slackText;

  WebhookSender(WebhookTarget spec, Duration timeout, Clock clock) {
    this.spec = spec;
    this.clock = clock;
    this.delivery = new HttpDelivery(timeout, clock);
    this.uri = URI.create(spec.url());
    this.shownUrl = spec.redactedUrl();
    this.signer = spec.secret() == null ? null : new WebhookSigner(spec.secret());
    this.slackText =
        spec.format() == WebhookTarget.Format.SLACK
            ? Templates.text(spec.text() == null ? WebhookTarget.DEFAULT_SLACK_TEXT : spec.text())
            : null;
  }

  @Override
  public void send(java.util.List<Outbound> items) throws DeliveryException {
    for (Outbound o : items) {
      send(o);
    }
  }

  private void send(Outbound o) throws DeliveryException {
    byte[] body;
    String contentType;
    if (spec.format() == WebhookTarget.Format.SLACK) {
      String text;
      if (spec.text() == null && o.body() instanceof TransformOutput.Text t) {
        text = t.text();
      } else {
        JsonNode tree = o.body() instanceof TransformOutput.Json j ? j.tree() : o.event();
        text = slackText.render(tree == null ? Map.of() : tree);
      }
      body =
          Json.MAPPER
              .createObjectNode()
              .put("text", text)
              .toString()
              .getBytes(StandardCharsets.UTF_8);
      contentType = "application/json";
    } else {
      body = o.body().bytes();
      contentType =
          spec.format() == WebhookTarget.Format.STANDARD
              ? "application/json"
              : o.body().contentType();
      if (spec.format() == WebhookTarget.Format.STANDARD
          && o.body() instanceof TransformOutput.Text t) {
        // a text result is sent as a JSON string: the standard's payload is JSON
        body =
            Json.MAPPER
                .getNodeFactory()
                .textNode(t.text())
                .toString()
                .getBytes(StandardCharsets.UTF_8);
      }
    }
    HttpRequest.Builder req =
        HttpRequest.newBuilder(uri)
            .timeout(delivery.timeout())
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .header("Content-Type", contentType)
            .header("User-Agent", "Sluice");
    if (signer != null) {
      String id = webhookId(o);
      long ts = clock.millis() / 1000;
      req.header("webhook-id", id)
          .header("webhook-timestamp", Long.toString(ts))
          .header("webhook-signature", signer.sign(id, ts, body));
    }
    for (Map.Entry<String, String> h : spec.headers().entrySet()) {
      req.header(h.getKey(), h.getValue());
    }
    // the URL may be the secret (Slack's is): errors name it redacted
    delivery.send(req.build(), shownUrl);
  }

  /** The event id; for an event without one, its place on the bus (also stable across retries). */
  static String webhookId(Outbound o) {
    if (o.eventId() != null && !o.eventId().isEmpty()) {
      return o.eventId();
    }
    return o.bus() + "-" + o.partition() + "-" + o.offset();
  }

  @Override
  public void close() {
    delivery.close();
  }
}

package io.sluice.engine.targets.http;

import io.sluice.core.targets.DeliveryException;
import io.sluice.core.targets.Outbound;
import io.sluice.core.targets.Sender;
import io.sluice.core.transform.TransformOutput;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Sends to an HTTP endpoint: one event per request, or a JSON array of several with batching. 2xx
 * is delivered; 408, 429, 5xx, timeouts and connection failures are retried (honouring {@code
 * Retry-After}); any other status is permanent and goes to the dead letters with the status and the
 * start of the response body. Each request carries {@code Sluice-Rule} and, for replays, {@code
 * Sluice-Replay-Name}.
 */
final class HttpSender implements Sender {

  private final HttpTarget target;
  private final Duration timeout;
  private final boolean batching;
  private final HttpDelivery delivery;
  private final URI uri;

  HttpSender(HttpTarget target, Duration timeout, boolean batching, Clock clock) {
    this.target = target;
    this.timeout = timeout;
    this.batching = batching;
    this.uri = URI.create(target.url());
    this.delivery = new HttpDelivery(timeout, clock);
  }

  @Override
  public void send(List<Outbound> items) throws DeliveryException {
    byte[] body;
    String contentType;
    if (batching) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.write('[');
      for (int i = 0; i < items.size(); i++) {
        if (i > 0) {
          b.write(',');
        }
        TransformOutput o = items.get(i).body();
        byte[] part =
            o instanceof TransformOutput.Text t
                ? io.sluice.core.Json.MAPPER
                    .getNodeFactory()
                    .textNode(t.text())
                    .toString()
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)
                : o.bytes();
        b.writeBytes(part);
      }
      b.write(']');
      body = b.toByteArray();
      contentType = "application/json";
    } else {
      body = items.get(0).body().bytes();
      contentType = items.get(0).body().contentType();
    }
    HttpRequest.Builder req =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .method(target.method(), HttpRequest.BodyPublishers.ofByteArray(body))
            .header("Content-Type", contentType)
            .header("Sluice-Rule", items.get(0).rule());
    if (!batching && items.get(0).eventId() != null) {
      req.header("Sluice-Event-Id", items.get(0).eventId());
    }
    if (items.get(0).replayName() != null) {
      req.header("Sluice-Replay-Name", items.get(0).replayName());
    }
    for (Map.Entry<String, String> h : target.headers().entrySet()) {
      req.header(h.getKey(), h.getValue());
    }
    delivery.send(req.build(), target.url());
  }

  /** As {@link HttpDelivery#reason}. */
  static String reason(Throwable e, String fallback) {
    return HttpDelivery.reason(e, fallback);
  }

  @Override
  public void close() {
    delivery.close();
  }
}

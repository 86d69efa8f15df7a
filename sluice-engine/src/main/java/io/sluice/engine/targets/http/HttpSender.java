package io.sluice.engine.targets.http;

import io.sluice.core.targets.DeliveryException;
import io.sluice.core.targets.Outbound;
import io.sluice.core.targets.Sender;
import io.sluice.core.transform.TransformOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
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

  private static final int ERROR_BODY_CHARS = 200;

  private final HttpTarget target;
  private final Duration timeout;
  private final boolean batching;
  private final HttpClient client;
  private final URI uri;

  HttpSender(HttpTarget target, Duration timeout, boolean batching) {
    this.target = target;
    this.timeout = timeout;
    this.batching = batching;
    this.uri = URI.create(target.url());
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
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
    HttpResponse<String> r;
    try {
      r = client.send(req.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new DeliveryException(
          true, target.url() + " did not answer within " + timeout, null, e);
    } catch (ConnectException e) {
      throw new DeliveryException(
          true,
          "cannot connect to " + target.url() + ": " + reason(e, "connection refused"),
          null,
          e);
    } catch (IOException e) {
      throw new DeliveryException(
          true, target.url() + " failed: " + reason(e, "the connection failed"), null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeliveryException(true, "interrupted while sending to " + target.url(), null, e);
    }
    int s = r.statusCode();
    if (s >= 200 && s < 300) {
      return;
    }
    String text = r.body() == null ? "" : r.body();
    String message =
        target.url()
            + " answered "
            + s
            + (text.isBlank()
                ? ""
                : ": "
                    + (text.length() > ERROR_BODY_CHARS
                        ? text.substring(0, ERROR_BODY_CHARS) + "…"
                        : text));
    boolean retry = DeliveryException.isRetryableStatus(s);
    Duration after = r.headers().firstValue("Retry-After").map(HttpSender::retryAfter).orElse(null);
    throw new DeliveryException(retry, message, after, null);
  }

  /**
   * What went wrong, for a dead letter a person reads: the first message in the cause chain that is
   * not just another exception's name ({@code ConnectException} often has none), else {@code
   * fallback}; never a Java class name.
   */
  static String reason(Throwable e, String fallback) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m == null || m.isBlank()) {
        continue;
      }
      // new X(cause) takes cause.toString() as its message: "java.net.Foo: text" or "java.net.Foo"
      String stripped = m.replaceFirst("^([a-z][\\w$]*\\.)+[A-Z][\\w$]*(: )?", "");
      if (!stripped.isBlank()) {
        return stripped;
      }
    }
    return fallback;
  }

  private static Duration retryAfter(String v) {
    try {
      return Duration.ofSeconds(Long.parseLong(v.trim()));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public void close() {
    client.close();
  }
}

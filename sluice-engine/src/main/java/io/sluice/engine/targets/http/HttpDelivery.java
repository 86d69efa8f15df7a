package io.sluice.engine.targets.http;

import io.sluice.core.targets.DeliveryException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * One HTTP client and the one classification of its answers, for every target kind that delivers
 * over HTTP (http, webhook): 2xx is delivered; 408, 429, 5xx, timeouts and connection failures are
 * retryable (with the {@code Retry-After} hint); any other status is permanent, with the status and
 * the start of the response body. Thread-safe.
 */
public final class HttpDelivery implements AutoCloseable {

  private static final int ERROR_BODY_CHARS = 200;

  private final HttpClient client;
  private final Duration timeout;

  public HttpDelivery(Duration timeout) {
    this.timeout = timeout;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** The per-request timeout requests built for {@link #send} should use. */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Sends {@code request}; returns on 2xx, else throws as classified above. {@code url} names the
   * endpoint in messages (without secrets).
   */
  public void send(HttpRequest request, String url) throws DeliveryException {
    HttpResponse<String> r;
    try {
      r = client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new DeliveryException(true, url + " did not answer within " + timeout, null, e);
    } catch (ConnectException e) {
      throw new DeliveryException(
          true, "cannot connect to " + url + ": " + reason(e, "connection refused"), null, e);
    } catch (IOException e) {
      throw new DeliveryException(
          true, url + " failed: " + reason(e, "the connection failed"), null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeliveryException(true, "interrupted while sending to " + url, null, e);
    }
    int s = r.statusCode();
    if (s >= 200 && s < 300) {
      return;
    }
    String text = r.body() == null ? "" : r.body();
    String message =
        url
            + " answered "
            + s
            + (text.isBlank()
                ? ""
                : ": "
                    + (text.length() > ERROR_BODY_CHARS
                        ? text.substring(0, ERROR_BODY_CHARS) + "…"
                        : text));
    boolean retry = DeliveryException.isRetryableStatus(s);
    Duration after =
        r.headers().firstValue("Retry-After").map(HttpDelivery::retryAfter).orElse(null);
    throw new DeliveryException(retry, message, after, null);
  }

  /**
   * What went wrong, for a dead letter a person reads: the first message in the cause chain that is
   * not just another exception's name ({@code ConnectException} often has none), else {@code
   * fallback}; never a Java class name.
   */
  public static String reason(Throwable e, String fallback) {
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

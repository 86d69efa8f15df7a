package io.sluice.engine.targets.http;

import io.sluice.core.targets.DeliveryException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * One HTTP client and the one classification of its answers, for every target kind that delivers
 * over HTTP (http, webhook): 2xx is delivered; 408, 429, 5xx, timeouts and connection failures are
 * retryable (with the {@code Retry-After} hint, delta-seconds or an HTTP date against the clock);
 * any other status is permanent, with the status and the start of the response body. Thread-safe.
 */
public final class HttpDelivery implements AutoCloseable {

  private static final int ERROR_BODY_CHARS = 200;

  private final HttpClient client;
  private final Duration timeout;
  private final Clock clock;

  /** {@code clock} is the node's: a {@code Retry-After} date is the wait from its now. */
  public HttpDelivery(Duration timeout, Clock clock) {
    this.timeout = timeout;
    this.clock = clock;
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
    Duration after = r.headers().firstValue("Retry-After").map(this::retryAfter).orElse(null);
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

  /**
   * A {@code Retry-After} value (RFC 9110): delta-seconds, or an HTTP date (RFC 1123) as the wait
   * from the clock's now, a date in the past being no wait; null when it is neither.
   */
  Duration retryAfter(String v) {
    String t = v.trim();
    try {
      long seconds = Long.parseLong(t);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException e) {
      // a date, then
    }
    try {
      ZonedDateTime at = ZonedDateTime.parse(t, DateTimeFormatter.RFC_1123_DATE_TIME);
      Duration d = Duration.between(clock.instant(), at.toInstant());
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  @Override
  public void close() {
    client.close();
  }
}

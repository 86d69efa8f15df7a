package io.sluice.functions.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.config.Durations;
import io.sluice.core.functions.InvocationResult.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends chat-completions requests to one OpenAI-compatible server: {@code POST
 * <endpoint>/chat/completions} with the JSON body, {@code Authorization: Bearer <apiKey>} when
 * there is a key, over HTTP/1.1 with kept-alive connections.
 *
 * <p>A 2xx answer must be a JSON object of at most {@value #MAX_RESPONSE_BYTES} bytes. 429, 408,
 * 5xx and failed connections are tried again until the invocation's deadline: after the server's
 * {@code retry-after-ms} or {@code Retry-After} (seconds or an HTTP date) when it sends one, else
 * after {@link #FIRST_BACKOFF}, doubling up to {@link #MAX_BACKOFF}. When the next attempt would
 * start past the deadline, the call fails at once (retryable) saying why, instead of waiting for
 * nothing. Any other 4xx fails for good with the server's message. Past the deadline, a request
 * still waiting is abandoned ({@code TIMEOUT}).
 *
 * <p>Thread-safe. {@link #close} stops waits and requests in progress; they fail as {@code CRASH}.
 */
final class ChatCompletions implements AutoCloseable {

  static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
  static final int MAX_RESPONSE_BYTES = 8 << 20;
  static final int MAX_MESSAGE_CHARS = 500;

  /** Waits between attempts; tests give one that moves their clock instead. */
  @FunctionalInterface
  interface Pause {
    void sleep(Duration d) throws InterruptedException;
  }

  /** Told of every attempt's outcome: the HTTP status, or 0 when there was no answer. */
  @FunctionalInterface
  interface Attempts {
    void ended(int status, String note);
  }

  private final URI uri;
  private final String apiKey;
  private final Clock clock;
  private final Pause pause;
  private final HttpClient client;
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile boolean closed;

  /**
   * @param pause how to wait between attempts, or {@code null} to wait in real time (cut short by
   *     {@link #close})
   */
  ChatCompletions(URI endpoint, String apiKey, Clock clock, Pause pause) {
    this.uri = URI.create(endpoint + "/chat/completions");
    this.apiKey = apiKey;
    this.clock = clock;
    this.pause = pause != null ? pause : d -> closing.await(d.toMillis(), TimeUnit.MILLISECONDS);
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  URI uri() {
    return uri;
  }

  /**
   * Sends {@code request} and returns the server's JSON answer.
   *
   * @throws LlmCallException when no answer came in time, the server refused, or it was closed
   */
  JsonNode post(ObjectNode request, Instant deadline, Attempts attempts) throws LlmCallException {
    byte[] body;
    try {
      body = Json.MAPPER.writeValueAsBytes(request);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree always writes", e);
    }
    Duration backoff = FIRST_BACKOFF;
    for (int attempt = 1; ; attempt++) {
      Duration left = Duration.between(clock.instant(), deadline);
      if (left.compareTo(Duration.ofMillis(1)) < 0) {
        throw timedOut(attempt - 1);
      }
      HttpRequest.Builder b =
          HttpRequest.newBuilder(uri)
              .timeout(left)
              .header("Content-Type", "application/json")
              .header("Accept", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      if (apiKey != null) {
        b.header("Authorization", "Bearer " + apiKey);
      }
      String errorType;
      String problem;
      Duration wait;
      boolean serverSaid = false;
      CompletableFuture<HttpResponse<byte[]>> call =
          client.sendAsync(b.build(), info -> new LimitedBody(MAX_RESPONSE_BYTES));
      try {
        HttpResponse<byte[]> r = call.get(left.toMillis(), TimeUnit.MILLISECONDS);
        int status = r.statusCode();
        attempts.ended(status, "attempt " + attempt);
        if (status >= 200 && status < 300) {
          return answer(r.body(), status);
        }
        String message = serverMessage(r.body());
        if (status != 408 && status != 429 && status < 500) {
          throw new LlmCallException(
              LlmCallException.REQUEST_REJECTED,
              Kind.PERMANENT,
              "POST " + uri + " answered " + status + ": " + message);
        }
        errorType =
            status == 429
                ? LlmCallException.TOO_MANY_REQUESTS
                : LlmCallException.SERVER_UNAVAILABLE;
        problem = "POST " + uri + " answered " + status + ": " + message;
        Duration asked = retryAfter(r.headers(), clock.instant());
        serverSaid = asked != null;
        wait = asked != null ? asked : backoff;
      } catch (TimeoutException e) {
        call.cancel(true);
        attempts.ended(0, "attempt " + attempt + " had no answer by the deadline");
        throw timedOut(attempt);
      } catch (InterruptedException e) {
        call.cancel(true);
        Thread.currentThread().interrupt();
        throw stopped();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        if (closed) {
          throw stopped();
        }
        if (cause instanceof ResponseTooLargeException) {
          attempts.ended(0, "attempt " + attempt + ": " + cause.getMessage());
          throw new LlmCallException(
              LlmCallException.INVALID_RESPONSE,
              Kind.INVALID_RESPONSE,
              "POST " + uri + " answered more than " + MAX_RESPONSE_BYTES + " bytes");
        }
        if (cause instanceof HttpTimeoutException) {
          attempts.ended(0, "attempt " + attempt + " had no answer by the deadline");
          throw timedOut(attempt);
        }
        attempts.ended(0, "attempt " + attempt + ": " + cause);
        errorType = LlmCallException.SERVER_UNAVAILABLE;
        problem = "POST " + uri + " failed: " + cause;
        wait = backoff;
      }
      if (clock.instant().plus(wait).isAfter(deadline)) {
        throw new LlmCallException(
            errorType,
            Kind.HANDLER,
            problem
                + " (attempt "
                + attempt
                + "); "
                + (serverSaid ? "its Retry-After of " : "another attempt after ")
                + Durations.format(wait)
                + " would start past the invocation's deadline");
      }
      try {
        pause.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw stopped();
      }
      if (closed) {
        throw stopped();
      }
      backoff =
          backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
              ? MAX_BACKOFF
              : backoff.multipliedBy(2);
    }
  }

  private JsonNode answer(byte[] body, int status) throws LlmCallException {
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      n = null;
    }
    if (n == null || !n.isObject()) {
      throw new LlmCallException(
          LlmCallException.SERVER_UNAVAILABLE,
          Kind.HANDLER,
          "POST "
              + uri
              + " answered "
              + status
              + " with a body that is not a JSON object: "
              + cut(new String(body, StandardCharsets.UTF_8)));
    }
    return n;
  }

  private LlmCallException timedOut(int attempts) {
    return new LlmCallException(
        io.sluice.core.functions.FunctionErrors.TIMEOUT,
        Kind.TIMEOUT,
        "POST " + uri + " had no answer by the invocation's deadline (" + attempts + " attempts)");
  }

  private LlmCallException stopped() {
    return new LlmCallException(
        io.sluice.core.functions.FunctionErrors.EXIT,
        Kind.CRASH,
        "the function was stopped while it waited for " + uri);
  }

  /**
   * How long the server asked to wait: {@code retry-after-ms} (OpenAI's), else {@code Retry-After}
   * in seconds or as an HTTP date; {@code null} when it said nothing usable.
   */
  static Duration retryAfter(HttpHeaders headers, Instant now) {
    String ms = headers.firstValue("retry-after-ms").orElse("").strip();
    if (isCount(ms)) {
      return Duration.ofMillis(Long.parseLong(ms));
    }
    String s = headers.firstValue("retry-after").orElse("").strip();
    if (isCount(s)) {
      return Duration.ofSeconds(Long.parseLong(s));
    }
    if (s.isEmpty()) {
      return null;
    }
    try {
      Instant at = ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static boolean isCount(String s) {
    return !s.isEmpty() && s.length() <= 12 && s.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /** The server's own words: OpenAI's {@code error.message}, else the body, cut. */
  static String serverMessage(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    try {
      JsonNode n = Json.MAPPER.readTree(body);
      if (n != null) {
        JsonNode e = n.path("error");
        if (e.path("message").isTextual()) {
          return cut(e.path("message").asText());
        }
        if (e.isTextual()) {
          return cut(e.asText());
        }
        if (n.path("message").isTextual()) {
          return cut(n.path("message").asText());
        }
      }
    } catch (IOException notJson) {
      // the text, then
    }
    return text.isBlank() ? "(no body)" : cut(text.strip());
  }

  static String cut(String s) {
    return s.length() <= MAX_MESSAGE_CHARS
        ? s
        : s.substring(0, MAX_MESSAGE_CHARS) + "…(" + s.length() + " chars)";
  }

  @Override
  public void close() {
    closed = true;
    closing.countDown();
    client.shutdownNow();
  }

  /** An answer past {@link #MAX_RESPONSE_BYTES}. */
  static final class ResponseTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    ResponseTooLargeException(int max) {
      super("the answer is larger than " + max + " bytes");
    }
  }

  /** Collects a body of at most {@code max} bytes, else fails (and stops reading). */
  private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int max;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    LimitedBody(int max) {
      this.max = max;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        if (out.size() + b.remaining() > max) {
          subscription.cancel();
          result.completeExceptionally(new ResponseTooLargeException(max));
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        out.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(out.toByteArray());
    }
  }
}

package io.sluice.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on a random loopback port that plays a delivery target: it records every
 * request and answers as its {@link Behaviour} says (status, delay, Retry-After), so tests can make
 * a target flaky, slow or hostile. Event ids of requests answered 2xx are kept in {@link
 * #deliveredIds()} (a body may be one event or a JSON array of events).
 */
public final class HttpReceiver implements AutoCloseable {

  /** One received request. {@code json} is {@code null} when the body is not JSON. */
  public record Request(
      String method,
      String path,
      Map<String, List<String>> headers,
      byte[] body,
      JsonNode json,
      long receivedAtMs) {
    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** How to answer. {@code delay} before answering; {@code retryAfterSeconds} -1 for none. */
  public record Reply(int status, Duration delay, long retryAfterSeconds) {
    public static final Reply OK = new Reply(200, Duration.ZERO, -1);

    public static Reply status(int s) {
      return new Reply(s, Duration.ZERO, -1);
    }
  }

  /** Chooses the reply for a request; called concurrently. */
  @FunctionalInterface
  public interface Behaviour {
    Reply reply(Request r);
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final HttpServer server;
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final Set<String> delivered = Collections.synchronizedSet(new LinkedHashSet<>());
  private final List<String> deliveredInOrder = Collections.synchronizedList(new ArrayList<>());
  private final List<Long> deliveredAt = new ArrayList<>();
  private volatile Behaviour behaviour;

  private HttpReceiver(HttpServer server, Behaviour behaviour) {
    this.server = server;
    this.behaviour = behaviour;
  }

  public static HttpReceiver start(Behaviour behaviour) {
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
      HttpReceiver r = new HttpReceiver(s, behaviour);
      s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      s.createContext("/", ex -> r.handle(ex));
      s.start();
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void handle(com.sun.net.httpserver.HttpExchange ex) throws IOException {
    byte[] body = ex.getRequestBody().readAllBytes();
    JsonNode json = null;
    try {
      json = MAPPER.readTree(body);
    } catch (IOException notJson) {
      // text bodies are fine
    }
    Request req =
        new Request(
            ex.getRequestMethod(),
            ex.getRequestURI().getPath(),
            Map.copyOf(ex.getRequestHeaders()),
            body,
            json,
            System.currentTimeMillis());
    requests.add(req);
    Reply reply = behaviour.reply(req);
    if (!reply.delay().isZero()) {
      try {
        Thread.sleep(reply.delay().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (reply.status() >= 200 && reply.status() < 300 && json != null) {
      if (json.isArray()) {
        json.forEach(e -> recordDelivered(e, req.receivedAtMs()));
      } else {
        recordDelivered(json, req.receivedAtMs());
      }
    }
    if (reply.retryAfterSeconds() >= 0) {
      ex.getResponseHeaders().add("Retry-After", Long.toString(reply.retryAfterSeconds()));
    }
    byte[] out = ("{\"status\":" + reply.status() + "}").getBytes(StandardCharsets.UTF_8);
    try {
      ex.sendResponseHeaders(reply.status(), out.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    } catch (IOException clientGone) {
      // the sender timed out first; that is part of being flaky
    }
  }

  private void recordDelivered(JsonNode event, long atMs) {
    JsonNode id = event.get("id");
    if (id != null) {
      synchronized (deliveredInOrder) {
        delivered.add(id.asText());
        deliveredInOrder.add(id.asText());
        deliveredAt.add(atMs);
      }
    }
  }

  /** When each entry of {@link #deliveredInOrder()} arrived (epoch ms), same order. */
  public List<Long> deliveredAt() {
    synchronized (deliveredInOrder) {
      return List.copyOf(deliveredAt);
    }
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  public void behave(Behaviour b) {
    this.behaviour = b;
  }

  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** Ids of events answered 2xx (each once). */
  public Set<String> deliveredIds() {
    synchronized (delivered) {
      return Set.copyOf(delivered);
    }
  }

  /** Ids of events answered 2xx, in arrival order, with repeats. */
  public List<String> deliveredInOrder() {
    synchronized (deliveredInOrder) {
      return List.copyOf(deliveredInOrder);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

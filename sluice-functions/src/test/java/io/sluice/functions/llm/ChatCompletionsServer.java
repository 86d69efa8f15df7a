package io.sluice.functions.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.core.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on a random loopback port that speaks the OpenAI chat-completions protocol
 * ({@code POST /v1/chat/completions}) with answers the test scripts, and records every request. No
 * model server can run in the build; against a real one, see the README's {@code llm} part (a local
 * Ollama: {@code endpoint: http://localhost:11434/v1}).
 */
final class ChatCompletionsServer implements AutoCloseable {

  /** One received request; {@code headers} by lower-case name, first value. */
  record Request(String method, String path, Map<String, String> headers, JsonNode body) {}

  /** One scripted answer; {@code hang} answers nothing until the server closes. */
  record Reply(int status, Map<String, String> headers, String body, boolean hang) {

    /** A 200 chat completion whose message content is {@code content}. */
    static Reply answer(String content, int promptTokens, int completionTokens) {
      ObjectNode b = Json.MAPPER.createObjectNode();
      b.put("id", "chatcmpl-1");
      b.put("object", "chat.completion");
      b.put("created", 1_764_000_000L);
      b.put("model", "llama3.2");
      ObjectNode choice = b.putArray("choices").addObject();
      choice.put("index", 0);
      choice.putObject("message").put("role", "assistant").put("content", content);
      choice.put("finish_reason", "stop");
      b.putObject("usage")
          .put("prompt_tokens", promptTokens)
          .put("completion_tokens", completionTokens)
          .put("total_tokens", promptTokens + completionTokens);
      return new Reply(200, Map.of("Content-Type", "application/json"), b.toString(), false);
    }

    /** An OpenAI error body {@code {"error": {"message": …}}} with {@code status}. */
    static Reply error(int status, String message, String... headerPairs) {
      Map<String, String> h = new LinkedHashMap<>();
      h.put("Content-Type", "application/json");
      for (int i = 0; i < headerPairs.length; i += 2) {
        h.put(headerPairs[i], headerPairs[i + 1]);
      }
      ObjectNode b = Json.MAPPER.createObjectNode();
      b.putObject("error").put("message", message).put("type", "api_error");
      return new Reply(status, h, b.toString(), false);
    }

    static Reply hanging() {
      return new Reply(0, Map.of(), "", true);
    }
  }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final Deque<Reply> script = new ArrayDeque<>();
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch closing = new CountDownLatch(1);

  private ChatCompletionsServer(HttpServer server) {
    this.server = server;
  }

  static ChatCompletionsServer start() {
    try {
      HttpServer s =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      ChatCompletionsServer c = new ChatCompletionsServer(s);
      s.createContext("/", c::handle);
      s.setExecutor(c.threads);
      s.start();
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The base URL to configure as {@code endpoint}. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** Answers the next requests with {@code replies}, in order (then 500 "nothing scripted"). */
  ChatCompletionsServer then(Reply... replies) {
    synchronized (script) {
      script.addAll(List.of(replies));
    }
    return this;
  }

  List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      Map<String, String> headers = new LinkedHashMap<>();
      ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
      JsonNode json;
      try {
        json = Json.MAPPER.readTree(body);
      } catch (IOException e) {
        json = Json.MAPPER.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8));
      }
      requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(), headers, json));
      Reply r;
      synchronized (script) {
        r = script.poll();
      }
      if (r == null) {
        r = Reply.error(500, "nothing scripted for this request");
      }
      if (r.hang()) {
        try {
          closing.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return;
      }
      byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
      r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      ex.sendResponseHeaders(r.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        try (OutputStream o = ex.getResponseBody()) {
          o.write(out);
        }
      }
    }
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    threads.shutdownNow();
  }
}

package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A real Sluice server on a random port over a temporary directory, and an HTTP client for it. */
final class ServerFixture implements AutoCloseable {

  final SluiceServer server;
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private ServerFixture(SluiceServer server) {
    this.server = server;
  }

  /** Starts with the given YAML (port forced to 0, storage under {@code dir}). */
  static ServerFixture start(Path dir, String yaml) {
    return start(dir, yaml, SluiceServer.Options.DEFAULTS);
  }

  /**
   * Starts an example's config: its relative paths (function code) resolve against {@code base},
   * storage is under {@code dir}, and the port is {@code port} (0: a random one).
   */
  static ServerFixture start(Path dir, Path base, String yaml, int port) {
    SluiceConfig c = ConfigLoader.parse(yaml, "test.yaml", base, SluiceKinds.forReading());
    c = c.withServer(c.server().withPort(port)).withDataDir(dir.resolve("data"));
    return new ServerFixture(SluiceServer.start(c, SluiceServer.Options.DEFAULTS));
  }

  static ServerFixture start(Path dir, String yaml, SluiceServer.Options options) {
    SluiceConfig c = ConfigLoader.parse(yaml, "test.yaml", dir, SluiceKinds.forReading());
    c = c.withServer(c.server().withPort(0)).withDataDir(dir.resolve("data"));
    return new ServerFixture(SluiceServer.start(c, options));
  }

  record Response(int status, Map<String, List<String>> headers, String body) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON (status " + status + "): " + body, e);
      }
    }

    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .findFirst()
          .map(e -> e.getValue().get(0))
          .orElse(null);
    }
  }

  URI uri(String path) {
    return server.url().resolve(path);
  }

  /**
   * Posts events {@code e<from>} to {@code e<to - 1>} (source {@code s}, detail-type {@code t}) to
   * the default bus one by one, each answered 200.
   */
  void sendNumbered(int from, int to) {
    for (int i = from; i < to; i++) {
      Response r =
          post(
              "/buses/default/events",
              "application/json",
              "{\"id\":\"e" + i + "\",\"source\":\"s\",\"detail-type\":\"t\",\"detail\":{}}");
      if (r.status() != 200) {
        throw new AssertionError("event e" + i + " answered " + r.status() + ": " + r.body());
      }
    }
  }

  Response post(String path, String contentType, String body, String... headers) {
    return post(path, contentType, body.getBytes(StandardCharsets.UTF_8), headers);
  }

  Response post(String path, String contentType, byte[] body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b.build());
  }

  Response get(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b.build());
  }

  Response send(HttpRequest request) {
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers().map(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}

package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.TransientException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The HTTP side of the CLI: where the server is and how to authenticate (a picocli mixin). */
final class ApiClient {

  @Option(
      names = "--url",
      defaultValue = "${SLUICE_URL:-http://127.0.0.1:7070}",
      description = "Server URL (default: $SLUICE_URL or ${DEFAULT-VALUE}).")
  String url;

  @Option(
      names = "--api-key",
      defaultValue = "${SLUICE_API_KEY}",
      description = "API key when the server requires one (default: $SLUICE_API_KEY).")
  String apiKey;

  private HttpClient http;

  /** A response: status, Retry-After (seconds, or -1) and body. */
  record Response(int status, long retryAfterSeconds, String body) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new TransientException(
            "the server answered " + status + " with a body that is not JSON: " + body);
      }
    }

    /** The server's error message ({"code","message"}) or the raw body. */
    String error() {
      try {
        JsonNode n = Json.MAPPER.readTree(body);
        if (n != null && n.has("message")) {
          return n.path("code").asText() + ": " + n.get("message").asText();
        }
      } catch (IOException ignored) {
        // not JSON
      }
      return "HTTP " + status + ": " + body;
    }
  }

  /** One URL path segment or query value, percent-encoded ({@code /} too, a space as %20). */
  static String segment(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%20");
  }

  private HttpClient http() {
    if (http == null) {
      http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(10))
              .build();
    }
    return http;
  }

  Response send(String method, String path, String contentType, byte[] body) {
    return send(method, path, contentType, body, null);
  }

  Response send(String method, String path, String contentType, byte[] body, String accept) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path))
            .timeout(Duration.ofMinutes(2))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (accept != null) {
      b.header("Accept", accept);
    }
    if (apiKey != null && !apiKey.isBlank()) {
      b.header("Authorization", "Bearer " + apiKey.trim());
    }
    try {
      HttpResponse<String> r = http().send(b.build(), HttpResponse.BodyHandlers.ofString());
      long retry =
          r.headers()
              .firstValue("Retry-After")
              .map(
                  v -> {
                    try {
                      return Long.parseLong(v.trim());
                    } catch (NumberFormatException e) {
                      return 1L;
                    }
                  })
              .orElse(-1L);
      return new Response(r.statusCode(), retry, r.body());
    } catch (ConnectException e) {
      throw new TransientException(
          "cannot connect to " + url + " (is `sluice run` running there?)", e);
    } catch (IOException e) {
      throw new TransientException("request to " + url + path + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientException("interrupted", e);
    }
  }
}

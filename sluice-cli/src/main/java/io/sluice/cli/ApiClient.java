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

  static final String DEFAULT_URL = "http://127.0.0.1:7070";

  /**
   * The header every Sluice response carries (with the server's version): an answer without it
   * comes from some other program listening there, and the CLI says so instead of reading it.
   */
  static final String IDENTITY_HEADER = "Sluice-Version";

  @Option(
      names = "--url",
      defaultValue = "${SLUICE_URL:-" + DEFAULT_URL + "}",
      description = "Server URL (default: $SLUICE_URL, else " + DEFAULT_URL + ").")
  String url;

  @Option(
      names = "--api-key",
      defaultValue = "${SLUICE_API_KEY}",
      description = "API key when the server requires one (default: $SLUICE_API_KEY).")
  String apiKey;

  /** The command this mixin is part of, for a command-line error about --url (null in demo). */
  @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec mixee;

  private HttpClient http;

  /**
   * The server URL with {@code path}: an --url (or $SLUICE_URL) that is not an http(s) URL with a
   * host and a valid port is a command-line error (exit 2) naming the value, not a Java exception.
   */
  URI uri(String path) {
    String base = url == null ? "" : url.replaceAll("/+$", "");
    URI u = null;
    try {
      u = new URI(base + path);
    } catch (java.net.URISyntaxException e) {
      // reported below
    }
    if (u == null
        || u.getScheme() == null
        || !(u.getScheme().equalsIgnoreCase("http") || u.getScheme().equalsIgnoreCase("https"))
        || u.getHost() == null
        || u.getPort() > 65535) {
      String message =
          "--url: expected an http:// or https:// URL like "
              + DEFAULT_URL
              + ", got \""
              + url
              + "\""
              + whereFrom();
      if (mixee != null) {
        throw new picocli.CommandLine.ParameterException(mixee.commandLine(), message);
      }
      throw new io.sluice.core.InvalidInputException(
          io.sluice.core.InvalidInputException.INVALID_ARGUMENT,
          io.sluice.core.Problem.of("/url", message));
    }
    return u;
  }

  /** A response: status, Retry-After (seconds, or -1), body and headers. */
  record Response(
      int status,
      long retryAfterSeconds,
      String body,
      java.util.Map<String, java.util.List<String>> headers) {
    Response(int status, long retryAfterSeconds, String body) {
      this(status, retryAfterSeconds, body, java.util.Map.of());
    }

    /** The first value of header {@code name} (any case), or {@code null}. */
    String header(String name) {
      for (var e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new TransientException(
            "the server answered " + status + " with a body that is not JSON: " + body);
      }
    }

    /**
     * The server's error ({"code","message"}), with every problem on a line of its own when the
     * message does not say them all; or the raw body.
     */
    String error() {
      try {
        JsonNode n = Json.MAPPER.readTree(body);
        if (n != null && n.has("message")) {
          String message = n.get("message").asText();
          StringBuilder b = new StringBuilder(n.path("code").asText()).append(": ").append(message);
          JsonNode problems = n.path("problems");
          boolean saysItAll =
              problems.size() == 0
                  || (problems.size() == 1
                      && (message.equals(problem(problems.get(0)))
                          || message.equals(problems.get(0).path("message").asText())));
          if (!saysItAll) {
            problems.forEach(p -> b.append("\n  ").append(problem(p)));
          }
          return b.toString();
        }
      } catch (IOException ignored) {
        // not JSON
      }
      return "HTTP " + status + ": " + body;
    }

    private static String problem(JsonNode p) {
      String path = p.path("path").asText();
      return (path.isEmpty() ? "/" : path) + ": " + p.path("message").asText();
    }
  }

  /** Refuses an answer that did not come from a Sluice server (see {@link #IDENTITY_HEADER}). */
  void checkIsSluice(HttpResponse<?> r) {
    if (r.headers().firstValue(IDENTITY_HEADER).isPresent()) {
      return;
    }
    String server = r.headers().firstValue("Server").map(v -> ", Server: " + v).orElse("");
    throw new TransientException(
        "the program answering at "
            + url
            + whereFrom()
            + " is not a Sluice server (HTTP "
            + r.statusCode()
            + server
            + ", no "
            + IDENTITY_HEADER
            + " header); pass --url (or set $SLUICE_URL) to reach Sluice");
  }

  /** The message for a server that is not there. */
  String cannotConnect() {
    return "cannot connect to " + url + whereFrom() + " (is `sluice run` running there?)";
  }

  /** Says where the URL came from when the user did not give it: they may not know it is used. */
  private String whereFrom() {
    if (System.getenv("SLUICE_URL") != null && url.equals(System.getenv("SLUICE_URL"))) {
      return " (from $SLUICE_URL)";
    }
    return url.equals(DEFAULT_URL) ? " (the default: no --url or $SLUICE_URL given)" : "";
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
    return send(method, path, contentType, body, accept, java.util.Map.of());
  }

  Response send(
      String method,
      String path,
      String contentType,
      byte[] body,
      String accept,
      java.util.Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
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
    headers.forEach(b::header);
    if (apiKey != null && !apiKey.isBlank()) {
      b.header("Authorization", "Bearer " + apiKey.trim());
    }
    try {
      HttpResponse<String> r = http().send(b.build(), HttpResponse.BodyHandlers.ofString());
      checkIsSluice(r);
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
      return new Response(r.statusCode(), retry, r.body(), r.headers().map());
    } catch (ConnectException e) {
      throw new TransientException(cannotConnect(), e);
    } catch (IOException e) {
      throw new TransientException("request to " + url + path + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientException("interrupted", e);
    }
  }
}

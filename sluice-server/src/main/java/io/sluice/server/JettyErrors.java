package io.sluice.server;

import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import jakarta.servlet.RequestDispatcher;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's error handler, writing {@link HttpErrors}' JSON shape instead of Jetty's HTML page. Jetty
 * calls it for what it refuses before any route runs: a request line or header it cannot parse, a
 * URI it cannot parse or will not serve, a request line and headers over {@code requestHeaderSize}
 * (414, 431), an unknown HTTP version (505), an unmet {@code Expect} (417); and, on the servlet
 * context, for a {@code sendError} (a WebSocket upgrade to no route, say).
 *
 * <p>When Jetty could not parse the request line the URI is unknown, so such messages say what was
 * expected without the value. Thread-safe (stateless).
 */
final class JettyErrors implements Request.Handler {

  private static final Logger LOG = LoggerFactory.getLogger(JettyErrors.class);

  /** What Jetty names a URI it refuses after parsing it (its {@link UriCompliance} violations). */
  private static final Set<String> URI_VIOLATIONS =
      Arrays.stream(UriCompliance.Violation.values())
          .map(UriCompliance.Violation::getDescription)
          .collect(Collectors.toUnmodifiableSet());

  /** Jetty's reasons for a malformed request (400), as problems a client can act on. */
  private static final Map<String, Problem> MALFORMED =
      Map.of(
          "No URI",
          Problem.of("/request-line", "expected METHOD URI HTTP/1.1, got a line without a URI"),
          "No Host",
          Problem.of("/headers/Host", "expected a Host header (HTTP/1.1 requires one), got none"),
          "Duplicate Host Header",
          Problem.of("/headers/Host", "expected one Host header, got several"),
          "Multiple Content-Lengths",
          Problem.of("/headers/Content-Length", "expected one Content-Length header, got several"),
          "Invalid Content-Length Value",
          Problem.of("/headers/Content-Length", "expected a number of bytes, got another value"),
          "Transfer-Encoding and Content-Length",
          Problem.of(
              "/headers", "expected Content-Length or Transfer-Encoding: chunked, got both"));

  /** The answer to one error: its code and problems ({@code message} when there is none). */
  record Answer(String code, String message, List<Problem> problems) {
    static Answer of(String code, Problem p) {
      return new Answer(code, p.toString(), List.of(p));
    }

    static Answer of(String code, String message) {
      return new Answer(code, message, List.of());
    }
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Throwable cause = attribute(request, ErrorHandler.ERROR_EXCEPTION, Throwable.class);
    if (cause == null) {
      cause = attribute(request, RequestDispatcher.ERROR_EXCEPTION, Throwable.class);
    }
    String reason = attribute(request, ErrorHandler.ERROR_MESSAGE, String.class);
    if (reason == null) {
      reason = attribute(request, RequestDispatcher.ERROR_MESSAGE, String.class);
    }
    int status = response.getStatus();
    if (cause instanceof HttpException http) {
      status = http.getCode();
      if (reason == null) {
        reason = http.getReason();
      }
    }
    if (status < 400) {
      status = 500; // an error without an error status is our bug
    }
    Answer a = answer(request, status, reason, cause);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    // what Jetty refuses before a request is parsed skips the connector's customizers, so the
    // identity header is set here too: without it the CLI takes the answer for another program's
    response.getHeaders().put(SluiceServer.IDENTITY_HEADER, SluiceServer.VERSION);
    if (status == 503) {
      response.getHeaders().put(HttpHeader.RETRY_AFTER, HttpErrors.RETRY_AFTER_SECONDS);
    }
    if (HttpMethod.HEAD.is(request.getMethod()) || HttpStatus.hasNoBody(status)) {
      callback.succeeded();
      return true;
    }
    response.write(
        true, ByteBuffer.wrap(HttpErrors.body(a.code(), a.message(), a.problems())), callback);
    return true;
  }

  private static <T> T attribute(Request request, String name, Class<T> type) {
    Object v = request.getAttribute(name);
    return type.isInstance(v) ? type.cast(v) : null;
  }

  /** The code and problem for an error Jetty answers with {@code status}. */
  static Answer answer(Request request, int status, String reason, Throwable cause) {
    String path = path(request);
    int limit = request.getConnectionMetaData().getHttpConfiguration().getRequestHeaderSize();
    return switch (status) {
      case 400 -> badRequest(path, reason, cause);
      case 404 ->
          Answer.of(
              InvalidInputException.NOT_FOUND,
              "no route " + request.getMethod() + " " + (path == null ? "*" : path));
      case 405 ->
          Answer.of(
              HttpErrors.METHOD_NOT_ALLOWED,
              HttpErrors.methodNotAllowed(request.getMethod(), path == null ? "*" : path, ""));
      case 408 ->
          Answer.of(
              InvalidInputException.REQUEST_TIMEOUT,
              Problem.of("/body", "the client stopped sending the request"));
      case 413 ->
          Answer.of(
              InvalidInputException.TOO_LARGE,
              Problem.of("/body", "the request is larger than the server accepts"));
      case 414 ->
          Answer.of(
              HttpErrors.URI_TOO_LONG,
              Problem.of(
                  "/uri",
                  "expected a request line and headers of at most "
                      + limit
                      + " bytes together, got a longer URI"));
      case 417 ->
          Answer.of(
              HttpErrors.EXPECTATION_FAILED,
              Problem.of(
                  "/headers/Expect",
                  "expected 100-continue or no Expect header, got "
                      + Problem.render(request.getHeaders().get(HttpHeader.EXPECT)),
                  Problem.render(request.getHeaders().get(HttpHeader.EXPECT))));
      case 431 ->
          Answer.of(
              HttpErrors.HEADERS_TOO_LARGE,
              Problem.of(
                  "/headers",
                  "expected a request line and headers of at most "
                      + limit
                      + " bytes together, got more"));
      case 500 -> {
        LOG.error("{} {} failed: {}", request.getMethod(), path, reason, cause);
        yield Answer.of(
            "INTERNAL",
            "internal error: "
                + (cause == null ? reason : cause.getClass().getSimpleName())
                + "; see the server log");
      }
      case 503 -> Answer.of("UNAVAILABLE", reason == null ? "the server is unavailable" : reason);
      case 505 ->
          Answer.of(
              HttpErrors.HTTP_VERSION_NOT_SUPPORTED,
              Problem.of("/request-line", "expected HTTP/1.0 or HTTP/1.1, got another version"));
      default ->
          Answer.of("HTTP_" + status, reason == null ? HttpStatus.getMessage(status) : reason);
    };
  }

  /**
   * The raw path of the request, or null when Jetty could not parse the request line (it then
   * stands in {@code /badMessage} or {@code /badURI}) or the target is {@code *}.
   */
  private static String path(Request request) {
    HttpURI uri = request.getHttpURI();
    String p = uri == null ? null : uri.getPath();
    if (p == null || p.isEmpty() || p.equals("/badMessage") || p.equals("/badURI")) {
      return null;
    }
    return p;
  }

  private static Answer badRequest(String path, String reason, Throwable cause) {
    Problem uri = unparsableUri(cause);
    if (uri != null) {
      return Answer.of(HttpErrors.INVALID_URI, uri);
    }
    if (reason != null && URI_VIOLATIONS.contains(reason)) {
      String expected =
          reason.equals(UriCompliance.Violation.BAD_UTF8_ENCODING.getDescription())
                  || reason.equals(UriCompliance.Violation.TRUNCATED_UTF8_ENCODING.getDescription())
              ? "percent-encoded UTF-8 in the request path, got " + Problem.render(path)
              : (reason.startsWith("Ambiguous") ? "an unambiguous" : "a valid")
                  + " request path, got "
                  + Problem.render(path)
                  + " ("
                  + reason
                  + ")";
      return Answer.of(
          HttpErrors.INVALID_URI, Problem.of("/uri", "expected " + expected, Problem.render(path)));
    }
    Problem known = reason == null ? null : MALFORMED.get(reason);
    if (known != null) {
      return Answer.of(HttpErrors.MALFORMED_REQUEST, known);
    }
    if (reason != null && reason.startsWith("Illegal character ")) {
      return Answer.of(
          HttpErrors.MALFORMED_REQUEST,
          Problem.of(
              "/request",
              "expected a request line and header lines (Name: value) of visible ASCII, got the"
                  + " illegal character "
                  + reason.substring("Illegal character ".length())));
    }
    return Answer.of(
        HttpErrors.MALFORMED_REQUEST,
        Problem.of(
            "/request",
            "malformed HTTP/1.1 request: " + (reason == null ? "Bad Request" : reason)));
  }

  private static boolean thrownByUriParser(Throwable t) {
    for (StackTraceElement f : t.getStackTrace()) {
      if (f.getClassName().startsWith(HttpURI.class.getName())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The problem when Jetty could not parse the URI of the request line at all (its parser throws
   * before a request exists), from what its URI parser threw; null for other errors.
   */
  private static Problem unparsableUri(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof HttpException || !thrownByUriParser(t)) {
        continue; // Jetty's own answer (its reason is handled by the caller), not its URI parser
      }
      if (t instanceof NumberFormatException) {
        return Problem.of(
            "/uri", "expected % and two hex digits in the request path (%25 for a % itself)");
      }
      if (t instanceof IllegalArgumentException && t.getMessage() != null) {
        return switch (t.getMessage()) {
          case "Illegal character in path" ->
              Problem.of(
                  "/uri", "expected a request path without a percent-encoded NUL (%00), got one");
          case "Bad URI" ->
              Problem.of(
                  "/uri",
                  "expected a request path whose .. segments stay below /, got one that climbs"
                      + " above it");
          default -> Problem.of("/uri", "the request URI cannot be parsed: " + t.getMessage());
        };
      }
    }
    return null;
  }
}

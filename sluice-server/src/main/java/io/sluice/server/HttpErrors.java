package io.sluice.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.sluice.core.CorruptDataException;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.TransientException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place errors become HTTP responses. Every error has one JSON shape:
 *
 * <pre>
 * {@code {"code":"INVALID_EVENT","message":"/source: is required: a non-empty string","problems":[{"path":"/source","message":"…","rejectedValue":null}]}}
 * </pre>
 *
 * <p>That holds for the errors of our handlers (exceptions), of Javalin (no route, wrong method,
 * body too large) and of Jetty, which refuses some requests before any handler sees them (a bad
 * request line or header, a URI it cannot parse, a request line or headers over its limit): {@link
 * #install} puts {@link JettyErrors} on the server and on the servlet context.
 *
 * <p>Codes and statuses are a compatibility promise: INVALID_EVENT, MALFORMED_JSON,
 * INVALID_ARGUMENT, INVALID_CONFIG, LIMIT_EXCEEDED, INCOMPLETE_BODY, INVALID_URI, MALFORMED_REQUEST
 * → 400; UNAUTHORIZED → 401; FORBIDDEN → 403; NOT_FOUND → 404; METHOD_NOT_ALLOWED → 405 with Allow;
 * REQUEST_TIMEOUT → 408; CONFLICT → 409; TOO_LARGE → 413; URI_TOO_LONG → 414;
 * UNSUPPORTED_MEDIA_TYPE → 415; EXPECTATION_FAILED → 417; HEADERS_TOO_LARGE → 431; INTERNAL,
 * CORRUPT_DATA → 500 (logged once with the request); UNAVAILABLE → 503 with Retry-After;
 * HTTP_VERSION_NOT_SUPPORTED → 505; any other status Jetty answers → HTTP_&lt;status&gt;.
 */
final class HttpErrors {

  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);
  static final String RETRY_AFTER_SECONDS = "1";

  private HttpErrors() {}

  static int status(String code) {
    return switch (code) {
      case InvalidInputException.UNAUTHORIZED -> 401;
      case InvalidInputException.FORBIDDEN -> 403;
      case InvalidInputException.NOT_FOUND -> 404;
      case InvalidInputException.REQUEST_TIMEOUT -> 408;
      case InvalidInputException.CONFLICT -> 409;
      case InvalidInputException.TOO_LARGE -> 413;
      case InvalidInputException.UNSUPPORTED_MEDIA_TYPE -> 415;
      case "UNAVAILABLE" -> 503;
      case "INTERNAL" -> 500;
      default -> 400;
    };
  }

  /** A request line or header that does not parse as HTTP/1.1 (400). */
  static final String MALFORMED_REQUEST = "MALFORMED_REQUEST";

  /** A request URI that does not parse, or that Jetty will not serve (ambiguous, not UTF-8). */
  static final String INVALID_URI = "INVALID_URI";

  static final String METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED";
  static final String URI_TOO_LONG = "URI_TOO_LONG";
  static final String HEADERS_TOO_LARGE = "HEADERS_TOO_LARGE";
  static final String EXPECTATION_FAILED = "EXPECTATION_FAILED";
  static final String HTTP_VERSION_NOT_SUPPORTED = "HTTP_VERSION_NOT_SUPPORTED";

  /**
   * Installs every error handler on a Javalin config: exceptions of the routes, Javalin's own
   * answers, errors ({@link Error}) of a handler, and {@link JettyErrors} for what Jetty refuses. A
   * path that exists under another method answers 405 with {@code Allow}, not 404.
   */
  static void install(JavalinConfig cfg) {
    cfg.http.prefer405over404 = true;
    mount(cfg.routes);
    cfg.router.javaLangErrorHandler(HttpErrors::handleError);
    JettyErrors jetty = new JettyErrors();
    cfg.jetty.modifyServer(server -> server.setErrorHandler(jetty));
    cfg.jetty.modifyServletContextHandler(context -> context.setErrorHandler(jetty));
  }

  /**
   * Mounts the route error handlers: every exception becomes the JSON error body; Javalin's own
   * answers (no route, method not allowed, body too large) get the same shape.
   */
  private static void mount(RoutesConfig routes) {
    routes.exception(Exception.class, HttpErrors::handle);
    routes.exception(
        io.javalin.http.HttpResponseException.class,
        (e, ctx) -> {
          switch (e.getStatus()) {
            case 404 ->
                write(
                    ctx,
                    404,
                    InvalidInputException.NOT_FOUND,
                    e instanceof io.javalin.router.EndpointNotFound
                        ? "no route " + ctx.method() + " " + ctx.path()
                        : e.getMessage(),
                    List.of());
            case 405 -> {
              String allowed = e.getDetails().getOrDefault("availableMethods", "");
              ctx.header("Allow", allowed);
              write(
                  ctx,
                  405,
                  METHOD_NOT_ALLOWED,
                  methodNotAllowed(ctx.method().name(), ctx.path(), allowed),
                  List.of());
            }
            case 413 -> write(ctx, 413, InvalidInputException.TOO_LARGE, e.getMessage(), List.of());
            default ->
                write(ctx, e.getStatus(), "HTTP_" + e.getStatus(), e.getMessage(), List.of());
          }
        });
  }

  static String methodNotAllowed(String method, String path, String allowed) {
    return "method "
        + method
        + " is not allowed on "
        + path
        + (allowed.isEmpty() ? "" : "; expected one of " + allowed);
  }

  /** An {@link Error} in a handler (Javalin does not map errors to exception handlers). */
  private static void handleError(HttpServletResponse res, Error error) {
    LOG.error("a request failed with {}", error.toString(), error);
    if (res.isCommitted()) {
      return;
    }
    byte[] body =
        body(
            "INTERNAL",
            "internal error: " + error.getClass().getSimpleName() + "; see the server log",
            List.of());
    res.resetBuffer();
    res.setStatus(500);
    res.setContentType("application/json");
    res.setContentLength(body.length);
    try {
      res.getOutputStream().write(body);
    } catch (IOException e) {
      LOG.debug("could not write the error response: {}", e.toString());
    }
  }

  static void handle(Exception e, Context ctx) {
    switch (e) {
      case InvalidInputException iie -> {
        if (iie.code().equals(InvalidInputException.UNAUTHORIZED)) {
          ctx.header("WWW-Authenticate", "Bearer");
        }
        write(ctx, status(iie.code()), iie.code(), iie.getMessage(), iie.problems());
      }
      case TransientException te -> {
        ctx.header("Retry-After", RETRY_AFTER_SECONDS);
        write(ctx, 503, "UNAVAILABLE", te.getMessage(), List.of());
      }
      case CorruptDataException ce -> {
        LOG.error("{} {}: stored data is damaged: {}", ctx.method(), ctx.path(), ce.getMessage());
        write(ctx, 500, "CORRUPT_DATA", ce.getMessage(), List.of());
      }
      default -> {
        LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
        write(
            ctx,
            500,
            "INTERNAL",
            "internal error: " + e.getClass().getSimpleName() + "; see the server log",
            List.of());
      }
    }
  }

  static void write(Context ctx, int status, String code, String message, List<Problem> problems) {
    finishBody(ctx, status);
    writeJson(ctx, status, body(code, message, problems));
  }

  /** The most of an unread request body an error answer reads (and throws away) first. */
  static final long DRAIN_LIMIT = 4L << 20;

  /**
   * Before an error answer: reads what is left of the request's body and throws it away (a small
   * buffer, at most {@value #DRAIN_LIMIT} bytes), so the connection stays usable for the client's
   * next request; a longer rest, a body that cannot be read, or a client that stopped sending (408)
   * gets {@code Connection: close} instead. Without this, an answer given before the client sent
   * all of its body promises a persistent connection that Jetty then closes, because the body was
   * not consumed, and the client's next request on it fails with no answer at all.
   */
  static void finishBody(Context ctx, int status) {
    HttpServletResponse res = ctx.res();
    if (res.isCommitted() || "close".equalsIgnoreCase(res.getHeader("Connection"))) {
      return;
    }
    HttpServletRequest req = ctx.req();
    if (req.getContentLengthLong() == 0
        || (req.getContentLengthLong() < 0 && req.getHeader("Transfer-Encoding") == null)) {
      return;
    }
    if (status == 408 || req.getContentLengthLong() > DRAIN_LIMIT) {
      ctx.header("Connection", "close");
      return;
    }
    byte[] scratch = new byte[8192];
    long seen = 0;
    try {
      java.io.InputStream in = req.getInputStream();
      int n;
      while ((n = in.read(scratch)) >= 0) {
        seen += n;
        if (seen > DRAIN_LIMIT) {
          ctx.header("Connection", "close");
          return;
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      ctx.header("Connection", "close");
    }
  }

  /**
   * Writes a JSON body straight to the servlet output stream with its Content-Length (cheaper on
   * the ingest hot path than handing Javalin a result to copy).
   */
  static void writeJson(Context ctx, int status, byte[] body) {
    ctx.status(status);
    ctx.res().setContentType("application/json");
    ctx.res().setContentLength(body.length);
    try {
      ctx.res().getOutputStream().write(body);
    } catch (IOException e) {
      throw new UncheckedIOException("writing the response failed: " + e.getMessage(), e);
    }
  }

  static byte[] body(String code, String message, List<Problem> problems) {
    ByteArrayBuilder out = new ByteArrayBuilder(256);
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("code", code);
      g.writeStringField("message", message);
      writeProblems(g, problems);
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }

  static void writeProblems(JsonGenerator g, List<Problem> problems) throws IOException {
    g.writeArrayFieldStart("problems");
    for (Problem p : problems) {
      g.writeStartObject();
      g.writeStringField("path", p.path());
      g.writeStringField("message", p.message());
      g.writeStringField("rejectedValue", p.rejectedValue());
      g.writeEndObject();
    }
    g.writeEndArray();
  }
}

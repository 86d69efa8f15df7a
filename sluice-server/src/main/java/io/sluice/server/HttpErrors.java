package io.sluice.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.sluice.core.CorruptDataException;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.TransientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place exceptions become HTTP responses. Every error has one JSON shape:
 *
 * <pre>
 * {@code {"code":"INVALID_EVENT","message":"/source: is required: a non-empty string","problems":[{"path":"/source","message":"…","rejectedValue":null}]}}
 * </pre>
 *
 * <p>Codes and statuses are a compatibility promise: INVALID_EVENT, MALFORMED_JSON,
 * INVALID_ARGUMENT, INVALID_CONFIG, LIMIT_EXCEEDED, INCOMPLETE_BODY → 400; UNAUTHORIZED → 401;
 * FORBIDDEN → 403; NOT_FOUND → 404; REQUEST_TIMEOUT → 408; CONFLICT → 409; TOO_LARGE → 413;
 * UNSUPPORTED_MEDIA_TYPE → 415; UNAVAILABLE → 503 with Retry-After; INTERNAL → 500 (logged once
 * with the request).
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

  /**
   * Mounts the error handlers: every exception becomes the JSON error body; Javalin's own answers
   * (no route, method not allowed, body too large) get the same shape.
   */
  static void mount(RoutesConfig routes) {
    routes.exception(Exception.class, HttpErrors::handle);
    routes.exception(
        io.javalin.http.HttpResponseException.class,
        (e, ctx) -> {
          String code =
              switch (e.getStatus()) {
                case 404 -> InvalidInputException.NOT_FOUND;
                case 405 -> "METHOD_NOT_ALLOWED";
                case 413 -> InvalidInputException.TOO_LARGE;
                default -> "HTTP_" + e.getStatus();
              };
          String message =
              e instanceof io.javalin.router.EndpointNotFound
                  ? "no route " + ctx.method() + " " + ctx.path()
                  : e.getMessage();
          write(ctx, e.getStatus(), code, message, List.of());
        });
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
    writeJson(ctx, status, body(code, message, problems));
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

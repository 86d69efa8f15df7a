package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every error comes in Sluice's JSON shape with a stable code, including those Jetty answers before
 * any route runs (written here on a raw socket: HttpClient would not send them) and those of a
 * handler that fails.
 */
class HttpErrorShapeTest {

  @TempDir static Path dir;
  static ServerFixture s;

  @BeforeAll
  static void start() {
    s = ServerFixture.start(dir, "buses: [{name: default}]\nobjects: {bus: default}\n");
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  static final String HOST = "Host: localhost\r\n";
  static final String CLOSE = "Connection: close\r\n\r\n";

  static Stream<Arguments> refusedByJetty() {
    return Stream.of(
        Arguments.of(
            "GARBAGE\r\n\r\n",
            400,
            "MALFORMED_REQUEST",
            "/request-line: expected METHOD URI HTTP/1.1, got a line without a URI"),
        Arguments.of(
            "GET / HTTP/9.9\r\n" + HOST + CLOSE,
            505,
            "HTTP_VERSION_NOT_SUPPORTED",
            "/request-line: expected HTTP/1.0 or HTTP/1.1, got another version"),
        Arguments.of(
            "GET /health HTTP/1.1\r\n" + HOST + "Bad Header: x\r\n" + CLOSE,
            400,
            "MALFORMED_REQUEST",
            "/request: expected a request line and header lines (Name: value) of visible ASCII,"
                + " got the illegal character SPACE=' '"),
        Arguments.of(
            "GET /health HTTP/1.1\r\n" + HOST + "X-Thing: a\u0001b\r\n" + CLOSE,
            400,
            "MALFORMED_REQUEST",
            "/request: expected a request line and header lines (Name: value) of visible ASCII,"
                + " got the illegal character CNTL=0x1"),
        Arguments.of(
            "GET /health HTTP/1.1\r\n" + CLOSE,
            400,
            "MALFORMED_REQUEST",
            "/headers/Host: expected a Host header (HTTP/1.1 requires one), got none"),
        Arguments.of(
            "GET /health HTTP/1.1\r\n" + HOST + "Host: other\r\n" + CLOSE,
            400,
            "MALFORMED_REQUEST",
            "/headers/Host: expected one Host header, got several"),
        Arguments.of(
            "POST /buses/default/events HTTP/1.1\r\n"
                + HOST
                + "Content-Length: 2\r\nContent-Length: 3\r\n"
                + CLOSE,
            400,
            "MALFORMED_REQUEST",
            "/headers/Content-Length: expected one Content-Length header, got several"),
        Arguments.of(
            "POST /buses/default/events HTTP/1.1\r\n" + HOST + "Content-Length: two\r\n" + CLOSE,
            400,
            "MALFORMED_REQUEST",
            "/headers/Content-Length: expected a number of bytes, got another value"),
        Arguments.of(
            "POST /buses/default/events HTTP/1.1\r\n"
                + HOST
                + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n"
                + CLOSE,
            400,
            "MALFORMED_REQUEST",
            "/headers: expected Content-Length or Transfer-Encoding: chunked, got both"),
        Arguments.of(
            "GET /" + "x".repeat(9000) + " HTTP/1.1\r\n" + HOST + CLOSE,
            414,
            "URI_TOO_LONG",
            "/uri: expected a request line and headers of at most 8192 bytes together, got a"
                + " longer URI"),
        Arguments.of(
            "GET /health HTTP/1.1\r\n" + HOST + "X-Big: " + "x".repeat(9000) + "\r\n" + CLOSE,
            431,
            "HEADERS_TOO_LARGE",
            "/headers: expected a request line and headers of at most 8192 bytes together, got"
                + " more"),
        Arguments.of(
            "PUT /objects/bkt/a%00b HTTP/1.1\r\n" + HOST + "Content-Length: 1\r\n" + CLOSE + "x",
            400,
            "INVALID_URI",
            "/uri: expected a request path without a percent-encoded NUL (%00), got one"),
        Arguments.of(
            "GET /objects/bkt/a%zzb HTTP/1.1\r\n" + HOST + CLOSE,
            400,
            "INVALID_URI",
            "/uri: expected % and two hex digits in the request path (%25 for a % itself)"),
        Arguments.of(
            "GET /objects/../../etc/passwd HTTP/1.1\r\n" + HOST + CLOSE,
            400,
            "INVALID_URI",
            "/uri: expected a request path whose .. segments stay below /, got one that climbs"
                + " above it"),
        Arguments.of(
            "PUT /objects/bkt/a%FFb HTTP/1.1\r\n" + HOST + "Content-Length: 1\r\n" + CLOSE + "x",
            400,
            "INVALID_URI",
            "/uri: expected percent-encoded UTF-8 in the request path, got"
                + " \"/objects/bkt/a%FFb\""),
        Arguments.of(
            "GET /objects/bkt/a/..;/b HTTP/1.1\r\n" + HOST + CLOSE,
            400,
            "INVALID_URI",
            "/uri: expected an unambiguous request path, got \"/objects/bkt/a/..;/b\" (Ambiguous"
                + " URI path parameter)"),
        Arguments.of(
            "GET /health HTTP/1.1\r\n" + HOST + "Expect: tea\r\n" + CLOSE,
            417,
            "EXPECTATION_FAILED",
            "/headers/Expect: expected 100-continue or no Expect header, got \"tea\""),
        Arguments.of(
            "OPTIONS * HTTP/1.1\r\n" + HOST + CLOSE, 404, "NOT_FOUND", "no route OPTIONS *"),
        // a WebSocket upgrade to no route: the servlet's sendError, through the context's handler
        Arguments.of(
            "GET /nowhere HTTP/1.1\r\n" + HOST + "Sec-WebSocket-Version: 13\r\n" + CLOSE,
            404,
            "NOT_FOUND",
            "no route GET /nowhere"));
  }

  @ParameterizedTest
  @MethodSource("refusedByJetty")
  void whatJettyRefusesIsAnsweredInTheJsonShape(
      String request, int status, String code, String message) {
    RawHttp.Response r = RawHttp.send(s.server.port(), request);
    assertThat(r.status()).as(r.head() + "\n" + r.body()).isEqualTo(status);
    assertThat(r.header("Content-Type")).isEqualTo("application/json");
    assertThat(r.header(SluiceServer.IDENTITY_HEADER)).isEqualTo(SluiceServer.VERSION);
    JsonNode j = r.json();
    assertThat(j.get("code").asText()).isEqualTo(code);
    assertThat(j.get("message").asText()).isEqualTo(message);
    assertThat(j.get("problems").isArray()).isTrue();
    if (!j.get("problems").isEmpty()) {
      JsonNode p = j.get("problems").get(0);
      assertThat(p.get("path").asText() + ": " + p.get("message").asText()).isEqualTo(message);
    }
  }

  @Test
  void anUnknownRouteIs404AndAKnownPathUnderAnotherMethodIs405WithAllow() {
    RawHttp.Response none =
        RawHttp.send(s.server.port(), "GET /nothing/here HTTP/1.1\r\n" + HOST + CLOSE);
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.json().get("code").asText()).isEqualTo("NOT_FOUND");
    assertThat(none.json().get("message").asText()).isEqualTo("no route GET /nothing/here");

    RawHttp.Response patch =
        RawHttp.send(s.server.port(), "PATCH /buses/default/events HTTP/1.1\r\n" + HOST + CLOSE);
    assertThat(patch.status()).as(patch.body()).isEqualTo(405);
    assertThat(patch.header("Allow")).isEqualTo("GET, POST");
    assertThat(patch.json().get("code").asText()).isEqualTo("METHOD_NOT_ALLOWED");
    assertThat(patch.json().get("message").asText())
        .isEqualTo(
            "method PATCH is not allowed on /buses/default/events; expected one of GET, POST");

    RawHttp.Response head =
        RawHttp.send(s.server.port(), "HEAD /nothing/here HTTP/1.1\r\n" + HOST + CLOSE);
    assertThat(head.status()).isEqualTo(404);
    assertThat(head.body()).as("no body for HEAD").isEmpty();
  }

  /** A failing handler, an Error in one, and a response shorter than its Content-Length. */
  static Javalin failing() {
    Api failing =
        routes -> {
          routes.get(
              "/fails",
              ctx -> {
                throw new IllegalStateException("a bug");
              });
          routes.get(
              "/errs",
              ctx -> {
                throw new AssertionError("a worse bug");
              });
          routes.get(
              "/short",
              ctx -> {
                ctx.res().setContentLength(10);
                ctx.res().getOutputStream().write(new byte[] {'h', 'i'});
              });
        };
    return ApiAloneTest.serve(failing);
  }

  @Test
  void aFailingHandlerIs500InTheJsonShapeWithoutItsMessage() {
    Javalin app = failing();
    try {
      for (String[] c :
          new String[][] {
            {"/fails", "internal error: IllegalStateException; see the server log"},
            {"/errs", "internal error: AssertionError; see the server log"},
            {"/short", "internal error: Insufficient content written 2 < 10; see the server log"}
          }) {
        RawHttp.Response r =
            RawHttp.send(app.port(), "GET " + c[0] + " HTTP/1.1\r\n" + HOST + CLOSE);
        assertThat(r.status()).as(c[0] + ": " + r.body()).isEqualTo(500);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.json().get("code").asText()).isEqualTo("INTERNAL");
        assertThat(r.json().get("message").asText()).as(c[0]).isEqualTo(c[1]);
      }
    } finally {
      app.stop();
    }
  }
}

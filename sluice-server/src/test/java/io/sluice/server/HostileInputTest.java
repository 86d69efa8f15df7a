package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input a hostile or broken client sends gets a 4xx in the JSON shape, never a 500 and never
 * silently something else: bodies shorter than their Content-Length or stalled, empty batches,
 * bytes that are not UTF-8, percent-encodings that do not decode.
 */
class HostileInputTest {

  @TempDir static Path dir;
  static ServerFixture s;

  @BeforeAll
  static void start() {
    s =
        ServerFixture.start(
            dir, "server: {limits: {idleTimeout: 500ms}}\nbuses: [{name: orders}]\n");
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  record Raw(int status, String body) {
    JsonNode json() throws IOException {
      return Json.MAPPER.readTree(body);
    }
  }

  /**
   * Sends {@code head} and {@code body} on a raw socket; with {@code close} the client then stops
   * sending (half-closes), else it just goes quiet. Returns the status and body of the answer.
   */
  static Raw raw(String head, byte[] body, boolean close) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", s.server.port())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      if (close) {
        socket.shutdownOutput();
      }
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      int n;
      try {
        while ((n = in.read(buf)) > 0) {
          all.write(buf, 0, n);
          String text = all.toString(StandardCharsets.UTF_8);
          int split = text.indexOf("\r\n\r\n");
          int cl = text.toLowerCase(java.util.Locale.ROOT).indexOf("content-length: ");
          if (split > 0 && cl > 0 && cl < split) {
            int len = Integer.parseInt(text.substring(cl + 16, text.indexOf("\r\n", cl)).trim());
            if (all.size() >= split + 4 + len) {
              break;
            }
          }
        }
      } catch (java.net.SocketException reset) {
        // the answer may be followed by a reset once the server closes: keep what came
      }
      String text = all.toString(StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      return new Raw(Integer.parseInt(text.substring(9, 12)), text.substring(split + 4));
    }
  }

  static String post(String path, String type, long contentLength) {
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
        + type
        + "\r\nContent-Length: "
        + contentLength
        + "\r\n\r\n";
  }

  @Test
  void aBodyShorterThanItsContentLengthIsA400() throws Exception {
    byte[] part = "{\"source\":".getBytes(StandardCharsets.UTF_8);
    Raw r = raw(post("/buses/orders/events", "application/json", 100), part, true);
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().get("code").asText()).isEqualTo("INCOMPLETE_BODY");
    assertThat(r.json().get("message").asText())
        .isEqualTo(
            "/: the request body ended after 10 of the 100 bytes its Content-Length announced");
    Raw put =
        raw(
            "PUT /objects/bkt/a.csv HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n",
            "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8),
            true);
    assertThat(put.status()).as(put.body()).isEqualTo(400);
    assertThat(put.json().get("code").asText()).isEqualTo("INCOMPLETE_BODY");
    assertThat(s.get("/objects/bkt/a.csv").status()).as("nothing was stored").isEqualTo(404);
  }

  @Test
  void aClientThatStopsSendingGets408() throws Exception {
    byte[] part = "[{\"source\":\"s\",".getBytes(StandardCharsets.UTF_8);
    Raw r = raw(post("/buses/orders/events", "application/json", 500), part, false);
    assertThat(r.status()).as(r.body()).isEqualTo(408);
    assertThat(r.json().get("code").asText()).isEqualTo("REQUEST_TIMEOUT");
    assertThat(r.json().get("message").asText())
        .startsWith("/: the client stopped sending the request body after 15 of 500 bytes");
    Raw put =
        raw(
            "PUT /objects/bkt/b.csv HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n",
            "a,b\n".getBytes(StandardCharsets.UTF_8),
            false);
    assertThat(put.status()).as(put.body()).isEqualTo(408);
    assertThat(put.json().get("code").asText()).isEqualTo("REQUEST_TIMEOUT");
  }

  /**
   * An error answered on the route, before the client sent its body (no such route here), either
   * leaves the connection usable for the next request or says {@code Connection: close}: never a
   * persistent-looking answer on a connection the server then drops, which a client sees as a
   * request that got no answer at all.
   */
  @Test
  void anErrorAnsweredBeforeTheBodyArrivedNeverDropsAPersistentConnection() throws Exception {
    byte[] body = "x".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
    try (Socket socket = new Socket("127.0.0.1", s.server.port())) {
      OutputStream out = socket.getOutputStream();
      InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
      out.write(post("/no/such/route", "application/json", body.length).getBytes());
      out.flush();
      // the server may answer on the route alone; the body is sent after it had the chance
      socket.setSoTimeout(200);
      in.mark(1);
      try {
        if (in.read() >= 0) {
          in.reset();
        }
      } catch (java.net.SocketTimeoutException notYet) {
        // it waits for the body first
      }
      socket.setSoTimeout(20_000);
      out.write(body);
      out.write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes());
      out.flush();
      String first = head(in);
      assertThat(first).as("the first answer").startsWith("HTTP/1.1 404");
      skipBody(in, first);
      if (!first.toLowerCase(java.util.Locale.ROOT).contains("connection: close")) {
        assertThat(head(in))
            .as("the next request on a connection the answer kept open")
            .startsWith("HTTP/1.1 200");
      }
    }
  }

  /** The status line and headers of the next answer on {@code in}, or "" at the end. */
  static String head(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      b.write(c);
      if (b.size() >= 4 && b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        break;
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  static void skipBody(InputStream in, String head) throws IOException {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        in.readNBytes(Integer.parseInt(line.substring(15).trim()));
      }
    }
  }

  @Test
  void emptyBatchesAreStoredTriviallyWith200() {
    for (String[] c :
        new String[][] {
          {"application/json", "[]"},
          {"application/x-ndjson", ""},
          {"application/x-ndjson", "\n\n\r\n"},
          {"application/cloudevents-batch+json", "[]"}
        }) {
      ServerFixture.Response r = s.post("/buses/orders/events", c[0], c[1]);
      assertThat(r.status()).as(c[0] + " " + r.body()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{\"entries\":[]}");
      assertThat(r.header("Retry-After")).isNull();
    }
  }

  @Test
  void overlongUtf8IsRefusedLikeAnyByteThatIsNotUtf8() {
    byte[] body =
        "{\"source\":\"s\",\"detail-type\":\"t\",\"detail\":{\"p\":\"a..b\"}}"
            .getBytes(StandardCharsets.UTF_8);
    int at = new String(body, StandardCharsets.UTF_8).indexOf("..");
    body[at] = (byte) 0xC0;
    body[at + 1] = (byte) 0xAF; // an overlong "/"
    ServerFixture.Response r = s.post("/buses/orders/events", "application/json", body);
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().get("code").asText()).isEqualTo("MALFORMED_JSON");
    assertThat(r.json().get("message").asText())
        .isEqualTo("/: malformed JSON: not UTF-8 text (an overlong form C0 AF at byte " + at + ")");
    body[at] = (byte) 0xFF;
    r = s.post("/buses/orders/events", "application/json", body);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("message").asText())
        .isEqualTo(
            "/: malformed JSON: not UTF-8 text (a byte UTF-8 never uses (FF) at byte " + at + ")");
    // in NDJSON the line is refused and the others are stored
    byte[] nd =
        ("{\"source\":\"s\",\"detail-type\":\"t\"}\n"
                + new String(body, StandardCharsets.ISO_8859_1))
            .getBytes(StandardCharsets.ISO_8859_1);
    r = s.post("/buses/orders/events", "application/x-ndjson", nd);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("entries").get(0).has("id")).isTrue();
    assertThat(r.json().get("entries").get(1).get("error").get("code").asText())
        .isEqualTo("MALFORMED_JSON");
    // PutEvents too, in its own error shape
    byte[] put =
        "{\"Entries\":[{\"Source\":\"s\",\"DetailType\":\"t\",\"Detail\":\"{}\",\"EventBusName\":\"orders\"}]}"
            .getBytes(StandardCharsets.UTF_8);
    put[put.length - 5] = (byte) 0xC0;
    put[put.length - 4] = (byte) 0xAF;
    r = s.post("/", "application/x-amz-json-1.1", put, "X-Amz-Target", "AWSEvents.PutEvents");
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().get("__type").asText()).isEqualTo("SerializationException");
    assertThat(r.json().get("message").asText())
        .startsWith("the request body is not UTF-8 text (an overlong form C0 AF at byte ");
  }

  @Test
  void aCloudEventsHeaderThatIsNotPercentEncodedUtf8IsRefused() {
    ServerFixture.Response r =
        s.post(
            "/buses/orders/events",
            "application/json",
            "{}",
            "ce-specversion",
            "1.0",
            "ce-id",
            "1",
            "ce-source",
            "/a%FFb",
            "ce-type",
            "T");
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().get("message").asText())
        .isEqualTo(
            "/headers/ce-source: expected percent-encoded UTF-8, got \"/a%FFb\", which decodes to"
                + " bytes that are not UTF-8 (a byte UTF-8 never uses (FF))");
    r =
        s.post(
            "/buses/orders/events",
            "application/json",
            "{}",
            "ce-specversion",
            "1.0",
            "ce-id",
            "1",
            "ce-source",
            "/a%zz",
            "ce-type",
            "T");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("message").asText())
        .isEqualTo(
            "/headers/ce-source: expected percent-encoded UTF-8 (a % followed by two hex"
                + " digits), got \"/a%zz\"");
    r =
        s.post(
            "/buses/orders/events",
            "application/json",
            "{}",
            "ce-specversion",
            "1.0",
            "ce-id",
            "1",
            "ce-source",
            "/caf%C3%A9",
            "ce-type",
            "T");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  /** A GET on a raw socket: HTTP clients refuse to send a malformed query string. */
  static Raw get(String pathAndQuery) throws IOException {
    return raw(
        "GET " + pathAndQuery + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        new byte[0],
        false);
  }

  @Test
  void malformedQueryParametersAre400sNamingTheParameter() throws Exception {
    Raw r = get("/buses/orders/events?from=%%%&limit=1");
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().get("message").asText())
        .isEqualTo(
            "/from: malformed percent-encoding in query parameter from: expected % and two hex"
                + " digits, got \"%%%\"");
    r = get("/buses/orders/events?cursor=%%%zz");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("problems").get(0).get("path").asText()).isEqualTo("/cursor");
    r = get("/buses/orders/events?limit=1&limit=2");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("message").asText())
        .isEqualTo("/limit: expected query parameter limit once, got it twice");
    r = get("/dead-letters?cursor=%ff");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("message").asText())
        .isEqualTo(
            "/cursor: query parameter cursor decodes to bytes that are not UTF-8 (a byte UTF-8"
                + " never uses (FF)), got \"%ff\"");
    r = get("/objects/bkt?prefix=%G0");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("problems").get(0).get("path").asText()).isEqualTo("/prefix");
    r = get("/buses/orders/events?from=earliest&limit=1");
    assertThat(r.status()).as("well-formed ones still work").isEqualTo(200);
  }
}

package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Dozens of malformed inputs per protocol, each with the exact status, code and message it must
 * get. {@code entry} cases are batches answered 200 whose first entry carries the error.
 */
class MalformedInputTest {

  @TempDir static Path dir;
  static ServerFixture s;

  static final String LIMITS =
      "server: {limits: {maxBodyBytes: 64KB, maxEventBytes: 2KB, maxDepth: 6, maxBatchEntries: 5}}\n"
          + "buses: [{name: default}, {name: orders}]";

  @BeforeAll
  static void start() {
    s = ServerFixture.start(dir, LIMITS);
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  record Case(
      String name,
      String path,
      String contentType,
      String[] headers,
      String body,
      int status,
      String code,
      String message,
      boolean entry) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case whole(
      String name,
      String contentType,
      String body,
      int status,
      String code,
      String message,
      String... headers) {
    return new Case(
        name, "/buses/orders/events", contentType, headers, body, status, code, message, false);
  }

  static Case entry(
      String name,
      String contentType,
      String body,
      String code,
      String message,
      String... headers) {
    return new Case(
        name, "/buses/orders/events", contentType, headers, body, 200, code, message, true);
  }

  static final String J = "application/json";
  static final String ND = "application/x-ndjson";
  static final String CE = "application/cloudevents+json";
  static final String CEB = "application/cloudevents-batch+json";
  static final String OK = "\"source\":\"s\",\"detail-type\":\"T\"";
  static final String CE_OK =
      "\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"T\"";

  static String deep(int levels) {
    return "{\"a\":".repeat(levels) + "1" + "}".repeat(levels);
  }

  static Stream<Arguments> nativeCases() {
    List<Case> c = new ArrayList<>();
    c.add(
        whole(
            "empty body",
            J,
            "",
            400,
            "MALFORMED_JSON",
            "/: expected a JSON value, got an empty body"));
    c.add(
        whole(
            "truncated object",
            J,
            "{\"source\":",
            400,
            "MALFORMED_JSON",
            "/: malformed JSON at line 1, column 11: Unexpected end-of-input within/between Object entries"));
    c.add(
        whole(
            "bare word",
            J,
            "hello",
            400,
            "MALFORMED_JSON",
            "/: malformed JSON at line 1, column 1: Unrecognized token 'hello': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"));
    c.add(
        whole(
            "number body",
            J,
            "42",
            400,
            "INVALID_EVENT",
            "/: expected an event object, got number 42"));
    c.add(
        whole(
            "string body",
            J,
            "\"x\"",
            400,
            "INVALID_EVENT",
            "/: expected an event object, got string \"x\""));
    c.add(
        whole(
            "two objects as json",
            J,
            "{" + OK + "} {" + OK + "}",
            400,
            "MALFORMED_JSON",
            "/: malformed JSON at line 1, column 34: more than one JSON value; send a JSON array, or NDJSON with Content-Type application/x-ndjson"));
    c.add(
        whole(
            "duplicate key",
            J,
            "{" + OK + ",\"source\":\"t\"}",
            400,
            "MALFORMED_JSON",
            "/: malformed JSON at line 1, column 41: Duplicate field 'source'"));
    c.add(
        whole(
            "missing source",
            J,
            "{\"detail-type\":\"T\"}",
            400,
            "INVALID_EVENT",
            "/source: is required: a non-empty string"));
    c.add(
        whole(
            "missing both",
            J,
            "{}",
            400,
            "INVALID_EVENT",
            "/detail-type: is required: a non-empty string (and 1 more problem)"));
    c.add(
        whole(
            "numeric source",
            J,
            "{\"source\":1,\"detail-type\":\"T\"}",
            400,
            "INVALID_EVENT",
            "/source: expected a string, got number 1"));
    c.add(
        whole(
            "empty detail-type",
            J,
            "{\"source\":\"s\",\"detail-type\":\"\"}",
            400,
            "INVALID_EVENT",
            "/detail-type: expected a non-empty string, got \"\""));
    c.add(
        whole(
            "detail array",
            J,
            "{" + OK + ",\"detail\":[1]}",
            400,
            "INVALID_EVENT",
            "/detail: expected a JSON object, got array [1]"));
    c.add(
        whole(
            "detail string",
            J,
            "{" + OK + ",\"detail\":\"{}\"}",
            400,
            "INVALID_EVENT",
            "/detail: expected a JSON object, got string \"{}\""));
    c.add(
        whole(
            "bad time",
            J,
            "{" + OK + ",\"time\":\"yesterday\"}",
            400,
            "INVALID_EVENT",
            "/time: expected an RFC 3339 timestamp like 2026-11-23T10:00:00Z, got string \"yesterday\""));
    c.add(
        whole(
            "numeric time",
            J,
            "{" + OK + ",\"time\":1700000000}",
            400,
            "INVALID_EVENT",
            "/time: expected an RFC 3339 timestamp like 2026-11-23T10:00:00Z, got number 1700000000"));
    c.add(
        whole(
            "resources not array",
            J,
            "{" + OK + ",\"resources\":\"arn\"}",
            400,
            "INVALID_EVENT",
            "/resources: expected an array of strings, got string \"arn\""));
    c.add(
        whole(
            "resource not string",
            J,
            "{" + OK + ",\"resources\":[1]}",
            400,
            "INVALID_EVENT",
            "/resources/0: expected a string, got number 1"));
    c.add(
        whole(
            "null id",
            J,
            "{" + OK + ",\"id\":null}",
            400,
            "INVALID_EVENT",
            "/id: expected a string, got null"));
    c.add(
        whole(
            "too deep",
            J,
            "{" + OK + ",\"detail\":" + deep(6) + "}",
            400,
            "LIMIT_EXCEEDED",
            "/detail/a/a/a/a/a: nesting depth 7 is over the limit of 6 (the event object counts as 1)"));
    c.add(
        whole(
            "event too large",
            J,
            "{" + OK + ",\"detail\":{\"x\":\"" + "y".repeat(3000) + "\"}}",
            413,
            "TOO_LARGE",
            "/: event is 3205 bytes, over the limit of 2048 bytes (server.limits.maxEventBytes)"));
    c.add(
        whole(
            "body too large",
            J,
            "[" + ("{" + OK + "},").repeat(3000) + "{" + OK + "}]",
            413,
            "TOO_LARGE",
            "/: request body is 99034 bytes, over the limit of 65536 bytes (server.limits.maxBodyBytes)"));
    c.add(
        whole(
            "too many entries",
            J,
            "[" + ("{" + OK + "},").repeat(5) + "{" + OK + "}]",
            413,
            "TOO_LARGE",
            "/: 6 events in one request, over the limit of 5 (server.limits.maxBatchEntries)"));
    c.add(
        whole(
            "too many ndjson lines",
            ND,
            ("{" + OK + "}\n").repeat(6),
            413,
            "TOO_LARGE",
            "/: 6 events in one request, over the limit of 5 (server.limits.maxBatchEntries)"));
    c.add(
        whole(
            "no content type",
            null,
            "{" + OK + "}",
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "/headers/Content-Type: is required: " + IngestApi.ACCEPTED_TYPES));
    c.add(
        whole(
            "xml content type",
            "application/xml",
            "<e/>",
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "/headers/Content-Type: expected "
                + IngestApi.ACCEPTED_TYPES
                + ", got \"application/xml\""));
    c.add(
        whole(
            "latin-1 charset",
            "application/json; charset=iso-8859-1",
            "{" + OK + "}",
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "/headers/Content-Type: expected charset utf-8, got \"iso-8859-1\""));
    c.add(
        whole(
            "malformed array",
            J,
            "[{" + OK + "},",
            400,
            "MALFORMED_JSON",
            "/: malformed JSON at line 1, column 35: Unexpected end-of-input within/between Array entries"));
    c.add(
        whole(
            "too deep in array",
            J,
            "[{" + OK + "},{" + OK + ",\"detail\":" + deep(6) + "}]",
            400,
            "LIMIT_EXCEEDED",
            "/1/detail/a/a/a/a/a: nesting depth 7 is over the limit of 6 (the event object counts as 1)"));
    c.add(
        entry(
            "array element not object",
            J,
            "[3]",
            "INVALID_EVENT",
            "/0: expected an event object, got number 3"));
    c.add(
        entry(
            "array element missing source",
            J,
            "[{\"detail-type\":\"T\"}]",
            "INVALID_EVENT",
            "/0/source: is required: a non-empty string"));
    c.add(
        entry(
            "array element too large",
            J,
            "[{" + OK + ",\"detail\":{\"x\":\"" + "y".repeat(3000) + "\"}}]",
            "TOO_LARGE",
            "/0: event is 3205 bytes, over the limit of 2048 bytes (server.limits.maxEventBytes)"));
    c.add(
        entry(
            "ndjson bad line",
            ND,
            "{\"source\":}\n",
            "MALFORMED_JSON",
            "/0: malformed JSON at line 1, column 11: Unexpected character ('}' (code 125)): expected a value"));
    c.add(
        entry(
            "ndjson too deep line",
            ND,
            "{" + OK + ",\"detail\":" + deep(6) + "}\n",
            "LIMIT_EXCEEDED",
            "/0/detail/a/a/a/a/a: nesting depth 7 is over the limit of 6 (the event object counts as 1)"));
    c.add(
        entry(
            "ndjson array line",
            ND,
            "[1]\n",
            "INVALID_EVENT",
            "/0: expected an event object, got array [1]"));
    c.add(
        new Case(
            "unknown bus",
            "/buses/nope/events",
            J,
            new String[0],
            "{" + OK + "}",
            404,
            "NOT_FOUND",
            "/bus: no bus named \"nope\"",
            false));
    return c.stream().map(Arguments::of);
  }

  static Stream<Arguments> cloudEventCases() {
    List<Case> c = new ArrayList<>();
    c.add(
        whole(
            "structured empty",
            CE,
            "",
            400,
            "MALFORMED_JSON",
            "/: expected a JSON value, got an empty body"));
    c.add(
        whole(
            "structured array",
            CE,
            "[]",
            400,
            "INVALID_EVENT",
            "/: expected a CloudEvent object, got array []"));
    c.add(
        whole(
            "no specversion",
            CE,
            "{\"id\":\"1\",\"source\":\"s\",\"type\":\"T\"}",
            400,
            "INVALID_EVENT",
            "/specversion: is required: \"1.0\""));
    c.add(
        whole(
            "old specversion",
            CE,
            "{\"specversion\":\"0.3\",\"id\":\"1\",\"source\":\"s\",\"type\":\"T\"}",
            400,
            "INVALID_EVENT",
            "/specversion: expected \"1.0\", got string \"0.3\""));
    c.add(
        whole(
            "no id",
            CE,
            "{\"specversion\":\"1.0\",\"source\":\"s\",\"type\":\"T\"}",
            400,
            "INVALID_EVENT",
            "/id: is required: a non-empty string"));
    c.add(
        whole(
            "no type",
            CE,
            "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\"}",
            400,
            "INVALID_EVENT",
            "/type: is required: a non-empty string"));
    c.add(
        whole(
            "numeric type",
            CE,
            "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":5}",
            400,
            "INVALID_EVENT",
            "/type: expected a string, got number 5"));
    c.add(
        whole(
            "bad time",
            CE,
            "{" + CE_OK + ",\"time\":\"noon\"}",
            400,
            "INVALID_EVENT",
            "/time: expected an RFC 3339 timestamp like 2026-11-23T10:00:00Z, got string \"noon\""));
    c.add(
        whole(
            "string data",
            CE,
            "{" + CE_OK + ",\"data\":\"hello\"}",
            400,
            "INVALID_EVENT",
            "/data: expected a JSON object (it becomes the event's detail), got string \"hello\""));
    c.add(
        whole(
            "base64 data",
            CE,
            "{" + CE_OK + ",\"data_base64\":\"AAAA\"}",
            400,
            "INVALID_EVENT",
            "/data_base64: binary data cannot become an event's detail; send JSON data (an object)"));
    c.add(
        whole(
            "too deep data",
            CE,
            "{" + CE_OK + ",\"data\":" + deep(6) + "}",
            400,
            "LIMIT_EXCEEDED",
            "/data/a/a/a/a/a: nesting depth 7 is over the limit of 6 (the event object counts as 1)"));
    c.add(
        whole(
            "oversize",
            CE,
            "{" + CE_OK + ",\"data\":{\"x\":\"" + "y".repeat(3000) + "\"}}",
            413,
            "TOO_LARGE",
            "/: event is 3170 bytes, over the limit of 2048 bytes (server.limits.maxEventBytes)"));
    c.add(
        whole(
            "batch not array",
            CEB,
            "{" + CE_OK + "}",
            400,
            "INVALID_EVENT",
            "/: expected a JSON array of CloudEvents (batch mode), got object {\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"T\"}"));
    c.add(
        whole(
            "batch too many",
            CEB,
            "[" + ("{" + CE_OK + "},").repeat(5) + "{" + CE_OK + "}]",
            413,
            "TOO_LARGE",
            "/: 6 events in one request, over the limit of 5 (server.limits.maxBatchEntries)"));
    c.add(
        entry(
            "batch element bad",
            CEB,
            "[{\"specversion\":\"1.0\",\"source\":\"s\",\"type\":\"T\"}]",
            "INVALID_EVENT",
            "/0/id: is required: a non-empty string"));
    c.add(
        entry(
            "batch element number",
            CEB,
            "[7]",
            "INVALID_EVENT",
            "/0: expected a CloudEvent object, got number 7"));
    c.add(
        whole(
            "binary no id",
            J,
            "{}",
            400,
            "INVALID_EVENT",
            "/id: is required: a non-empty string",
            "ce-specversion",
            "1.0",
            "ce-source",
            "s",
            "ce-type",
            "T"));
    c.add(
        whole(
            "binary text data",
            "text/plain",
            "hello",
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "/headers/Content-Type: binary-mode CloudEvent data must be JSON (application/json or */*+json) to become the event's detail, got \"text/plain\"",
            "ce-specversion",
            "1.0",
            "ce-id",
            "1",
            "ce-source",
            "s",
            "ce-type",
            "T"));
    c.add(
        whole(
            "binary array data",
            J,
            "[1]",
            400,
            "INVALID_EVENT",
            "/data: expected a JSON object (it becomes the event's detail), got array [1]",
            "ce-specversion",
            "1.0",
            "ce-id",
            "1",
            "ce-source",
            "s",
            "ce-type",
            "T"));
    c.add(
        whole(
            "binary malformed data",
            J,
            "{",
            400,
            "MALFORMED_JSON",
            "/: malformed JSON at line 1, column 2: Unexpected end-of-input: expected close marker for Object (opened at line 1, column 1)",
            "ce-specversion",
            "1.0",
            "ce-id",
            "1",
            "ce-source",
            "s",
            "ce-type",
            "T"));
    c.add(
        whole(
            "binary bad specversion",
            J,
            "{}",
            400,
            "INVALID_EVENT",
            "/specversion: expected \"1.0\", got string \"2.0\"",
            "ce-specversion",
            "2.0",
            "ce-id",
            "1",
            "ce-source",
            "s",
            "ce-type",
            "T"));
    c.add(
        whole(
            "binary bad time",
            J,
            "{}",
            400,
            "INVALID_EVENT",
            "/time: expected an RFC 3339 timestamp like 2026-11-23T10:00:00Z, got string \"soon\"",
            "ce-specversion",
            "1.0",
            "ce-id",
            "1",
            "ce-source",
            "s",
            "ce-type",
            "T",
            "ce-time",
            "soon"));
    return c.stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"nativeCases", "cloudEventCases"})
  void malformedInputGetsTheExactError(Case c) {
    ServerFixture.Response r = s.post(c.path(), c.contentType(), c.body(), c.headers());

    assertThat(r.status()).as(r.body()).isEqualTo(c.status());
    JsonNode body = r.json();
    JsonNode error = c.entry() ? body.get("entries").get(0).get("error") : body;
    assertThat(error.get("code").asText()).as(r.body()).isEqualTo(c.code());
    assertThat(error.get("message").asText()).isEqualTo(c.message());
    assertThat(error.get("problems")).isNotNull();
  }
}

package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An object key is read from the path as the client sent it and decoded once: a percent-encoding
 * that would hide a slash, a backslash, a dot segment or a control character is refused with 400
 * naming the key, for every method, and nothing is stored.
 */
class EncodedObjectKeysTest {

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

  static RawHttp.Response send(String method, String path, String body) {
    return RawHttp.send(
        s.server.port(),
        method
            + " "
            + path
            + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
            + body.length()
            + "\r\nConnection: close\r\n\r\n"
            + body);
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(
            "a%2Fb", "/key: expected no percent-encoded slash (%2F) in a key, got \"a%2Fb\""),
        Arguments.of(
            "..%2F..%2Fescape",
            "/key: expected no percent-encoded slash (%2F) in a key, got \"..%2F..%2Fescape\""),
        Arguments.of(
            "a%5Cb", "/key: expected no percent-encoded backslash (%5C) in a key, got \"a%5Cb\""),
        Arguments.of(
            "a/%2e%2e/b",
            "/key: expected no percent-encoded . or .. segment in a key, got \"a/%2e%2e/b\""),
        Arguments.of(
            "a/%2E/b",
            "/key: expected no percent-encoded . or .. segment in a key, got \"a/%2E/b\""),
        Arguments.of(
            "a%01b",
            "/key: expected no control characters in a key, got %01 (U+0001) at 1 in \"a%01b\""),
        Arguments.of(
            "a%7fb",
            "/key: expected no control characters in a key, got %7f (U+007F) at 1 in \"a%7fb\""),
        Arguments.of(
            "a%252Fb",
            "/key: expected no percent-encoded dot, slash, backslash or NUL in a key, got"
                + " \"a%2Fb\""),
        Arguments.of(
            "a/b%2F", "/key: expected no percent-encoded slash (%2F) in a key, got \"a/b%2F\""));
  }

  @ParameterizedTest
  @MethodSource("refused")
  void anEncodingThatHidesAProblemIsRefusedNamingTheKeyForEveryMethod(String key, String message) {
    for (String method : List.of("PUT", "GET", "DELETE")) {
      RawHttp.Response r = send(method, "/objects/bkt/" + key, method.equals("PUT") ? "x" : "");
      assertThat(r.status()).as(method + " " + key + ": " + r.body()).isEqualTo(400);
      assertThat(r.header("Content-Type")).isEqualTo("application/json");
      JsonNode j = r.json();
      assertThat(j.get("code").asText()).isEqualTo("INVALID_ARGUMENT");
      assertThat(j.get("message").asText()).as(method).isEqualTo(message);
      assertThat(j.get("problems").get(0).get("path").asText()).isEqualTo("/key");
    }
    RawHttp.Response head = send("HEAD", "/objects/bkt/" + key, "");
    assertThat(head.status()).isEqualTo(400);
    assertThat(s.get("/objects/bkt").status())
        .as("nothing stored, not even the bucket")
        .isEqualTo(404);
  }

  @Test
  void otherEncodingsDecodeOnceByPathRules() {
    List<String> stored = new ArrayList<>();
    for (String[] c :
        new String[][] {
          {"a%2eb", "a.b"},
          {"sp%20ace", "sp ace"},
          {"plus+sign", "plus+sign"},
          {"%C3%A9t%C3%A9", "été"},
          {"pct%25", "pct%"},
          {"semi%3Bcolon", "semi;colon"}
        }) {
      RawHttp.Response r = send("PUT", "/objects/ok/" + c[0], c[0]); // the body: ASCII
      assertThat(r.status()).as(c[0] + ": " + r.body()).isEqualTo(200);
      assertThat(r.json().get("key").asText()).isEqualTo(c[1]);
      assertThat(send("GET", "/objects/ok/" + c[0], "").body()).isEqualTo(c[0]);
      stored.add(c[1]);
    }
    List<String> listed = new ArrayList<>();
    s.get("/objects/ok").json().get("objects").forEach(o -> listed.add(o.get("key").asText()));
    assertThat(listed).containsExactlyInAnyOrderElementsOf(stored);
  }
}

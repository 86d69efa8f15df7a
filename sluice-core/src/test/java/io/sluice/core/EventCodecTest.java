package io.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventCodecTest {

  private final EventCodec codec = new EventCodec(EventLimits.DEFAULTS);

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void parsesEnvelopeAndKeepsExtrasInOrder() {
    Event e =
        codec.parse(
            utf8(
                """
                {"id":"e-1","source":"shop.orders","detail-type":"OrderPlaced","time":"2026-11-23T10:00:00Z",
                 "resources":["arn:a"],"detail":{"amount":12},"subject":"o-1","partitionkey":"c-9"}"""));

    assertThat(e.id()).isEqualTo("e-1");
    assertThat(e.source()).isEqualTo("shop.orders");
    assertThat(e.detailType()).isEqualTo("OrderPlaced");
    assertThat(e.time()).isEqualTo(Instant.parse("2026-11-23T10:00:00Z"));
    assertThat(e.version()).isEqualTo("0");
    assertThat(e.account()).isEqualTo("000000000000");
    assertThat(e.region()).isEqualTo("local");
    assertThat(e.resources()).containsExactly("arn:a");
    assertThat(e.detail().get("amount").asInt()).isEqualTo(12);
    assertThat(e.extras().keySet()).containsExactly("subject", "partitionkey");
    assertThat(e.groupKey()).contains("c-9");
  }

  @Test
  void writesEnvelopeInEventBridgeOrderAndReadsItBack() {
    Event e =
        codec
            .parse(
                utf8(
                    "{\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{\"a\":[1,2]},\"x\":true}"))
            .withDefaults("id-1", Instant.parse("2026-11-23T10:00:00.123Z"));

    String json = new String(codec.toBytes(e), StandardCharsets.UTF_8);

    assertThat(json)
        .isEqualTo(
            "{\"version\":\"0\",\"id\":\"id-1\",\"detail-type\":\"T\",\"source\":\"s\","
                + "\"account\":\"000000000000\",\"time\":\"2026-11-23T10:00:00.123Z\","
                + "\"region\":\"local\",\"resources\":[],\"detail\":{\"a\":[1,2]},\"x\":true}");
    assertThat(codec.readStored(utf8(json))).isEqualTo(e);
  }

  @Test
  void withDefaultsKeepsGivenIdAndTime() {
    Event e =
        codec.parse(
            utf8(
                "{\"id\":\"mine\",\"time\":\"2026-01-01T00:00:00+01:00\",\"source\":\"s\",\"detail-type\":\"T\"}"));

    Event d = e.withDefaults("other", Instant.EPOCH);

    assertThat(d.id()).isEqualTo("mine");
    assertThat(d.time()).isEqualTo(Instant.parse("2025-12-31T23:00:00Z"));
  }

  static Stream<Arguments> badEvents() {
    return Stream.of(
        Arguments.of("", "MALFORMED_JSON", List.of("/: expected a JSON value, got an empty body")),
        Arguments.of(
            "{\"source\":",
            "MALFORMED_JSON",
            List.of(
                "/: malformed JSON at line 1, column 11: Unexpected end-of-input within/between Object"
                    + " entries")),
        Arguments.of(
            "{\"source\":\"s\" \"detail-type\":\"T\"}",
            "MALFORMED_JSON",
            List.of(
                "/: malformed JSON at line 1, column 15: Unexpected character ('\"' (code 34)): was"
                    + " expecting comma to separate Object entries")),
        Arguments.of(
            "{\"source\":\"s\",\"source\":\"t\",\"detail-type\":\"T\"}",
            "MALFORMED_JSON",
            List.of("/: malformed JSON at line 1, column 23: Duplicate field 'source'")),
        Arguments.of(
            "{\"source\":\"s\",\"detail-type\":\"T\"}\n{\"source\":\"s\",\"detail-type\":\"T\"}",
            "MALFORMED_JSON",
            List.of(
                "/: malformed JSON at line 2, column 1: more than one JSON value; send a JSON array,"
                    + " or NDJSON with Content-Type application/x-ndjson")),
        Arguments.of("[1]", "INVALID_EVENT", List.of("/: expected an event object, got array [1]")),
        Arguments.of(
            "{}",
            "INVALID_EVENT",
            List.of(
                "/detail-type: is required: a non-empty string",
                "/source: is required: a non-empty string")),
        Arguments.of(
            "{\"source\":12,\"detail-type\":\"\",\"detail\":[1],\"time\":\"yesterday\","
                + "\"resources\":[\"a\",true],\"id\":null,\"account\":{}}",
            "INVALID_EVENT",
            List.of(
                "/source: expected a string, got number 12",
                "/detail-type: expected a non-empty string, got \"\"",
                "/detail: expected a JSON object, got array [1]",
                "/time: expected an RFC 3339 timestamp like 2026-11-23T10:00:00Z, got string"
                    + " \"yesterday\"",
                "/resources/1: expected a string, got boolean true",
                "/id: expected a string, got null",
                "/account: expected a string, got object {}")),
        Arguments.of(
            "{\"source\":\"s\",\"detail-type\":\"T\",\"resources\":\"arn\"}",
            "INVALID_EVENT",
            List.of("/resources: expected an array of strings, got string \"arn\"")),
        Arguments.of(
            "{\"source\":\"s\",\"detail-type\":\"T\",\"id\":\"" + "x".repeat(257) + "\"}",
            "LIMIT_EXCEEDED",
            List.of("/id: is 257 characters, over the limit of 256")));
  }

  @ParameterizedTest
  @MethodSource("badEvents")
  void rejectsBadEventsWithExactProblems(String json, String code, List<String> problems) {
    assertThatThrownBy(() -> codec.parse(utf8(json)))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.problems()).map(Problem::toString).containsExactlyElementsOf(problems);
            });
  }

  @Test
  void rejectsOversizeEventNamingLimitAndSize() {
    String big = "x".repeat(300_000);
    String json = "{\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{\"b\":\"" + big + "\"}}";

    assertThatThrownBy(() -> codec.parse(utf8(json)))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            e -> {
              assertThat(e.code()).isEqualTo("TOO_LARGE");
              assertThat(e.problems())
                  .map(Problem::toString)
                  .containsExactly(
                      "/: event is 300195 bytes, over the limit of 262144 bytes (server.limits.maxEventBytes)");
            });
  }

  @Test
  void sizeLimitIsConfigurableAndInclusive() {
    EventCodec small = new EventCodec(new EventLimits(200, 128));
    Event e = small.parse(utf8("{\"source\":\"s\",\"detail-type\":\"T\"}"));
    int size =
        small.toBytes(e.withDefaults("00000000-0000-0000-0000-000000000000", Instant.EPOCH)).length;

    EventCodec exact = new EventCodec(new EventLimits(size, 128));
    assertThat(exact.parse(utf8("{\"source\":\"s\",\"detail-type\":\"T\"}")).source())
        .isEqualTo("s");
    EventCodec under = new EventCodec(new EventLimits(size - 1, 128));
    assertThatThrownBy(() -> under.parse(utf8("{\"source\":\"s\",\"detail-type\":\"T\"}")))
        .hasMessage(
            "/: event is "
                + size
                + " bytes, over the limit of "
                + (size - 1)
                + " bytes (server.limits.maxEventBytes)");
  }

  @Test
  void rejectsTooDeepEventWithThePathWhereTheLimitWasCrossed() {
    EventCodec shallow = new EventCodec(new EventLimits(EventLimits.DEFAULT_MAX_EVENT_BYTES, 4));
    // depth: event 1, detail 2, a 3, b 4, c 5
    String json = "{\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{\"a\":{\"b\":[{\"c\":1}]}}}";

    assertThatThrownBy(() -> shallow.parse(utf8(json)))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            e -> {
              assertThat(e.code()).isEqualTo("LIMIT_EXCEEDED");
              assertThat(e.problems())
                  .map(Problem::toString)
                  .containsExactly(
                      "/detail/a/b/0: nesting depth 5 is over the limit of 4 (the event object"
                          + " counts as 1)");
            });
    String ok = "{\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{\"a\":{\"b\":1}}}";
    assertThat(shallow.parse(utf8(ok)).detail().get("a").get("b").asInt()).isEqualTo(1);
  }

  @Test
  void depthLimitAppliesToEachEventOfABatch() {
    EventCodec shallow = new EventCodec(new EventLimits(EventLimits.DEFAULT_MAX_EVENT_BYTES, 3));
    byte[] ok = utf8("[{\"detail\":{\"a\":[1]}},{}]");
    byte[] deep = utf8("[{\"detail\":{\"a\":[1]}},{\"detail\":{\"a\":{\"b\":{}}}}]");

    assertThat(shallow.readTree(ok, 0, ok.length, 1).size()).isEqualTo(2);
    assertThatThrownBy(() -> shallow.readTree(deep, 0, deep.length, 1))
        .hasMessage(
            "/1/detail/a/b: nesting depth 4 is over the limit of 3 (the event object counts as 1)");
  }

  @Test
  void hugelyNestedInputIsRejectedWithoutBlowingTheStack() {
    String json = "[".repeat(200_000) + "]".repeat(200_000);
    byte[] b = utf8(json);

    assertThatThrownBy(() -> codec.readTree(b, 0, b.length, 0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageEndingWith(
            "nesting depth 129 is over the limit of 128 (the event object counts as 1)");
  }

  @Test
  void collectsProblemsUnderAPathPrefix() {
    List<Problem> problems = new ArrayList<>();
    var node = codec.readTree(utf8("{\"source\":1}"), 0, 12, 0);

    assertThat(codec.fromTree(node, "/3", problems)).isNull();
    assertThat(problems)
        .map(Problem::toString)
        .containsExactly(
            "/3/source: expected a string, got number 1",
            "/3/detail-type: is required: a non-empty string");
  }

  @net.jqwik.api.Property(tries = 2000)
  void timeFormatMatchesIsoInstant(
      @net.jqwik.api.ForAll @net.jqwik.api.constraints.LongRange(min = 0, max = 253402300799L)
          long secs,
      @net.jqwik.api.ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 999_999_999)
          int nanos) {
    for (int n : new int[] {0, nanos, nanos / 1000 * 1000, nanos / 1_000_000 * 1_000_000}) {
      Instant t = Instant.ofEpochSecond(secs, n);
      assertThat(EventCodec.formatTime(t))
          .isEqualTo(java.time.format.DateTimeFormatter.ISO_INSTANT.format(t));
    }
  }
}

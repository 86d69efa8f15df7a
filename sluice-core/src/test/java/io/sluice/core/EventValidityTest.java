package io.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one definition of a valid event, applied at the door: what ingest acknowledges must be
 * storable everywhere (the lake, DuckDB, any JSON reader), so text is valid Unicode and times are
 * within years 0000-9999.
 */
class EventValidityTest {

  private final EventCodec codec = new EventCodec(EventLimits.DEFAULTS);

  private Event parse(String json) {
    return codec.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  /** The problems, one per line, with lone surrogates shown as escapes (so reports stay text). */
  private static String problems(InvalidInputException e) {
    StringBuilder b = new StringBuilder();
    for (Problem p : e.problems()) {
      if (!b.isEmpty()) {
        b.append('\n');
      }
      String s = p.toString();
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        b.append(
            Character.isSurrogate(c) && Utf8.firstLoneSurrogate(s.substring(i, i + 1)) == 0
                ? String.format("<U+%04X>", (int) c)
                : String.valueOf(c));
      }
    }
    return b.toString();
  }

  @Test
  void aLoneSurrogateInTheDetailIsRefusedWithItsPath() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"source\":\"shop\",\"detail-type\":\"Odd\",\"detail\":{\"s\":\"\\ud800\"}}"))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            e -> {
              assertThat(e.code()).isEqualTo("INVALID_EVENT");
              assertThat(problems(e))
                  .isEqualTo(
                      "/detail/s: expected valid Unicode text, got a lone surrogate U+D800 at"
                          + " character 0 (a \\ud800 escape needs its pair)");
            });
  }

  @Test
  void loneSurrogatesAnywhereAreAllReported() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"source\":\"s\\udc00\",\"detail-type\":\"x\\ud83d\",\"resources\":[\"ok\",\"\\udfff\"],"
                        + "\"detail\":{\"a\":[1,{\"b\":\"\\udc00c\"}],\"ok\":\"\\ud83d\\ude00\"},"
                        + "\"subject\":\"\\udbff\"}"))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            e ->
                assertThat(problems(e))
                    .isEqualTo(
                        String.join(
                            "\n",
                            "/source: expected valid Unicode text, got a lone surrogate U+DC00 at"
                                + " character 1 (a \\udc00 escape needs its pair)",
                            "/detail-type: expected valid Unicode text, got a lone surrogate U+D83D"
                                + " at character 1 (a \\ud83d escape needs its pair)",
                            "/resources/1: expected valid Unicode text, got a lone surrogate U+DFFF"
                                + " at character 0 (a \\udfff escape needs its pair)",
                            "/detail/a/1/b: expected valid Unicode text, got a lone surrogate"
                                + " U+DC00 at character 0 (a \\udc00 escape needs its pair)",
                            "/subject: expected valid Unicode text, got a lone surrogate U+DBFF at"
                                + " character 0 (a \\udbff escape needs its pair)")));
  }

  @Test
  void aFieldNameThatIsNotTextIsRefusedInTreesBuiltElsewhere() {
    // the JSON parser refuses such names itself; trees from transforms are checked the same way
    var tree = Json.MAPPER.createObjectNode().put("source", "s").put("detail-type", "t");
    tree.putObject("detail").putObject("x").put("k\udc00", 1);
    java.util.List<Problem> found = new java.util.ArrayList<>();
    assertThat(codec.fromTree(tree, "/3", found)).isNull();
    assertThat(found)
        .extracting(Problem::message)
        .containsExactly(
            "expected a field name of valid Unicode text, got a lone surrogate U+DC00 at"
                + " character 1 (a \\udc00 escape needs its pair)");
    assertThat(found.get(0).path()).isEqualTo("/3/detail/x/k\udc00");
  }

  @Test
  void pairedSurrogatesAreText() {
    Event e =
        parse(
            "{\"source\":\"s\",\"detail-type\":\"\\ud83d\\ude00\",\"detail\":{\"\\ud83d\\ude00\":\"\\ud83d\\ude00\"}}");
    assertThat(e.detailType()).isEqualTo("😀");
    assertThat(e.detail().get("😀").asText()).isEqualTo("😀");
  }

  @ParameterizedTest
  @CsvSource({
    "+99999-01-01T00:00:00Z",
    "+10000-01-01T00:00:00Z",
    "-0001-12-31T23:59:59Z",
    "9999-12-31T23:59:59-00:01",
    "0000-01-01T00:59:59+01:00"
  })
  void timesOutsideYears0000To9999InUtcAreRefused(String time) {
    assertThatThrownBy(
            () -> parse("{\"source\":\"s\",\"detail-type\":\"t\",\"time\":\"" + time + "\"}"))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            e ->
                assertThat(problems(e))
                    .isEqualTo(
                        "/time: expected a time from 0000-01-01T00:00:00Z to"
                            + " 9999-12-31T23:59:59.999999999Z (years 0000 to 9999 in UTC, as RFC"
                            + " 3339 and the lake allow), got string \""
                            + time
                            + "\""));
  }

  @ParameterizedTest
  @CsvSource({
    "0000-01-01T00:00:00Z, 0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999999Z, 9999-12-31T23:59:59.999999999Z",
    "0001-01-01T01:00:00+01:00, 0001-01-01T00:00:00Z"
  })
  void timesAtTheEdgesOfTheRangeAreKept(String time, String utc) {
    Event e = parse("{\"source\":\"s\",\"detail-type\":\"t\",\"time\":\"" + time + "\"}");
    assertThat(e.time()).isEqualTo(Instant.parse(utc));
    assertThat(EventCodec.formatTime(e.time())).isEqualTo(utc);
  }

  @Test
  void duplicateFieldNamesAreRefused() {
    assertThatThrownBy(
            () -> parse("{\"source\":\"s\",\"detail-type\":\"t\",\"detail\":{\"a\":1,\"a\":2}}"))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            e ->
                assertThat(problems(e))
                    .isEqualTo("/: malformed JSON at line 1, column 52: Duplicate field 'a'"));
  }
}

package io.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProblemTest {

  @Test
  void readsAsOneSentenceWithPath() {
    Problem p =
        Problem.of(
            "/buses/1/retention", "expected a duration like 7d or 12h, got \"seven\"", "\"seven\"");

    assertThat(p)
        .hasToString("/buses/1/retention: expected a duration like 7d or 12h, got \"seven\"");
    assertThat(Problem.of("", "empty body")).hasToString("/: empty body");
    assertThat(p.under("/config"))
        .hasToString(
            "/config/buses/1/retention: expected a duration like 7d or 12h, got \"seven\"");
  }

  @Test
  void rendersLongValuesCutWithTheirLength() {
    String rendered = Problem.render("a".repeat(500));

    assertThat(rendered).startsWith("\"aaa").endsWith("…(502 chars)");
    assertThat(rendered).hasSize(Problem.MAX_RENDERED_VALUE_CHARS + "…(502 chars)".length());
    assertThat(Problem.render("tab\there \"q\"")).isEqualTo("\"tab\\there \\\"q\\\"\"");
    assertThat(Problem.render(null)).isEqualTo("null");
  }

  @Test
  void escapesPointerTokens() {
    assertThat(Problem.pointerToken("a/b~c")).isEqualTo("a~1b~0c");
  }

  @Test
  void invalidInputCarriesAllProblemsAndSummarises() {
    var e =
        InvalidInputException.of(
            "INVALID_EVENT", java.util.List.of(Problem.of("/a", "bad"), Problem.of("/b", "worse")));

    assertThat(e.getMessage()).isEqualTo("/a: bad (and 1 more problem)");
    assertThat(e.problems()).hasSize(2);
    assertThat(e.code()).isEqualTo("INVALID_EVENT");
  }
}

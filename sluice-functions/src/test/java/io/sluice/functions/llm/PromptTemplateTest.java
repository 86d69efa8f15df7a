package io.sluice.functions.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptTemplateTest {

  static PromptTemplate parse(String s) {
    List<String> problems = new ArrayList<>();
    PromptTemplate t = PromptTemplate.parse(s, problems);
    assertThat(problems).isEmpty();
    return t;
  }

  static final String PAYLOAD =
      "{\"a\":\"x\",\"n\":1.5,\"b\":true,\"o\":{\"k\":[1,2]},\"arr\":[{\"s\":\"first\"}],"
          + "\"nul\":null,\"detail-type\":\"T\"}";

  @Test
  void stringsGoInAsTheirTextAndOtherValuesAsCompactJson() throws Exception {
    assertThat(
            parse("{{a}}|{{n}}|{{b}}|{{o}}|{{arr.0.s}}|{{nul}}|{{json.a}}|{{ a }}|{{detail-type}}")
                .render(Json.MAPPER.readTree(PAYLOAD)))
        .isEqualTo("x|1.5|true|{\"k\":[1,2]}|first|null|x|x|T");
  }

  @Test
  void jsonIsTheWholePayloadAsJsonEvenWhenItIsAString() throws Exception {
    assertThat(parse("in: {{json}}").render(Json.MAPPER.readTree("{\"a\": [1, 2]}")))
        .isEqualTo("in: {\"a\":[1,2]}");
    assertThat(parse("in: {{json}}").render(Json.MAPPER.readTree("\"hi\"")))
        .isEqualTo("in: \"hi\"");
  }

  @Test
  void anOptionalValueThatIsMissingOrNullPutsInNothing() throws Exception {
    assertThat(
            parse("[{{missing?}}][{{nul?}}][{{a.b?}}][{{arr.5.s?}}][{{a?}}]")
                .render(Json.MAPPER.readTree(PAYLOAD)))
        .isEqualTo("[][][][][x]");
  }

  @Test
  void aRequiredValueThatIsMissingFailsNamingThePlaceholder() {
    PromptTemplate t = parse("Rate {{arr.1.s}}");

    assertThatThrownBy(() -> t.render(Json.MAPPER.readTree(PAYLOAD)))
        .isInstanceOf(PromptTemplate.MissingValueException.class)
        .hasMessage(
            "the prompt's {{arr.1.s}} is not in the payload (write {{arr.1.s?}} to leave it empty"
                + " when missing)");
  }

  @Test
  void textWithoutPlaceholdersAndSingleBracesIsKeptAsItIs() throws Exception {
    assertThat(parse("Answer as {\"a\": 1} } {").render(Json.MAPPER.readTree("{}")))
        .isEqualTo("Answer as {\"a\": 1} } {");
  }
}

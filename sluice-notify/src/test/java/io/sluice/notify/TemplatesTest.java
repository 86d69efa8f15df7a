package io.sluice.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplatesTest {

  @Test
  void textTemplatesReadEventFieldsAndLeaveValuesAsTheyAre() throws Exception {
    var event = Json.MAPPER.readTree("{\"detail\":{\"amount\":12.5,\"who\":\"A & <B>\"}}");
    assertThat(Templates.text("{{detail.who}} paid {{detail.amount}}{{detail.none}}").render(event))
        .isEqualTo("A & <B> paid 12.5");
  }

  @Test
  void htmlTemplatesEscapeValues() {
    assertThat(Templates.html("<b>{{who}}</b>").render(Map.of("who", "A & <B>")))
        .isEqualTo("<b>A &amp; &lt;B&gt;</b>");
  }

  @Test
  void sectionsRepeatOverLists() throws Exception {
    var scope = Json.MAPPER.readTree("{\"rows\":[{\"n\":1},{\"n\":2}]}");
    assertThat(Templates.text("{{#rows}}[{{n}}]{{/rows}}").render(scope)).isEqualTo("[1][2]");
  }

  @Test
  void aTemplateThatDoesNotCompileIsRefusedWithTheTemplate() {
    assertThat(Templates.problem("{{#open}} never closed"))
        .isEqualTo(
            "not a valid Mustache template (Failed to close 'open' tag on line 1): {{#open}} never"
                + " closed");
    assertThat(Templates.problem("fine {{x}}")).isNull();
    assertThatThrownBy(() -> Templates.text("{{/close}}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a valid Mustache template");
  }
}

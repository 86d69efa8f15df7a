package io.sluice.functions.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.config.ConfigLoader;
import io.sluice.core.kinds.Kinds;
import io.sluice.testkit.ConfigProblems;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code llm} keys of a function mapping: what is read, and every problem with its path. */
class LlmRuntimeKindTest {

  static final Kinds KINDS = Kinds.of().withRuntimes(List.of(new LlmRuntimeKind()));

  static LlmFunction read(String yaml) {
    return (LlmFunction)
        ConfigLoader.parse(yaml, "t.yaml", Path.of("/srv/sluice"), KINDS).functions().get(0).spec();
  }

  @Test
  void aFunctionReadsItsSettingsWithTheirDefaults() {
    LlmFunction f =
        read(
            """
            functions:
              - {name: a, runtime: llm, endpoint: "http://localhost:11434/v1/", model: llama3.2,
                 prompt: "Say {{json}}"}
            """);

    assertThat(f.endpoint()).hasToString("http://localhost:11434/v1");
    assertThat(f.model()).isEqualTo("llama3.2");
    assertThat(f.apiKey()).isNull();
    assertThat(f.system()).isNull();
    assertThat(f.prompt().source()).isEqualTo("Say {{json}}");
    assertThat(f.responseSchema()).isNull();
    assertThat(f.strict()).isTrue();
    assertThat(f.maxTokens()).isEqualTo(1024);
    assertThat(f.temperature()).isZero();
    assertThat(f.hasBudget()).isFalse();
  }

  @Test
  void theApiKeyIsNotInTheSettingsText() {
    LlmFunction f =
        read(
            """
            functions:
              - {name: a, runtime: llm, endpoint: "https://api.openai.com/v1", model: gpt-4o-mini,
                 apiKey: sk-secret, prompt: x, budget: {tokensPerDay: 5000}, temperature: 0.7}
            """);

    assertThat(f.apiKey()).isEqualTo("sk-secret");
    assertThat(f.toString()).doesNotContain("sk-secret").contains("apiKey=(set)");
    assertThat(f.tokensPerDay()).isEqualTo(5000);
    assertThat(f.temperature()).isEqualTo(0.7);
  }

  @Test
  void everyProblemOfAnLlmFunctionIsReportedWithItsPath() {
    assertThat(
            ConfigProblems.of(
                """
                functions:
                  - {name: a, runtime: llm, endpoint: "ftp://models/v1", prompt: "x"}
                  - {name: b, runtime: llm, endpoint: "http://h:1/v1?x=1", model: m, prompt: "Hi {{detail.name"}
                  - {name: c, runtime: llm, endpoint: "not a url", model: m, prompt: "{{}} and {{a..b}} and {{ a b }}", system: 7}
                  - name: d
                    runtime: llm
                    endpoint: http://localhost:11434/v1
                    model: m
                    prompt: x
                    responseSchema: {type: strin}
                    maxTokens: 0
                    temperature: 3
                    strict: yes please
                    budget: {tokensPerDay: -5, perHour: 1}
                  - {name: e, runtime: llm, endpoint: "${env:SLUICE_UNSET_FOR_TEST}", model: "", apiKey: "${env:SLUICE_UNSET_FOR_TEST}", prompt: "", budget: {}}
                  - {name: f, runtime: llm, endpoint: http://h/v1, model: m, prompt: x, responseSchema: [a], budget: 10}
                """,
                KINDS))
        .containsExactly(
            "/functions/0/endpoint: expected an http or https URL like http://localhost:11434/v1"
                + " (no query or fragment), got \"ftp://models/v1\"",
            "/functions/0/model: is required: a model the server serves, like llama3.2",
            "/functions/1/endpoint: expected an http or https URL like http://localhost:11434/v1"
                + " (no query or fragment), got \"http://h:1/v1?x=1\"",
            "/functions/1/prompt: unclosed {{ at character 4; a placeholder is {{json}},"
                + " {{path.to.field}} or {{optional.path?}}",
            "/functions/2/endpoint: expected an http or https URL like http://localhost:11434/v1"
                + " (no query or fragment), got \"not a url\"",
            "/functions/2/system: expected a string, got number 7",
            "/functions/2/prompt: empty placeholder {{}} at character 1; a placeholder is"
                + " {{json}}, {{path.to.field}} or {{optional.path?}}",
            "/functions/2/prompt: placeholder {{a..b}} at character 10 is not a path of field"
                + " names separated by dots; a placeholder is {{json}}, {{path.to.field}} or"
                + " {{optional.path?}}",
            "/functions/2/prompt: placeholder {{a b}} at character 23 is not a path of field"
                + " names separated by dots; a placeholder is {{json}}, {{path.to.field}} or"
                + " {{optional.path?}}",
            "/functions/3/responseSchema: is not a usable JSON Schema: $.type: does not have a"
                + " value in the enumeration [\"array\", \"boolean\", \"integer\", \"null\","
                + " \"number\", \"object\", \"string\"]; $.type: string found, array expected",
            "/functions/3/strict: expected true or false, got string \"yes please\"",
            "/functions/3/maxTokens: expected an integer 1..1000000, got number 0",
            "/functions/3/temperature: expected a number 0..2, got number 3",
            "/functions/3/budget/perHour: unknown field; expected one of tokensPerDay",
            "/functions/3/budget/tokensPerDay: expected an integer 1..2147483647, got number -5",
            "/functions/4/endpoint: uses environment variable SLUICE_UNSET_FOR_TEST, which is not"
                + " set",
            "/functions/4/model: expected a model the server serves, like llama3.2, got \"\"",
            "/functions/4/apiKey: uses environment variable SLUICE_UNSET_FOR_TEST, which is not"
                + " set",
            "/functions/4/prompt: expected a prompt template over the input, like \"Summarise:"
                + " {{json}}\", got \"\"",
            "/functions/4/budget/tokensPerDay: is required: the tokens the function may use per"
                + " UTC day",
            "/functions/5/responseSchema: expected a JSON Schema object, got array [\"a\"]",
            "/functions/5/budget: expected a mapping {tokensPerDay: n}, got number 10");
  }
}

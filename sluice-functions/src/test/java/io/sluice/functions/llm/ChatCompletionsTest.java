package io.sluice.functions.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatCompletionsTest {

  static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  static Duration retryAfter(String... pairs) {
    Map<String, List<String>> m = new java.util.HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], List.of(pairs[i + 1]));
    }
    return ChatCompletions.retryAfter(HttpHeaders.of(m, (a, b) -> true), NOW);
  }

  @Test
  void retryAfterIsReadAsSecondsAsAnHttpDateOrAsOpenAisMilliseconds() {
    assertThat(retryAfter("Retry-After", "120")).isEqualTo(Duration.ofSeconds(120));
    assertThat(retryAfter("Retry-After", "Mon, 23 Nov 2026 10:00:30 GMT"))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(retryAfter("Retry-After", "Mon, 23 Nov 2026 09:00:00 GMT")).isEqualTo(Duration.ZERO);
    assertThat(retryAfter("Retry-After", "2", "retry-after-ms", "1500"))
        .isEqualTo(Duration.ofMillis(1500));
    assertThat(retryAfter("Retry-After", "soon")).isNull();
    assertThat(retryAfter()).isNull();
  }

  @Test
  void theServersMessageIsOpenAisErrorMessageElseTheBodyCut() {
    assertThat(msg("{\"error\":{\"message\":\"Incorrect API key\",\"type\":\"invalid_request\"}}"))
        .isEqualTo("Incorrect API key");
    assertThat(msg("{\"error\":\"model not found\"}")).isEqualTo("model not found");
    assertThat(msg("Bad Gateway\n")).isEqualTo("Bad Gateway");
    assertThat(msg("")).isEqualTo("(no body)");
    assertThat(msg("x".repeat(600))).isEqualTo("x".repeat(500) + "…(600 chars)");
  }

  static String msg(String body) {
    return ChatCompletions.serverMessage(body.getBytes(StandardCharsets.UTF_8));
  }
}

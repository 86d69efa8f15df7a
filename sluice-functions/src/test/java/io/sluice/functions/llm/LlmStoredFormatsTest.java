package io.sluice.functions.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.testkit.MutableClock;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files the {@code llm} runtime keeps, as golden copies later versions must still read: the
 * budget, a cache entry, and the key a request is kept under (a change of it would make every
 * cached answer unreachable, so every replay would ask and pay again).
 */
class LlmStoredFormatsTest {

  @TempDir Path dir;

  static final String REQUEST =
      "{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}],"
          + "\"max_tokens\":1024,\"temperature\":0.0}";
  static final String KEY = "f0b039372767ab4d9ad9d7ccba14588a18d09038093b5cd06db2acfcd902ec8f";

  void copy(String golden, Path to) throws Exception {
    Files.createDirectories(to.getParent());
    try (InputStream in = getClass().getResourceAsStream("golden/" + golden)) {
      Files.copy(in, to);
    }
  }

  @Test
  void aRequestIsKeptUnderTheSha256OfItsCanonicalJson() throws Exception {
    // printf '%s' '{"endpoint":"http://localhost:11434/v1","request":{"max_tokens":1024,
    //   "messages":[{"content":"Say hi","role":"user"}],"model":"llama3.2","temperature":0}}'
    //   (on one line) | sha256sum
    ObjectNode request = (ObjectNode) Json.MAPPER.readTree(REQUEST);
    ObjectNode reordered =
        (ObjectNode)
            Json.MAPPER.readTree(
                "{\"temperature\":0.0,\"max_tokens\":1024,\"messages\":[{\"content\":\"Say hi\","
                    + "\"role\":\"user\"}],\"model\":\"llama3.2\"}");

    assertThat(ResponseCache.key(URI.create("http://localhost:11434/v1"), request)).isEqualTo(KEY);
    assertThat(ResponseCache.key(URI.create("http://localhost:11434/v1"), reordered))
        .isEqualTo(KEY);
    assertThat(
            ResponseCache.key(
                URI.create("http://localhost:11434/v1"), request.put("temperature", 0)))
        .isEqualTo(KEY);
    assertThat(ResponseCache.key(URI.create("http://localhost:8000/v1"), request))
        .isNotEqualTo(KEY);
  }

  @Test
  void aCacheEntryOfThisVersionIsRead() throws Exception {
    copy("llm-cache-entry.json", dir.resolve("llm-cache/" + KEY + ".json"));

    assertThat(new ResponseCache(dir).get(KEY).path("choices").path(0).path("message"))
        .isEqualTo(Json.MAPPER.readTree("{\"role\":\"assistant\",\"content\":\"hi\"}"));
  }

  @Test
  void aBudgetFileOfThisVersionIsReadForItsDayAndForgottenTheNext() throws Exception {
    copy("llm-budget.json", dir.resolve(TokenBudget.FILE));
    MutableClock clock = MutableClock.atDefaultStart(); // 2026-11-23T10:00:00Z

    TokenBudget budget = new TokenBudget(dir, 2000, clock);
    assertThat(budget.usedToday()).isEqualTo(1234);
    assertThat(budget.remaining()).isEqualTo(766);

    clock.advance(java.time.Duration.ofDays(1));
    assertThat(budget.usedToday()).isZero();
    assertThat(budget.refusal()).isNull();
  }
}

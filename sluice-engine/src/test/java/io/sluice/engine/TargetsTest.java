package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.testkit.Await;
import io.sluice.testkit.HttpReceiver;
import io.sluice.testkit.HttpReceiver.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetsTest {

  @TempDir Path dir;

  static List<String> lines(Path d) throws Exception {
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(d)) {
      return out;
    }
    try (Stream<Path> s = Files.list(d)) {
      for (Path p : s.sorted().toList()) {
        out.addAll(Files.readAllLines(p));
      }
    }
    return out;
  }

  @Test
  void fileTargetWritesNdjsonRolledBySizeAndBusTargetForwards() throws Exception {
    Path out = dir.resolve("out");
    try (EngineFixture f =
        new EngineFixture(
            dir,
            "buses: [{name: in}, {name: audit}]\nrules:\n"
                + "  - {name: keep, bus: in, pattern: {source: [s]}, targets: [{id: f, file: {dir: out, rollBytes: 2KB}}, {id: fwd, bus: audit, jq: '. + {\"forwarded\": true}'}]}\n")) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        ids.add(
            f.send("in", "{\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{\"i\":" + i + "}}"));
      }
      Await.until(
          Duration.ofSeconds(20),
          () -> safeLines(out).size() == 40,
          () -> safeLines(out).size() + " lines");
      Await.until(
          Duration.ofSeconds(20),
          () -> f.engine.buses().info("audit").records() == 40,
          () -> "audit has " + f.engine.buses().info("audit").records());

      List<String> written = lines(out);
      assertThat(written.stream().map(l -> parse(l).get("id").asText()).toList())
          .containsExactlyInAnyOrderElementsOf(ids);
      try (Stream<Path> s = Files.list(out)) {
        assertThat(s.toList())
            .hasSizeGreaterThan(1)
            .allSatisfy(
                p ->
                    assertThat(p.getFileName().toString())
                        .startsWith("keep.f.")
                        .endsWith(".ndjson"));
      }
      var page =
          f.engine.buses().read("audit", f.engine.buses().position("audit", "earliest"), 100);
      assertThat(page.events())
          .hasSize(40)
          .allSatisfy(
              e -> assertThat(parse(new String(e.json())).get("forwarded").asBoolean()).isTrue());
    }
  }

  private static List<String> safeLines(Path d) {
    try {
      return lines(d);
    } catch (Exception e) {
      return List.of();
    }
  }

  static JsonNode parse(String s) {
    try {
      return Json.MAPPER.readTree(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void httpBatchingSendsJsonArraysAndTextTemplatesAsText() {
    try (HttpReceiver batched = HttpReceiver.start(r -> Reply.OK);
        HttpReceiver text = HttpReceiver.start(r -> Reply.OK);
        EngineFixture f =
            new EngineFixture(
                dir,
                "rules:\n  - name: r\n    pattern: {source: [s]}\n    targets:\n"
                    + "      - {id: b, http: {url: \""
                    + batched.url()
                    + "\", headers: {X-Token: abc}}, batch: {size: 10, interval: 200ms}, concurrency: 1}\n"
                    + "      - {id: t, http: {url: \""
                    + text.url()
                    + "\", method: PUT}, inputTransformer: {inputPathsMap: {i: $.detail.i}, inputTemplate: 'event <i> arrived'}}\n")) {
      List<String> events = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        events.add("{\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{\"i\":" + i + "}}");
      }
      List<String> ids = f.send("default", events);

      Await.until(
          Duration.ofSeconds(20),
          () -> batched.deliveredIds().size() == 25 && text.requests().size() == 25,
          () -> batched.deliveredIds().size() + "/" + text.requests().size());

      assertThat(batched.deliveredIds()).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(batched.requests())
          .allSatisfy(
              r -> {
                assertThat(r.json().isArray()).isTrue();
                assertThat(r.json().size()).isBetween(1, 10);
                assertThat(r.header("X-Token")).isEqualTo("abc");
              });
      assertThat(batched.requests().size()).isLessThan(25);
      assertThat(text.requests())
          .allSatisfy(
              r -> {
                assertThat(r.method()).isEqualTo("PUT");
                assertThat(r.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
                assertThat(r.bodyText()).matches("event \\d+ arrived");
              });
    }
  }

  @Test
  void aTargetThatCannotTakeTheEventDeadLettersItWithTheReason() {
    try (EngineFixture f =
        new EngineFixture(
            dir,
            "buses: [{name: in}, {name: audit}]\nrules:\n"
                + "  - {name: r, bus: in, pattern: {source: [s]}, targets: [{id: t, bus: audit, jq: '.detail'}]}\n")) {
      f.send("in", "{\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{\"not\":\"an event\"}}");
      Await.until(
          Duration.ofSeconds(10), () -> f.deadLetters().size() == 1, () -> "no dead letter");
      assertThat(f.deadLetters().get(0).get("error").asText())
          .isEqualTo(
              "bus audit refused the event: /detail-type: is required: a non-empty string (and 1 more problems)");
    }
  }
}

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
import java.util.Map;
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
                + "  - {name: r, bus: in, pattern: {source: [s]}, targets: [{id: t, bus: audit, jq: '{detail: .detail, \"detail-type\": 5, source: \"\"}'}, {id: u, bus: audit, jq: '[.detail]'}]}\n")) {
      f.send("in", "{\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{\"not\":\"an event\"}}");
      Await.until(
          Duration.ofSeconds(10), () -> f.deadLetters().size() == 2, () -> "no dead letters");
      Map<String, String> errors = new java.util.TreeMap<>();
      f.deadLetters().forEach(d -> errors.put(d.get("target").asText(), d.get("error").asText()));
      String needs =
          " (a bus target forwards the matched event, or a transform's output: an object with"
              + " detail is the event, any other object becomes its detail, and source, detail-type,"
              + " id and time not given are the matched event's)";
      assertThat(errors)
          .containsExactly(
              Map.entry(
                  "t",
                  "bus audit refused the event: /detail-type: expected a string, got number 5;"
                      + " /source: expected a non-empty string, got \"\""
                      + needs),
              Map.entry("u", "bus audit cannot take array [{\"not\":\"an event\"}]" + needs));
    }
  }

  @Test
  void aBusTargetForwardsATransformedPayloadAsTheDetailOfTheMatchedEvent() throws Exception {
    try (EngineFixture f =
        new EngineFixture(
            dir,
            "buses: [{name: in}, {name: audit}]\nrules:\n"
                + "  - {name: r, bus: in, pattern: {source: [shop]}, targets: ["
                + "{id: audit, bus: audit, jq: '{id, amount: .detail.amount}'},"
                + " {id: renamed, bus: audit, jq: '{\"detail-type\": \"Audited\", detail: {amount: .detail.amount}}'}]}\n")) {
      String id =
          f.send(
              "in",
              "{\"source\":\"shop\",\"detail-type\":\"OrderPlaced\",\"time\":\"2026-11-30T10:00:00Z\",\"detail\":{\"amount\":12}}");
      Await.until(
          Duration.ofSeconds(20),
          () -> f.engine.buses().info("audit").records() == 2,
          () -> "audit has " + f.engine.buses().info("audit").records());

      var page =
          f.engine.buses().read("audit", f.engine.buses().position("audit", "earliest"), 100);
      Map<String, JsonNode> byType = new java.util.TreeMap<>();
      for (var e : page.events()) {
        JsonNode ev = parse(new String(e.json(), java.nio.charset.StandardCharsets.UTF_8));
        byType.put(ev.get("detail-type").asText(), ev);
      }
      assertThat(byType).containsOnlyKeys("OrderPlaced", "Audited");
      JsonNode wrapped = byType.get("OrderPlaced");
      assertThat(wrapped.get("id").asText()).isEqualTo(id);
      assertThat(wrapped.get("source").asText()).isEqualTo("shop");
      assertThat(wrapped.get("time").asText()).isEqualTo("2026-11-30T10:00:00Z");
      assertThat(wrapped.get("detail"))
          .isEqualTo(Json.MAPPER.readTree("{\"id\":\"" + id + "\",\"amount\":12}"));
      JsonNode renamed = byType.get("Audited");
      assertThat(renamed.get("source").asText()).isEqualTo("shop");
      assertThat(renamed.get("detail")).isEqualTo(Json.MAPPER.readTree("{\"amount\":12}"));
      assertThat(f.deadLetters()).isEmpty();
    }
  }
}

package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.Json;
import io.sluice.testkit.Await;
import io.sluice.testkit.HttpReceiver;
import io.sluice.testkit.HttpReceiver.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rules change while events flow: nothing lost, nothing duplicated for targets that stay. */
class RuleChangeTest {

  @TempDir Path dir;

  @Test
  void changingRulesWhileEventsFlowLosesAndDuplicatesNothing() throws Exception {
    try (HttpReceiver steady = HttpReceiver.start(r -> Reply.OK);
        HttpReceiver reshaped = HttpReceiver.start(r -> Reply.OK);
        HttpReceiver late = HttpReceiver.start(r -> Reply.OK);
        EngineFixture f =
            new EngineFixture(
                dir,
                "buses: [{name: orders, partitions: 2}]\n"
                    + "rules:\n"
                    + "  - {name: all, bus: orders, pattern: {source: [shop]}, targets: [{id: steady, http: {url: \""
                    + steady.url()
                    + "\"}}]}\n")) {
      f.engine
          .rules()
          .put(
              "orders",
              "api-rule",
              Json.MAPPER.readTree(
                  "{\"pattern\":{\"source\":[\"shop\"]},\"targets\":[{\"id\":\"t\",\"http\":{\"url\":\""
                      + reshaped.url()
                      + "\"}}]}"));
      List<String> sent = Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean stop = new AtomicBoolean();
      Thread producer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    int i = 0;
                    while (!stop.get()) {
                      sent.add(
                          f.send(
                              "orders",
                              "{\"source\":\"shop\",\"detail-type\":\"T\",\"detail\":{\"i\":"
                                  + i++
                                  + "}}"));
                    }
                  });
      Await.until(Duration.ofSeconds(10), () -> sent.size() > 200, () -> sent.size() + " sent");

      // reconfigure the API rule's target (a transform now), add a rule, disable and enable one
      f.engine
          .rules()
          .put(
              "orders",
              "api-rule",
              Json.MAPPER.readTree(
                  "{\"pattern\":{\"source\":[\"shop\"]},\"targets\":[{\"id\":\"t\",\"http\":{\"url\":\""
                      + reshaped.url()
                      + "\"},\"jq\":\"{id, reshaped: true}\"}]}"));
      int beforeLate = sent.size();
      f.engine
          .rules()
          .put(
              "orders",
              "late",
              Json.MAPPER.readTree(
                  "{\"pattern\":{\"source\":[\"shop\"]},\"targets\":[{\"id\":\"t\",\"http\":{\"url\":\""
                      + late.url()
                      + "\"}}]}"));
      int afterLate = sent.size();
      Await.until(
          Duration.ofSeconds(10), () -> sent.size() > afterLate + 200, () -> sent.size() + " sent");
      stop.set(true);
      producer.join();

      Await.until(
          Duration.ofSeconds(30),
          () ->
              steady.deliveredIds().size() == sent.size()
                  && reshaped.deliveredIds().size() == sent.size(),
          () ->
              steady.deliveredIds().size()
                  + "/"
                  + reshaped.deliveredIds().size()
                  + " of "
                  + sent.size());

      assertThat(steady.deliveredInOrder())
          .hasSize(sent.size())
          .containsExactlyInAnyOrderElementsOf(sent);
      assertThat(reshaped.deliveredInOrder())
          .hasSize(sent.size())
          .containsExactlyInAnyOrderElementsOf(sent);
      assertThat(reshaped.requests().stream().filter(r -> r.json().has("reshaped")).count())
          .isPositive();
      assertThat(reshaped.requests().stream().filter(r -> !r.json().has("reshaped")).count())
          .isPositive();
      // the one event in flight when the rule was created may have been stored just before it
      // (its acknowledgement came after): the rule owes only the events after that one
      List<String> lateIds = sent.subList(afterLate + 1, sent.size());
      Await.until(
          Duration.ofSeconds(30),
          () -> late.deliveredIds().containsAll(lateIds),
          () -> "late rule got " + late.deliveredIds().size());
      assertThat(late.deliveredIds()).doesNotContainAnyElementsOf(sent.subList(0, beforeLate));
      assertThat(late.deliveredInOrder()).doesNotHaveDuplicates();
    }
  }

  @Test
  void disabledRulesDeliverNothingUntilEnabledAndConfigRulesCannotBeReplacedByTheApi()
      throws Exception {
    try (HttpReceiver r = HttpReceiver.start(x -> Reply.OK);
        EngineFixture f =
            new EngineFixture(
                dir,
                "rules:\n  - {name: cfg, pattern: {source: [shop]}, targets: [{id: t, http: {url: \""
                    + r.url()
                    + "\"}}]}\n")) {
      f.engine.rules().setEnabled("default", "cfg", false);
      String whileDisabled = f.send("default", "{\"source\":\"shop\",\"detail-type\":\"T\"}");
      f.engine.rules().setEnabled("default", "cfg", true);
      String afterEnable = f.send("default", "{\"source\":\"shop\",\"detail-type\":\"T\"}");

      Await.until(
          Duration.ofSeconds(10),
          () -> r.deliveredIds().contains(afterEnable),
          () -> r.deliveredIds().toString());
      assertThat(r.deliveredIds()).doesNotContain(whileDisabled);
      assertThat(f.engine.rules().get("default", "cfg").rule().enabled()).isTrue();
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  f.engine
                      .rules()
                      .put(
                          "default",
                          "cfg",
                          Json.MAPPER.readTree(
                              "{\"pattern\":{\"source\":[\"x\"]},\"targets\":[{\"id\":\"t\",\"log\":{}}]}")))
          .hasMessage(
              "/name: rule cfg on bus default is defined in the config file; change it there");
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  f.engine
                      .rules()
                      .put(
                          "default",
                          "bad",
                          Json.MAPPER.readTree("{\"pattern\":{\"source\":\"x\"},\"targets\":[]}")))
          .hasMessage(
              "/pattern/source: expected an array of match conditions (like [\"x\"]) or a nested object, got string \"x\" (and 1 more problem)");

      f.engine
          .rules()
          .put(
              "default",
              "api",
              Json.MAPPER.readTree(
                  "{\"pattern\":{\"source\":[\"x\"]},\"targets\":[{\"id\":\"t\",\"log\":{}}]}"));
      f.engine.rules().setEnabled("default", "api", false);
      f.restart();
      assertThat(f.engine.rules().get("default", "api").rule().enabled()).isFalse();
      assertThat(f.engine.rules().get("default", "api").origin()).isEqualTo("api");
      assertThat(f.engine.rules().list("default")).hasSize(2);
    }
  }
}

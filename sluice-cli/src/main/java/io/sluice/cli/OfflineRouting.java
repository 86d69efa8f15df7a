package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.config.RuleConfig;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.config.TargetConfig;
import io.sluice.core.rules.PatternExplainer;
import io.sluice.core.rules.RuleSet;
import io.sluice.core.targets.DeliveryException;
import io.sluice.core.transform.FunctionTransform;
import io.sluice.core.transform.TransformInput;
import io.sluice.core.transform.TransformOutput;
import io.sluice.engine.EventMatcher;
import io.sluice.engine.Ingest;
import io.sluice.engine.TargetBody;
import io.sluice.engine.targets.bus.BusTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One bus's config rules applied to sample events without a server: each event is matched the way
 * the router matches it ({@link EventMatcher}, all enabled rules at once) and each target of a
 * matched rule gets its transform applied the way delivery applies it ({@link TargetBody}). Nothing
 * is sent and nothing is written.
 *
 * <p>The result of one event is the document {@code sluice test --format json} prints, keys in this
 * order:
 *
 * <pre>{@code
 * {"event":1,"line":1,"id":"test-1","bus":"databus",
 *  "matched":[{"rule":"matches","targets":[{"target":"cat1","kind":"lake","payload":{…}}]}],
 *  "unmatched":[{"rule":"scores","reason":"✗ /detail-type [\"Score Update\"] did not match …"}]}
 * }</pre>
 *
 * Rules and targets come in config order. A target has exactly one of {@code payload} (JSON it
 * receives), {@code text} (plain text it receives, from a template that is not JSON), {@code
 * skipped} (a jq expression without output: the reason) and {@code error} (the transform failed:
 * the dead letter's error); a target with {@code transform: {function: …}} has {@code function}
 * (its name) and the {@code payload} that function would get, the event, since functions run only
 * on a server. {@code unmatched} (the rules the event did not match, with the first condition that
 * failed, and disabled rules) is there only when asked for.
 *
 * <p>The event's {@code sluice.event.ingestion-time} is its {@code time}, so results do not depend
 * on when the test runs.
 */
final class OfflineRouting {

  private final String bus;
  private final List<RuleConfig> rules;
  private final RuleSet enabled;

  /** The rules of {@code bus} in {@code config}; the bus must be configured. */
  OfflineRouting(SluiceConfig config, String bus) {
    this.bus = bus;
    this.rules = config.rules().stream().filter(r -> r.bus().equals(bus)).toList();
    Map<String, JsonNode> patterns = new LinkedHashMap<>();
    for (RuleConfig r : rules) {
      if (r.enabled()) {
        patterns.put(r.name(), r.pattern());
      }
    }
    this.enabled = RuleSet.compile(patterns);
  }

  String bus() {
    return bus;
  }

  /** The rules of the bus, in config order, disabled ones too. */
  List<RuleConfig> rules() {
    return rules;
  }

  /** The result document of one valid sample event. */
  ObjectNode route(SampleEvents.Sample sample, Ingest.Valid event, boolean explain) {
    ObjectNode doc = Json.MAPPER.createObjectNode();
    doc.put("event", sample.number());
    doc.put("line", sample.line());
    doc.put("id", event.event().id());
    doc.put("bus", bus);
    ArrayNode matched = doc.putArray("matched");
    EventMatcher.Match m = EventMatcher.match(enabled, event.json());
    Set<String> names = new HashSet<>(m.rules());
    long ingestionMs = event.event().time().toEpochMilli();
    for (RuleConfig r : rules) {
      if (!names.contains(r.name())) {
        continue;
      }
      ObjectNode rule = matched.addObject();
      rule.put("rule", r.name());
      ArrayNode targets = rule.putArray("targets");
      for (TargetConfig t : r.targets()) {
        ObjectNode target = targets.addObject();
        target.put("target", t.id());
        target.put("kind", t.spec().kind());
        if (t.transform() instanceof FunctionTransform ft) {
          // functions run on a server: show the record data the function would get
          target.put("function", ft.function());
          target.set("payload", m.event().tree());
          continue;
        }
        TargetBody body =
            TargetBody.of(
                t.transform(),
                new TransformInput(
                    m.event().tree(), event.json(), bus, r.name(), t.id(), ingestionMs, null));
        if (t.spec() instanceof BusTarget bt && body instanceof TargetBody.Send s) {
          try { // what the bus gets: the output as the detail, or as the event (BusTarget)
            target.set("payload", BusTarget.forwarded(bt.bus(), s.body(), m.event().tree()));
          } catch (DeliveryException e) {
            target.put("error", e.getMessage());
          }
          continue;
        }
        switch (body) {
          case TargetBody.Send s when s.body() instanceof TransformOutput.Text text ->
              target.put("text", text.text());
          case TargetBody.Send s -> target.set("payload", tree(s.body()));
          case TargetBody.Skip s -> target.put("skipped", s.reason());
          case TargetBody.Fail f -> target.put("error", f.error());
          case TargetBody.Retry f -> target.put("error", f.error());
          case TargetBody.Reject f -> target.put("error", f.error());
        }
      }
    }
    if (explain) {
      ArrayNode unmatched = doc.putArray("unmatched");
      JsonNode tree = null;
      for (RuleConfig r : rules) {
        if (names.contains(r.name())) {
          continue;
        }
        if (tree == null) {
          tree = tree(event.json());
        }
        ObjectNode u = unmatched.addObject();
        u.put("rule", r.name());
        u.put("reason", whyNot(r, tree));
      }
    }
    return doc;
  }

  /** Why {@code rule} does not take {@code event}: disabled, or its first failed condition. */
  static String whyNot(RuleConfig rule, JsonNode event) {
    if (!rule.enabled()) {
      return "disabled (enabled: false)";
    }
    List<String> lines = PatternExplainer.explain(rule.pattern(), event).lines();
    for (String l : lines) {
      if (l.strip().startsWith("✗")) {
        return l.strip();
      }
    }
    return lines.isEmpty() ? "the pattern does not match" : lines.get(lines.size() - 1).strip();
  }

  private static JsonNode tree(TransformOutput body) {
    if (body instanceof TransformOutput.Json j) {
      return j.tree();
    }
    return tree(body.bytes());
  }

  static JsonNode tree(byte[] json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("an event or payload is not JSON", e);
    }
  }
}

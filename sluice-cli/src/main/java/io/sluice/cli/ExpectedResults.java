package io.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The expected results of {@code sluice test --expect FILE}: NDJSON in the form {@code --format
 * json} prints (so its output is a baseline), one result per line, blank lines skipped.
 *
 * <p>A result is compared on {@code id}, {@code bus} and {@code matched} (which rules matched, and
 * what each of their targets receives), matched to the actual result by {@code event}; {@code line}
 * and {@code unmatched} are not compared. Numbers are equal when their values are ({@code 12} and
 * {@code 12.0}). Each difference says where it is and both sides.
 */
final class ExpectedResults {

  /** One expected result and the line of the file it is on. */
  record Expected(int line, JsonNode doc) {}

  /** The differences of one event, each a sentence. */
  record EventDiff(int event, String heading, List<String> differences) {}

  /** Thrown with every problem of a malformed file, each naming its line. */
  static final class MalformedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient List<String> problems;

    MalformedException(String message, List<String> problems) {
      super(message);
      this.problems = List.copyOf(problems);
    }
  }

  private final Path file;
  private final Map<Integer, Expected> byEvent;

  private ExpectedResults(Path file, Map<Integer, Expected> byEvent) {
    this.file = file;
    this.byEvent = byEvent;
  }

  /**
   * Reads an expected-results file.
   *
   * @throws MalformedException naming every line that is not a result
   * @throws io.sluice.core.InvalidInputException when the file cannot be read
   */
  static ExpectedResults read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new io.sluice.core.InvalidInputException(
          io.sluice.core.InvalidInputException.INVALID_ARGUMENT,
          Problem.of("/expect", "expected-results file " + file + " does not exist"));
    } catch (IOException e) {
      throw new io.sluice.core.InvalidInputException(
          io.sluice.core.InvalidInputException.INVALID_ARGUMENT,
          Problem.of("/expect", "cannot read expected-results file " + file + ": " + e));
    }
    Map<Integer, Expected> byEvent = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String text = lines.get(i);
      if (text.isBlank()) {
        continue;
      }
      int line = i + 1;
      JsonNode doc;
      try {
        doc = Json.MAPPER.readTree(text);
      } catch (JsonProcessingException e) {
        var loc = e.getLocation();
        problems.add(
            "line "
                + line
                + ": malformed JSON"
                + (loc == null ? "" : " at column " + loc.getColumnNr())
                + ": "
                + e.getOriginalMessage().lines().findFirst().orElse(""));
        continue;
      }
      String wrong = shapeProblem(doc);
      if (wrong != null) {
        problems.add("line " + line + ": " + wrong);
        continue;
      }
      int event = doc.get("event").intValue();
      Expected before = byEvent.putIfAbsent(event, new Expected(line, doc));
      if (before != null) {
        problems.add(
            "line " + line + ": event " + event + " is already expected on line " + before.line());
      }
    }
    if (!problems.isEmpty()) {
      throw new MalformedException(
          file
              + " is not a results file of sluice test --format json ("
              + problems.size()
              + (problems.size() == 1 ? " problem)" : " problems)"),
          problems);
    }
    return new ExpectedResults(file, byEvent);
  }

  /** What is wrong with the shape of one result, or {@code null}. */
  private static String shapeProblem(JsonNode doc) {
    if (!doc.isObject()) {
      return "expected a result object {\"event\":…,\"id\":…,\"bus\":…,\"matched\":[…]}, got "
          + Json.describe(doc);
    }
    JsonNode event = doc.path("event");
    if (!event.canConvertToExactIntegral() || !event.canConvertToInt() || event.intValue() < 1) {
      return "/event: expected the event's number, an integer from 1, got "
          + (event.isMissingNode() ? "nothing" : Json.describe(event));
    }
    for (String f : List.of("id", "bus")) {
      if (!doc.path(f).isTextual()) {
        return "/" + f + ": expected a string, got " + describe(doc.path(f));
      }
    }
    JsonNode matched = doc.path("matched");
    if (!matched.isArray()) {
      return "/matched: expected an array of matched rules, got " + describe(matched);
    }
    for (int r = 0; r < matched.size(); r++) {
      JsonNode rule = matched.get(r);
      String at = "/matched/" + r;
      if (!rule.path("rule").isTextual()) {
        return at + "/rule: expected a rule name, got " + describe(rule.path("rule"));
      }
      if (!rule.path("targets").isArray()) {
        return at + "/targets: expected an array of targets, got " + describe(rule.path("targets"));
      }
      for (int t = 0; t < rule.get("targets").size(); t++) {
        JsonNode target = rule.get("targets").get(t);
        if (!target.path("target").isTextual()) {
          return at
              + "/targets/"
              + t
              + "/target: expected a target id, got "
              + describe(target.path("target"));
        }
      }
    }
    return null;
  }

  private static String describe(JsonNode n) {
    return n.isMissingNode() ? "nothing" : Json.describe(n);
  }

  /**
   * Compares actual results (in event order) with the expected ones.
   *
   * @param whyNot why a rule did not match an event (event number, rule) → the first failed
   *     condition, for a rule expected to match that did not
   * @return one entry per event that differs, in event order, then expected events the run did not
   *     have
   */
  List<EventDiff> compare(List<JsonNode> actual, BiFunction<Integer, String, String> whyNot) {
    List<EventDiff> out = new ArrayList<>();
    Set<Integer> seen = new LinkedHashSet<>();
    for (JsonNode a : actual) {
      int n = a.get("event").intValue();
      seen.add(n);
      String heading =
          "event " + n + " (line " + a.get("line").asInt() + ", id " + a.get("id").asText() + ")";
      Expected e = byEvent.get(n);
      if (e == null) {
        out.add(new EventDiff(n, heading, List.of("not in " + file + "; it matched " + rules(a))));
        continue;
      }
      List<String> diffs = new ArrayList<>();
      for (String f : List.of("id", "bus")) {
        if (!e.doc().get(f).asText().equals(a.get(f).asText())) {
          diffs.add(
              f
                  + ": expected "
                  + Problem.render(e.doc().get(f).asText())
                  + ", got "
                  + Problem.render(a.get(f).asText()));
        }
      }
      compareRules(e.doc().get("matched"), a.get("matched"), diffs, rule -> whyNot.apply(n, rule));
      if (!diffs.isEmpty()) {
        out.add(new EventDiff(n, heading, diffs));
      }
    }
    for (Map.Entry<Integer, Expected> e : byEvent.entrySet()) {
      if (!seen.contains(e.getKey())) {
        out.add(
            new EventDiff(
                e.getKey(),
                "event " + e.getKey() + " (line " + e.getValue().line() + " of " + file + ")",
                List.of("is expected, but the events file has no event " + e.getKey())));
      }
    }
    return out;
  }

  private static String rules(JsonNode doc) {
    List<String> names = new ArrayList<>();
    doc.get("matched").forEach(r -> names.add(r.get("rule").asText()));
    return names.isEmpty() ? "no rule" : String.join(", ", names);
  }

  private static void compareRules(
      JsonNode expected,
      JsonNode actual,
      List<String> diffs,
      java.util.function.Function<String, String> whyNot) {
    Map<String, JsonNode> exp = byName(expected, "rule");
    Map<String, JsonNode> act = byName(actual, "rule");
    for (Map.Entry<String, JsonNode> e : exp.entrySet()) {
      JsonNode a = act.get(e.getKey());
      if (a == null) {
        diffs.add(
            "rule " + e.getKey() + ": expected to match, did not: " + whyNot.apply(e.getKey()));
        continue;
      }
      compareTargets(e.getKey(), e.getValue().get("targets"), a.get("targets"), diffs);
    }
    for (String name : act.keySet()) {
      if (!exp.containsKey(name)) {
        diffs.add("rule " + name + ": matched, not expected");
      }
    }
  }

  private static void compareTargets(
      String rule, JsonNode expected, JsonNode actual, List<String> diffs) {
    Map<String, JsonNode> exp = byName(expected, "target");
    Map<String, JsonNode> act = byName(actual, "target");
    for (Map.Entry<String, JsonNode> e : exp.entrySet()) {
      String where = "rule " + rule + " → target " + e.getKey();
      JsonNode a = act.get(e.getKey());
      if (a == null) {
        diffs.add(where + ": expected, but the rule has no such target");
        continue;
      }
      JsonNode ex = e.getValue();
      if (!ex.path("kind").equals(a.path("kind"))) {
        diffs.add(
            where + ": kind: expected " + show(ex.path("kind")) + ", got " + show(a.path("kind")));
      }
      if (ex.has("payload") && a.has("payload")) {
        String d = firstDifference(ex.get("payload"), a.get("payload"), "");
        if (d != null) {
          diffs.add(where + ": payload differs " + d);
        }
      } else if (!sameOutcome(ex, a)) {
        diffs.add(where + ": expected " + outcome(ex) + ", got " + outcome(a));
      }
    }
    for (String id : act.keySet()) {
      if (!exp.containsKey(id)) {
        diffs.add(
            "rule "
                + rule
                + " → target "
                + id
                + ": receives "
                + outcome(act.get(id))
                + ", not expected");
      }
    }
  }

  private static final List<String> OUTCOMES = List.of("payload", "text", "skipped", "error");

  private static boolean sameOutcome(JsonNode e, JsonNode a) {
    for (String f : OUTCOMES) {
      if (e.has(f) != a.has(f) || (e.has(f) && !equal(e.get(f), a.get(f)))) {
        return false;
      }
    }
    return true;
  }

  private static String outcome(JsonNode t) {
    if (t.has("payload")) {
      return "payload " + show(t.get("payload"));
    }
    if (t.has("text")) {
      return "text " + show(t.get("text"));
    }
    if (t.has("skipped")) {
      return "skipped (" + t.get("skipped").asText() + ")";
    }
    if (t.has("error")) {
      return "error (" + t.get("error").asText() + ")";
    }
    return "nothing";
  }

  private static Map<String, JsonNode> byName(JsonNode list, String key) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (JsonNode n : list) {
      out.putIfAbsent(n.get(key).asText(), n);
    }
    return out;
  }

  /**
   * Where two JSON values first differ, as {@code at /path: expected X, got Y}, or {@code null}
   * when they are equal.
   */
  static String firstDifference(JsonNode e, JsonNode a, String path) {
    if (e.isObject() && a.isObject()) {
      for (Map.Entry<String, JsonNode> f : e.properties()) {
        String p = path + "/" + Problem.pointerToken(f.getKey());
        JsonNode av = a.get(f.getKey());
        if (av == null) {
          return at(p) + "expected " + show(f.getValue()) + ", got nothing";
        }
        String d = firstDifference(f.getValue(), av, p);
        if (d != null) {
          return d;
        }
      }
      for (Map.Entry<String, JsonNode> f : a.properties()) {
        String k = f.getKey();
        if (!e.has(k)) {
          String p = path + "/" + Problem.pointerToken(k);
          return at(p) + "expected nothing, got " + show(a.get(k));
        }
      }
      return null;
    }
    if (e.isArray() && a.isArray()) {
      for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
        String d = firstDifference(e.get(i), a.get(i), path + "/" + i);
        if (d != null) {
          return d;
        }
      }
      if (e.size() != a.size()) {
        return at(path) + "expected " + e.size() + " elements, got " + a.size();
      }
      return null;
    }
    return equal(e, a) ? null : at(path) + "expected " + show(e) + ", got " + show(a);
  }

  private static String at(String path) {
    return "at " + (path.isEmpty() ? "/" : path) + ": ";
  }

  /** JSON equality with numbers compared by value. */
  private static boolean equal(JsonNode e, JsonNode a) {
    return e.equals(
        (x, y) -> {
          if (x.isNumber() && y.isNumber()) {
            return x.decimalValue().compareTo(y.decimalValue()) == 0 ? 0 : 1;
          }
          return x.equals(y) ? 0 : 1;
        },
        a);
  }

  private static String show(JsonNode n) {
    return n.isMissingNode() ? "nothing" : Problem.renderRaw(n.toString());
  }
}

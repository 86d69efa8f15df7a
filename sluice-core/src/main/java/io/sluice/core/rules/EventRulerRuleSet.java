package io.sluice.core.rules;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.event.ruler.GenericMachine;

/**
 * {@link RuleSet} on event-ruler's {@link GenericMachine}, built once, then only read.
 *
 * <p>Rules are indexed by source. A rule whose top-level {@code source} condition lists only exact
 * values and prefixes is filed, without that condition, under each value or prefix (a machine, or a
 * plain list when nothing else is left of the pattern); every other rule goes into a shared
 * machine. An event is matched against the shared machine and the places filed under its source
 * strings (a string, or the strings of an array, as event-ruler reads them) and their prefixes.
 * That is the answer one machine with every rule gives, since a source condition holds exactly when
 * the event has a source string equal to one of its values or starting with one of its prefixes;
 * the work is less because event-ruler's cost grows with the rules that share a field (most of all
 * for wildcards with more than one {@code *}, anything-but and numeric ranges) and because each
 * machine skips the event fields its rules do not use. {@code docs/benchmarks.md} has the numbers.
 */
final class EventRulerRuleSet implements RuleSet {

  private static final JsonFactory SCANNER =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(Integer.MAX_VALUE).build())
          .build();

  /** The rules filed under one source value or prefix, with that source condition left out. */
  private static final class Place {
    GenericMachine<String> machine;
    final List<String> always = new ArrayList<>(0);

    void add(String rule, ObjectNode rest) throws IOException {
      if (rest.isEmpty()) {
        always.add(rule);
      } else {
        if (machine == null) {
          machine = GenericMachine.<String>builder().build();
        }
        machine.addRule(rule, rest.toString());
      }
    }
  }

  private final Map<String, Place> exact = new HashMap<>();
  private final Map<String, Place> prefixes = new HashMap<>();
  private final int[] prefixLengths;
  private final GenericMachine<String> others;
  private final int size;

  EventRulerRuleSet(Map<String, JsonNode> patterns) {
    GenericMachine<String> shared = null;
    try {
      for (Map.Entry<String, JsonNode> e : patterns.entrySet()) {
        List<String[]> keys = sourceKeys(e.getValue());
        if (keys == null) {
          if (shared == null) {
            shared = GenericMachine.<String>builder().build();
          }
          shared.addRule(e.getKey(), e.getValue().toString());
          continue;
        }
        ObjectNode rest = ((ObjectNode) e.getValue()).deepCopy();
        rest.remove("source");
        for (String[] k : keys) {
          (k[0] == null ? exact : prefixes)
              .computeIfAbsent(k[1], x -> new Place())
              .add(e.getKey(), rest);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("a validated pattern did not compile", e);
    }
    this.prefixLengths =
        prefixes.keySet().stream().mapToInt(String::length).distinct().sorted().toArray();
    this.others = shared;
    this.size = patterns.size();
  }

  /**
   * The values of a top-level source condition made only of exact strings and {@code {"prefix":
   * "…"}}, as {@code [null, value]} and {@code ["prefix", value]}; {@code null} when the pattern
   * has no such condition (no source key, or any other operator in it).
   */
  private static List<String[]> sourceKeys(JsonNode pattern) {
    JsonNode source = pattern.get("source");
    if (source == null || !source.isArray() || source.isEmpty()) {
      return null;
    }
    List<String[]> out = new ArrayList<>();
    for (JsonNode v : source) {
      if (v.isTextual()) {
        out.add(new String[] {null, v.asText()});
      } else if (v.isObject() && v.size() == 1 && v.path("prefix").isTextual()) {
        out.add(new String[] {"prefix", v.get("prefix").asText()});
      } else {
        return null;
      }
    }
    return out;
  }

  @Override
  public List<String> matches(JsonNode event) {
    if (size == 0) {
      return List.of();
    }
    List<String> sources = new ArrayList<>(1);
    JsonNode s = event.get("source");
    if (s != null) {
      sourceStrings(s, sources);
    }
    return match(sources, m -> m.rulesForJSONEvent(event));
  }

  @Override
  public List<String> matches(String eventJson) {
    if (size == 0) {
      return List.of();
    }
    List<String> sources;
    try (JsonParser p = SCANNER.createParser(eventJson)) {
      sources = sourceStrings(p, false);
    } catch (IOException e) {
      throw notJson(e);
    }
    return match(sources, m -> ruler(m, eventJson));
  }

  @Override
  public List<String> matches(byte[] eventJson) {
    if (size == 0) {
      return List.of();
    }
    List<String> sources;
    try (JsonParser p = SCANNER.createParser(eventJson)) {
      sources = sourceStrings(p, true);
    } catch (IOException e) {
      throw notJson(e);
    }
    String text = new String(eventJson, StandardCharsets.UTF_8);
    return match(sources, m -> ruler(m, text));
  }

  private static List<String> ruler(GenericMachine<String> m, String eventJson) {
    try {
      return m.rulesForJSONEvent(eventJson);
    } catch (Exception e) {
      throw notJson(e);
    }
  }

  private static IllegalArgumentException notJson(Exception e) {
    String m =
        e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
    return new IllegalArgumentException("event is not JSON: " + m, e);
  }

  private interface Matcher {
    List<String> apply(GenericMachine<String> machine);
  }

  /** The places an event with these source strings must be matched in. */
  private List<Place> places(List<String> sources) {
    List<Place> out = new ArrayList<>(2);
    for (String s : sources) {
      Place p = exact.get(s);
      if (p != null) {
        out.add(p);
      }
      for (int len : prefixLengths) {
        if (len > s.length()) {
          break;
        }
        p = prefixes.get(s.substring(0, len));
        if (p != null && !out.contains(p)) {
          out.add(p);
        }
      }
    }
    return out;
  }

  private List<String> match(List<String> sources, Matcher matcher) {
    List<Place> places = places(sources);
    if (places.size() == 1 && others == null && places.get(0).always.isEmpty()) {
      // the common case, every rule naming its source: one machine
      GenericMachine<String> m = places.get(0).machine;
      return m == null ? List.of() : matcher.apply(m);
    }
    // a rule can be filed under several values or prefixes that this event has
    Set<String> out = new LinkedHashSet<>();
    for (Place p : places) {
      out.addAll(p.always);
      if (p.machine != null) {
        out.addAll(matcher.apply(p.machine));
      }
    }
    if (others != null) {
      out.addAll(matcher.apply(others));
    }
    return List.copyOf(out);
  }

  /** The strings a source condition would compare: the value, or the strings of its arrays. */
  private static void sourceStrings(JsonNode s, List<String> out) {
    if (s.isTextual()) {
      if (!out.contains(s.asText())) {
        out.add(s.asText());
      }
    } else if (s.isArray()) {
      for (JsonNode v : s) {
        sourceStrings(v, out);
      }
    }
  }

  /**
   * Reads the top level of an event object for the strings of its {@code source} key(s).
   *
   * @param first stop at the first {@code source} key: for events as Sluice stores them, whose keys
   *     are unique (ingest refuses duplicates) and where {@code source} comes fourth
   */
  private static List<String> sourceStrings(JsonParser p, boolean first) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new IOException("expected a JSON object, got " + p.currentToken());
    }
    List<String> out = new ArrayList<>(1);
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      boolean isSource = "source".equals(p.currentName());
      JsonToken value = p.nextToken();
      if (isSource && value == JsonToken.VALUE_STRING) {
        if (!out.contains(p.getText())) {
          out.add(p.getText());
        }
      } else if (isSource && value == JsonToken.START_ARRAY) {
        arrayStrings(p, out);
      } else {
        p.skipChildren();
      }
      if (isSource && first) {
        break;
      }
    }
    return out;
  }

  private static void arrayStrings(JsonParser p, List<String> out) throws IOException {
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == JsonToken.VALUE_STRING) {
        if (!out.contains(p.getText())) {
          out.add(p.getText());
        }
      } else if (t == JsonToken.START_ARRAY) {
        arrayStrings(p, out);
      } else {
        p.skipChildren();
      }
    }
  }

  @Override
  public int size() {
    return size;
  }
}

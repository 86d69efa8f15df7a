package io.sluice.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/** Jackson set up the one way Sluice reads and writes JSON, and the vocabulary for its types. */
public final class Json {

  /** Lenient-free mapper for trusted data (our own files, stored events); no depth limit games. */
  public static final ObjectMapper MAPPER = mapper(1000);

  /** For token scans that must go deeper than any limit (the streaming parser does not recurse). */
  static final JsonFactory UNLIMITED_DEPTH =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(Integer.MAX_VALUE).build())
          .build();

  private Json() {}

  /**
   * A mapper that rejects duplicate keys and trailing content, and stops at {@code maxDepth}
   * nesting levels (the root container counts as 1).
   */
  public static ObjectMapper mapper(int maxDepth) {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(maxDepth)
                    .maxStringLength(64 * 1024 * 1024)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();
    // Decimals are kept exactly (BigDecimal), so an event is stored with the number text it came
    // with: 0.10000000000000001 must not become 0.1 (EventBridge matches such numbers by text).
    return new ObjectMapper(factory)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
  }

  /**
   * Writes a tree with the generator's primitives: several times cheaper on the ingest path than
   * {@code writeTree}, which goes through the mapper's serializer lookup for every node.
   */
  public static void write(JsonGenerator g, JsonNode n) throws IOException {
    switch (n.getNodeType()) {
      case OBJECT -> {
        g.writeStartObject();
        for (Map.Entry<String, JsonNode> f : n.properties()) {
          g.writeFieldName(f.getKey());
          write(g, f.getValue());
        }
        g.writeEndObject();
      }
      case ARRAY -> {
        g.writeStartArray();
        for (JsonNode v : n) {
          write(g, v);
        }
        g.writeEndArray();
      }
      case STRING -> g.writeString(n.textValue());
      case NUMBER -> {
        switch (n.numberType()) {
          case INT -> g.writeNumber(n.intValue());
          case LONG -> g.writeNumber(n.longValue());
          case BIG_INTEGER -> g.writeNumber(n.bigIntegerValue());
          case FLOAT -> g.writeNumber(n.floatValue());
          case BIG_DECIMAL -> g.writeNumber(n.decimalValue());
          default -> g.writeNumber(n.doubleValue());
        }
      }
      case BOOLEAN -> g.writeBoolean(n.booleanValue());
      case NULL -> g.writeNull();
      default -> MAPPER.writeTree(g, n);
    }
  }

  /** The JSON type name of a node, as used in problem messages: object, array, string… */
  public static String typeName(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    return switch (node.getNodeType()) {
      case OBJECT, POJO -> "object";
      case ARRAY -> "array";
      case STRING -> "string";
      case NUMBER -> "number";
      case BOOLEAN -> "boolean";
      case NULL -> "null";
      case BINARY -> "binary";
      case MISSING -> "nothing";
    };
  }

  /**
   * "{@code <type> <value>}" for messages, for example {@code number 12} or {@code array [1,2]}.
   */
  public static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    if (node.isNull()) {
      return "null";
    }
    return typeName(node)
        + " "
        + (node.isTextual() ? Problem.render(node.asText()) : Problem.renderRaw(node.toString()));
  }

  /** The most text problems reported for one value (the first ones, in document order). */
  private static final int MAX_TEXT_PROBLEMS = 10;

  /** Whether every string and field name inside {@code v} is valid Unicode text. */
  public static boolean isValidText(JsonNode v) {
    return isValidTextTree(v);
  }

  /**
   * Adds a problem for every string and field name inside {@code v} that is not valid Unicode (a
   * lone surrogate from a {@code \ud800} escape): such text cannot be written as UTF-8, so the
   * lake, DuckDB and most JSON readers refuse it, and an event holding it could be stored but never
   * delivered whole. A fast pass finds whether there is any; paths are worked out only then.
   */
  public static void checkText(JsonNode v, String path, List<Problem> problems) {
    if (isValidTextTree(v)) {
      return;
    }
    collectTextProblems(v, path, problems, new int[] {0});
  }

  private static boolean isValidTextTree(JsonNode root) {
    if (root.isTextual()) {
      return Utf8.firstLoneSurrogate(root.textValue()) < 0;
    }
    if (!root.isContainerNode()) {
      return true;
    }
    Deque<JsonNode> todo = new ArrayDeque<>();
    todo.push(root);
    while (!todo.isEmpty()) {
      JsonNode n = todo.pop();
      if (n.isObject()) {
        for (Map.Entry<String, JsonNode> f : n.properties()) {
          if (Utf8.firstLoneSurrogate(f.getKey()) >= 0) {
            return false;
          }
          JsonNode c = f.getValue();
          if (c.isTextual()) {
            if (Utf8.firstLoneSurrogate(c.textValue()) >= 0) {
              return false;
            }
          } else if (c.isContainerNode()) {
            todo.push(c);
          }
        }
      } else {
        for (JsonNode c : n) {
          if (c.isTextual()) {
            if (Utf8.firstLoneSurrogate(c.textValue()) >= 0) {
              return false;
            }
          } else if (c.isContainerNode()) {
            todo.push(c);
          }
        }
      }
    }
    return true;
  }

  private static void collectTextProblems(
      JsonNode n, String path, List<Problem> problems, int[] found) {
    if (found[0] >= MAX_TEXT_PROBLEMS) {
      return;
    }
    if (n.isTextual()) {
      int bad = Utf8.firstLoneSurrogate(n.textValue());
      if (bad >= 0) {
        found[0]++;
        problems.add(
            Problem.of(
                path,
                "expected valid Unicode text, got "
                    + Utf8.describeLoneSurrogate(n.textValue(), bad),
                Problem.render(n.textValue())));
      }
    } else if (n.isObject()) {
      for (Map.Entry<String, JsonNode> f : n.properties()) {
        String p = path + "/" + Problem.pointerToken(f.getKey());
        int bad = Utf8.firstLoneSurrogate(f.getKey());
        if (bad >= 0 && found[0] < MAX_TEXT_PROBLEMS) {
          found[0]++;
          problems.add(
              Problem.of(
                  p,
                  "expected a field name of valid Unicode text, got "
                      + Utf8.describeLoneSurrogate(f.getKey(), bad),
                  Problem.render(f.getKey())));
        }
        collectTextProblems(f.getValue(), p, problems, found);
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        collectTextProblems(n.get(i), path + "/" + i, problems, found);
      }
    }
  }
}

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
}

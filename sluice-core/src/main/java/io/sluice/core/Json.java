package io.sluice.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

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
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();
    return new ObjectMapper(factory)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
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

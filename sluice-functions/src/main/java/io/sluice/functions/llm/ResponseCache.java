package io.sluice.functions.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.log.AtomicFiles;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The chat-completions server's answers of one function, by request, on disk, so that a replay or a
 * retry of an invocation gets the same answer without asking (and paying) again.
 *
 * <p>The key of a request is the SHA-256 (hex) of the canonical JSON (object keys sorted, numbers
 * without trailing zeros, no spaces) of {@code {"endpoint": <endpoint>, "request": <the request
 * body>}}: the model, the messages, {@code max_tokens}, {@code temperature} and {@code
 * response_format}. The API key is not part of it. A change of any of those is a new key; old
 * entries stay until deleted.
 *
 * <p>Layout: {@code <work>/llm-cache/<key>.json}, one file per answer, {@code {"request": <the
 * request body>, "response": <the server's JSON answer, as it came>}}, written with {@link
 * AtomicFiles} (temp file, fsync, rename, fsync of the directory) before the answer is used: an
 * entry is whole or absent. An entry that cannot be read is reported and asked for again.
 *
 * <p>Thread-safe: entries are independent files, and writers of one key take turns (the later
 * answer wins). Temp files a crash left are deleted when the cache opens.
 */
final class ResponseCache {

  static final String DIR = "llm-cache";

  private final Path dir;
  private final Object[] stripes = new Object[64];

  ResponseCache(Path workDir) throws IOException {
    this.dir = workDir.resolve(DIR);
    Files.createDirectories(dir);
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Object();
    }
    try (var s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The key of {@code request} sent to {@code endpoint}. */
  static String key(URI endpoint, ObjectNode request) {
    ObjectNode k = Json.MAPPER.createObjectNode();
    k.put("endpoint", endpoint.toString());
    k.set("request", request);
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of()
          .formatHex(sha.digest(canonical(k).toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** {@code n} with the keys of every object sorted and every number in its shortest form. */
  static JsonNode canonical(JsonNode n) {
    if (n.isObject()) {
      List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(n.properties());
      fields.sort(Map.Entry.comparingByKey());
      ObjectNode out = Json.MAPPER.createObjectNode();
      for (Map.Entry<String, JsonNode> f : fields) {
        out.set(f.getKey(), canonical(f.getValue()));
      }
      return out;
    }
    if (n.isArray()) {
      ArrayNode out = Json.MAPPER.createArrayNode();
      n.forEach(e -> out.add(canonical(e)));
      return out;
    }
    if (n.isNumber()) { // one text per value: 0, 0.0 and 0E+1 are 0; 0.70 is 0.7
      BigDecimal d = n.decimalValue().stripTrailingZeros();
      return d.scale() <= 0
          ? Json.MAPPER.getNodeFactory().numberNode(d.toBigIntegerExact())
          : Json.MAPPER.getNodeFactory().numberNode(d);
    }
    return n;
  }

  /** Where the answer of {@code key} is kept. */
  Path file(String key) {
    return dir.resolve(key + ".json");
  }

  /**
   * The server's answer kept for {@code key}, or {@code null} when there is none.
   *
   * @throws IOException when the entry is there but cannot be read or is not what this class wrote
   */
  JsonNode get(String key) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file(key));
    } catch (NoSuchFileException e) {
      return null;
    }
    JsonNode entry = Json.MAPPER.readTree(bytes);
    JsonNode response = entry == null ? null : entry.get("response");
    if (response == null || !response.isObject()) {
      throw new IOException(file(key) + " has no \"response\" object");
    }
    return response;
  }

  /** Keeps {@code response} for {@code key}, durably, before it returns. */
  void put(String key, ObjectNode request, JsonNode response) throws IOException {
    ObjectNode entry = Json.MAPPER.createObjectNode();
    entry.set("request", request);
    entry.set("response", response);
    byte[] bytes = Json.MAPPER.writeValueAsBytes(entry);
    synchronized (stripes[Math.floorMod(key.hashCode(), stripes.length)]) {
      AtomicFiles.write(file(key), bytes);
    }
  }
}

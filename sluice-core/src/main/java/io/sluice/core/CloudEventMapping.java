package io.sluice.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CloudEvents 1.0 ↔ EventBridge envelope, both ways, from the one table {@link #TABLE}.
 *
 * <table>
 *   <caption>Attribute mapping</caption>
 *   <tr><th>CloudEvents</th><th>envelope</th></tr>
 *   <tr><td>id</td><td>id</td></tr>
 *   <tr><td>source</td><td>source</td></tr>
 *   <tr><td>type</td><td>detail-type</td></tr>
 *   <tr><td>time</td><td>time</td></tr>
 *   <tr><td>data (a JSON object)</td><td>detail</td></tr>
 *   <tr><td>account, region, resources (extensions)</td><td>account, region, resources</td></tr>
 *   <tr><td>subject, datacontenttype, dataschema, any other extension</td><td>extra top-level
 *       field of the same name</td></tr>
 * </table>
 *
 * <p>{@code specversion} must be {@code "1.0"} and is not stored. {@code data_base64} (binary data)
 * is refused: an event's detail is a JSON object. Envelope fields equal to their defaults ({@code
 * version}, {@code account}, {@code region}, empty {@code resources}) are left out when mapping to
 * CloudEvents, so CloudEvents → event → CloudEvents gives back the same attributes.
 */
public final class CloudEventMapping {

  /** One row of the mapping: a CloudEvents attribute and the envelope field it becomes. */
  record Row(String attribute, String field) {}

  static final List<Row> TABLE =
      List.of(
          new Row("id", "id"),
          new Row("source", "source"),
          new Row("type", "detail-type"),
          new Row("time", "time"),
          new Row("data", "detail"),
          new Row("account", "account"),
          new Row("region", "region"),
          new Row("resources", "resources"));

  public static final String SPEC_VERSION = "1.0";

  private CloudEventMapping() {}

  /**
   * Maps a structured-mode CloudEvent to an event. Problems name CloudEvents attributes ({@code
   * /type}, {@code /data}), prefixed with {@code path}; returns {@code null} when there is any.
   */
  public static Event toEvent(JsonNode ce, String path, EventCodec codec, List<Problem> problems) {
    if (!ce.isObject()) {
      problems.add(
          Problem.of(
              path,
              "expected a CloudEvent object, got " + Json.describe(ce),
              EventCodec.render(ce)));
      return null;
    }
    int before = problems.size();
    JsonNode sv = ce.get("specversion");
    if (sv == null) {
      problems.add(Problem.of(path + "/specversion", "is required: \"1.0\""));
    } else if (!sv.isTextual() || !SPEC_VERSION.equals(sv.asText())) {
      problems.add(
          Problem.of(
              path + "/specversion",
              "expected \"1.0\", got " + Json.describe(sv),
              EventCodec.render(sv)));
    }
    for (String required : List.of("id", "source", "type")) {
      if (!ce.has(required)) {
        problems.add(Problem.of(path + "/" + required, "is required: a non-empty string"));
      }
    }
    if (ce.has("data_base64")) {
      problems.add(
          Problem.of(
              path + "/data_base64",
              "binary data cannot become an event's detail; send JSON data (an object)"));
    }
    JsonNode data = ce.get("data");
    if (data != null && !data.isObject()) {
      problems.add(
          Problem.of(
              path + "/data",
              "expected a JSON object (it becomes the event's detail), got " + Json.describe(data),
              EventCodec.render(data)));
    }
    if (problems.size() > before) {
      return null;
    }
    ObjectNode envelope = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> f : ce.properties()) {
      String name = f.getKey();
      if (name.equals("specversion") || name.equals("data_base64")) {
        continue;
      }
      envelope.set(fieldFor(name), f.getValue());
    }
    List<Problem> found = new java.util.ArrayList<>();
    Event e = codec.fromTree(envelope, "", found);
    for (Problem p : found) {
      problems.add(new Problem(path + attributePath(p.path()), p.message(), p.rejectedValue()));
    }
    return e;
  }

  /**
   * Builds the structured form of a binary-mode CloudEvent from its {@code ce-*} headers (names in
   * any case, values percent-encoded as the HTTP binding says), the Content-Type and the body
   * parsed as JSON ({@code null} when the body is empty).
   */
  public static ObjectNode fromBinary(
      Map<String, String> headers, String contentType, JsonNode data) {
    ObjectNode ce = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, String> h : headers.entrySet()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (!name.startsWith("ce-") || name.length() == 3) {
        continue;
      }
      String attribute = name.substring(3);
      String value = percentDecode(h.getValue(), "/headers/" + name);
      if (attribute.equals("resources")) {
        var arr = ce.putArray("resources");
        for (String r : value.split(",")) {
          if (!r.isBlank()) {
            arr.add(r.trim());
          }
        }
      } else {
        ce.put(attribute, value);
      }
    }
    if (contentType != null && !contentType.isBlank()) {
      ce.put("datacontenttype", contentType);
    }
    if (data != null) {
      ce.set("data", data);
    }
    return ce;
  }

  /** Maps an event to a structured-mode CloudEvent. */
  public static ObjectNode toCloudEvent(Event e) {
    ObjectNode ce = JsonNodeFactory.instance.objectNode();
    ce.put("specversion", SPEC_VERSION);
    if (e.id() != null) {
      ce.put("id", e.id());
    }
    ce.put("source", e.source());
    ce.put("type", e.detailType());
    if (e.time() != null) {
      ce.put("time", EventCodec.formatTime(e.time()));
    }
    if (!e.account().equals(EventCodec.DEFAULT_ACCOUNT)) {
      ce.put("account", e.account());
    }
    if (!e.region().equals(EventCodec.DEFAULT_REGION)) {
      ce.put("region", e.region());
    }
    if (!e.resources().isEmpty()) {
      var arr = ce.putArray("resources");
      e.resources().forEach(arr::add);
    }
    e.extras().forEach(ce::set);
    ce.set("data", e.detail());
    return ce;
  }

  private static String fieldFor(String attribute) {
    for (Row r : TABLE) {
      if (r.attribute().equals(attribute)) {
        return r.field();
      }
    }
    return attribute;
  }

  private static String attributePath(String envelopePath) {
    for (Row r : TABLE) {
      String prefix = "/" + r.field();
      if (envelopePath.equals(prefix) || envelopePath.startsWith(prefix + "/")) {
        return "/" + r.attribute() + envelopePath.substring(prefix.length());
      }
    }
    return envelopePath;
  }

  /**
   * Decodes a header value as the CloudEvents HTTP binding encodes it: percent-encoded UTF-8 (raw
   * bytes above ASCII, which Jetty hands over as ISO-8859-1 characters, are taken as UTF-8 too;
   * {@code +} stays {@code +}, this is not form encoding). Strict: a {@code %} without two hex
   * digits, or bytes that are not UTF-8 ({@code %FF}), are refused rather than turned into U+FFFD.
   *
   * @throws InvalidInputException {@code INVALID_EVENT} naming the header
   */
  static String percentDecode(String s, String path) {
    boolean plain = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' || c > 0x7f) {
        plain = false;
        break;
      }
    }
    if (plain) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw new InvalidInputException(
              InvalidInputException.INVALID_EVENT,
              Problem.of(
                  path,
                  "expected percent-encoded UTF-8 (a % followed by two hex digits), got "
                      + Problem.render(s),
                  Problem.render(s)));
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else if (c > 0xff) {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      } else {
        out.write(c);
      }
    }
    byte[] bytes = out.toByteArray();
    int bad = Utf8.firstInvalid(bytes, 0, bytes.length);
    if (bad >= 0) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_EVENT,
          Problem.of(
              path,
              "expected percent-encoded UTF-8, got "
                  + Problem.render(s)
                  + ", which decodes to bytes that are not UTF-8 ("
                  + Utf8.describe(bytes, bad, bytes.length)
                  + ")",
              Problem.render(s)));
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }
}

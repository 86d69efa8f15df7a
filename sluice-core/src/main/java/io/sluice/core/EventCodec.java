package io.sluice.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes {@link Event}s as EventBridge-envelope JSON, enforcing {@link EventLimits}.
 *
 * <p>Field rules: {@code source} and {@code detail-type} are required non-empty strings; {@code id}
 * (non-empty string) and {@code time} (RFC 3339) are assigned at ingest when absent; {@code
 * version}, {@code account} and {@code region} default to {@code "0"}, {@value #DEFAULT_ACCOUNT}
 * and {@value #DEFAULT_REGION}; {@code resources} is an array of strings; {@code detail} is a JSON
 * object, {@code {}} when absent. Any other top-level field is kept as an extra.
 *
 * <p>Sizes are measured on the stored form (the UTF-8 JSON this class writes). Depth counts the
 * event object as 1, so {@code {"detail":{"a":[1]}}} has depth 3.
 *
 * <p>Thread-safe.
 */
public final class EventCodec {

  public static final String DEFAULT_ACCOUNT = "000000000000";
  public static final String DEFAULT_REGION = "local";
  static final int MAX_ID_CHARS = 256;
  private static final int MAX_PATH_CHARS = 512;

  private final EventLimits limits;
  private final ObjectMapper single;
  private final ObjectMapper batch;
  private final ObjectMapper detail;

  public EventCodec(EventLimits limits) {
    this.limits = limits;
    this.single = Json.mapper(limits.maxDepth());
    this.batch = Json.mapper(limits.maxDepth() + 1);
    this.detail = Json.mapper(limits.maxDepth() - 1);
  }

  /**
   * Parses a detail given as its own JSON text (EventBridge PutEvents' {@code Detail} string). It
   * sits one level below the event object, so it may nest one level less; problems name {@code
   * /detail}.
   *
   * @throws InvalidInputException {@code MALFORMED_JSON} or {@code LIMIT_EXCEEDED}
   */
  public JsonNode readDetail(byte[] bytes) {
    try {
      JsonNode node = detail.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        throw new InvalidInputException(
            InvalidInputException.MALFORMED_JSON,
            Problem.of("/detail", "expected a JSON object, got an empty string"));
      }
      return node;
    } catch (StreamConstraintsException e) {
      String path = pathBeyondDepth(bytes, 0, bytes.length, limits.maxDepth() - 1);
      throw new InvalidInputException(
          InvalidInputException.LIMIT_EXCEEDED,
          Problem.of(
              "/detail" + path,
              "nesting depth "
                  + (limits.maxDepth() + 1)
                  + " is over the limit of "
                  + limits.maxDepth()
                  + " (the event object counts as 1)"));
    } catch (JsonProcessingException e) {
      InvalidInputException m = malformed(e);
      Problem p = m.problems().get(0);
      throw new InvalidInputException(m.code(), Problem.of("/detail", p.message()));
    } catch (CharConversionException e) {
      throw notUtf8(e, "/detail");
    } catch (NumberFormatException e) {
      throw badNumber(e, "/detail");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public EventLimits limits() {
    return limits;
  }

  /** The mapper used for single events; its depth limit is the event limit. */
  public ObjectMapper mapper() {
    return single;
  }

  /**
   * Parses {@code bytes} as one JSON value. {@code containerDepth} is 0 when the value is one event
   * and 1 when it is an array (or other wrapper) whose elements are events, so that the limit
   * applies to each event.
   *
   * @throws InvalidInputException {@code MALFORMED_JSON} or {@code LIMIT_EXCEEDED} with the
   *     location
   */
  public JsonNode readTree(byte[] bytes, int offset, int length, int containerDepth) {
    if (containerDepth < 0 || containerDepth > 1) {
      throw new IllegalArgumentException("containerDepth must be 0 or 1, got " + containerDepth);
    }
    ObjectMapper m = containerDepth == 0 ? single : batch;
    checkUtf8(bytes, offset, length, "");
    try {
      JsonNode node = m.readTree(bytes, offset, length);
      if (node == null || node.isMissingNode()) {
        throw new InvalidInputException(
            InvalidInputException.MALFORMED_JSON,
            Problem.of("", "expected a JSON value, got an empty body"));
      }
      return node;
    } catch (StreamConstraintsException e) {
      String msg = e.getOriginalMessage();
      if (msg == null || !msg.startsWith("Document nesting depth")) {
        throw new InvalidInputException(
            InvalidInputException.LIMIT_EXCEEDED,
            Problem.of("", "JSON is over a parser limit: " + msg));
      }
      String path = pathBeyondDepth(bytes, offset, length, limits.maxDepth() + containerDepth);
      throw new InvalidInputException(
          InvalidInputException.LIMIT_EXCEEDED,
          Problem.of(
              path,
              "nesting depth "
                  + (limits.maxDepth() + 1)
                  + " is over the limit of "
                  + limits.maxDepth()
                  + " (the event object counts as 1)"));
    } catch (MismatchedInputException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("Trailing token")) {
        throw new InvalidInputException(
            InvalidInputException.MALFORMED_JSON,
            Problem.of(
                "",
                "malformed JSON at "
                    + where(e)
                    + ": more than one JSON value; send a JSON array, or NDJSON with Content-Type"
                    + " application/x-ndjson"));
      }
      throw malformed(e);
    } catch (JsonProcessingException e) {
      throw malformed(e);
    } catch (CharConversionException e) {
      throw notUtf8(e, "");
    } catch (NumberFormatException e) {
      throw badNumber(e, "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A number Jackson cannot represent (an exponent too large for a BigDecimal, say). */
  private static InvalidInputException badNumber(NumberFormatException e, String path) {
    String msg =
        e.getMessage() == null
            ? "unreadable number"
            : e.getMessage().lines().findFirst().orElse("");
    return new InvalidInputException(
        InvalidInputException.MALFORMED_JSON, Problem.of(path, "malformed JSON: " + msg));
  }

  /**
   * Refuses bytes that are not strict UTF-8 before Jackson sees them: it decodes overlong forms
   * ({@code C0 AF} as {@code /}) without complaint, so a filter that looks at bytes and one that
   * looks at text could disagree.
   *
   * @throws InvalidInputException {@code MALFORMED_JSON} naming the byte and what is wrong there
   */
  public static void checkUtf8(byte[] bytes, int offset, int length, String path) {
    int bad = Utf8.firstInvalid(bytes, offset, length);
    if (bad >= 0) {
      throw new InvalidInputException(
          InvalidInputException.MALFORMED_JSON,
          Problem.of(
              path,
              "malformed JSON: not UTF-8 text ("
                  + Utf8.describe(bytes, bad, offset + length)
                  + " at byte "
                  + (bad - offset)
                  + ")"));
    }
  }

  private static InvalidInputException notUtf8(CharConversionException e, String path) {
    return new InvalidInputException(
        InvalidInputException.MALFORMED_JSON,
        Problem.of(path, "malformed JSON: not UTF-8 text (" + e.getMessage() + ")"));
  }

  /** Parses one event from its JSON bytes, or throws with every problem found. */
  public Event parse(byte[] json) {
    JsonNode node = readTree(json, 0, json.length, 0);
    List<Problem> problems = new ArrayList<>();
    Event e = fromTree(node, "", problems);
    if (e != null) {
      Problem size =
          checkSize(
              toBytes(e.withDefaults("00000000-0000-0000-0000-000000000000", Instant.EPOCH)), "");
      if (size != null) {
        problems.add(size);
      }
    }
    if (!problems.isEmpty()) {
      throw InvalidInputException.of(codeFor(problems), problems);
    }
    return e;
  }

  /**
   * {@code TOO_LARGE} when an event is over the size limit, {@code LIMIT_EXCEEDED} for other limits
   * (depth, id length), else {@code INVALID_EVENT}.
   */
  public static String codeFor(List<Problem> problems) {
    String code = InvalidInputException.INVALID_EVENT;
    for (Problem p : problems) {
      if (p.kind() == Problem.Kind.TOO_LARGE) {
        return InvalidInputException.TOO_LARGE;
      }
      if (p.kind() == Problem.Kind.LIMIT_EXCEEDED) {
        code = InvalidInputException.LIMIT_EXCEEDED;
      }
    }
    return code;
  }

  private static final String SIZE_PREFIX = "event is ";
  private static final java.util.regex.Pattern START_MARKER =
      java.util.regex.Pattern.compile(
          "\\(start marker at \\[Source: [^;]*; line: (\\d+), column: (\\d+)]\\)");

  /**
   * Builds an event from a parsed tree. Adds every problem (paths prefixed with {@code path}) to
   * {@code problems} and returns {@code null} when there is any.
   */
  public Event fromTree(JsonNode node, String path, List<Problem> problems) {
    if (!node.isObject()) {
      problems.add(
          Problem.of(path, "expected an event object, got " + Json.describe(node), render(node)));
      return null;
    }
    int before = problems.size();
    String version = "0";
    String id = null;
    String detailType = null;
    String source = null;
    String account = DEFAULT_ACCOUNT;
    Instant time = null;
    String region = DEFAULT_REGION;
    List<String> resources = List.of();
    JsonNode detail = null;
    Map<String, JsonNode> extras = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> f : node.properties()) {
      String name = f.getKey();
      JsonNode v = f.getValue();
      String p = path + "/" + Problem.pointerToken(name);
      switch (name) {
        case "version" -> version = string(v, p, problems, false);
        case "id" -> {
          id = string(v, p, problems, true);
          if (id != null && id.length() > MAX_ID_CHARS) {
            problems.add(
                Problem.limit(
                    p,
                    "is " + id.length() + " characters, over the limit of " + MAX_ID_CHARS,
                    render(v)));
            id = null;
          }
        }
        case "detail-type" -> detailType = string(v, p, problems, true);
        case "source" -> source = string(v, p, problems, true);
        case "account" -> account = string(v, p, problems, false);
        case "region" -> region = string(v, p, problems, false);
        case "time" -> time = time(v, p, problems);
        case "resources" -> resources = resources(v, p, problems);
        case "detail" -> {
          if (v.isObject()) {
            detail = v;
            Json.checkText(v, p, problems);
          } else {
            problems.add(
                Problem.of(p, "expected a JSON object, got " + Json.describe(v), render(v)));
          }
        }
        default -> {
          int bad = Utf8.firstLoneSurrogate(name);
          if (bad >= 0) {
            problems.add(
                Problem.of(
                    p,
                    "expected a field name of valid Unicode text, got "
                        + Utf8.describeLoneSurrogate(name, bad),
                    Problem.render(name)));
          }
          Json.checkText(v, p, problems);
          extras.put(name, v);
        }
      }
    }
    if (detailType == null && !node.has("detail-type")) {
      problems.add(Problem.of(path + "/detail-type", "is required: a non-empty string"));
    }
    if (source == null && !node.has("source")) {
      problems.add(Problem.of(path + "/source", "is required: a non-empty string"));
    }
    if (problems.size() > before) {
      return null;
    }
    return new Event(
        version == null ? "0" : version,
        id,
        detailType,
        source,
        account == null ? DEFAULT_ACCOUNT : account,
        time,
        region == null ? DEFAULT_REGION : region,
        resources,
        detail == null ? JsonNodeFactory.instance.objectNode() : detail,
        extras);
  }

  /** A problem when {@code stored} is over the size limit, else {@code null}. */
  public Problem checkSize(byte[] stored, String path) {
    if (stored.length > limits.maxEventBytes()) {
      return Problem.tooLarge(
          path,
          SIZE_PREFIX
              + stored.length
              + " bytes, over the limit of "
              + limits.maxEventBytes()
              + " bytes (server.limits.maxEventBytes)");
    }
    return null;
  }

  /** The stored form: envelope fields in EventBridge order, then extras. */
  public byte[] toBytes(Event e) {
    ByteArrayBuilder out = new ByteArrayBuilder(512);
    try (JsonGenerator g = single.getFactory().createGenerator(out)) {
      write(e, g);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }

  /** The envelope as a tree (for transforms and CloudEvents). */
  public ObjectNode toTree(Event e) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("version", e.version());
    if (e.id() != null) {
      n.put("id", e.id());
    }
    n.put("detail-type", e.detailType());
    n.put("source", e.source());
    n.put("account", e.account());
    if (e.time() != null) {
      n.put("time", formatTime(e.time()));
    }
    n.put("region", e.region());
    var res = n.putArray("resources");
    e.resources().forEach(res::add);
    n.set("detail", e.detail());
    e.extras().forEach(n::set);
    return n;
  }

  /** Reads a stored event back; stored events were validated, so a failure here is corruption. */
  public Event readStored(byte[] json) {
    try {
      JsonNode node = Json.MAPPER.readTree(json);
      List<Problem> problems = new ArrayList<>();
      Event e = fromTree(node, "", problems);
      if (e == null) {
        throw new IllegalStateException("stored event does not parse: " + problems);
      }
      return e;
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  private static void write(Event e, JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("version", e.version());
    if (e.id() != null) {
      g.writeStringField("id", e.id());
    }
    g.writeStringField("detail-type", e.detailType());
    g.writeStringField("source", e.source());
    g.writeStringField("account", e.account());
    if (e.time() != null) {
      g.writeStringField("time", formatTime(e.time()));
    }
    g.writeStringField("region", e.region());
    g.writeArrayFieldStart("resources");
    for (String r : e.resources()) {
      g.writeString(r);
    }
    g.writeEndArray();
    g.writeFieldName("detail");
    Json.write(g, e.detail());
    for (Map.Entry<String, JsonNode> x : e.extras().entrySet()) {
      g.writeFieldName(x.getKey());
      Json.write(g, x.getValue());
    }
    g.writeEndObject();
  }

  /**
   * RFC 3339 in UTC, with fractional seconds only when present: 2026-11-23T10:00:00Z (the same text
   * as {@link DateTimeFormatter#ISO_INSTANT}, written without a formatter: it is on the ingest hot
   * path).
   */
  public static String formatTime(Instant t) {
    long secs = t.getEpochSecond();
    int nanos = t.getNano();
    if (secs < 0 || secs >= 253402300800L) {
      return DateTimeFormatter.ISO_INSTANT.format(t); // outside 0000-9999 years' fast range
    }
    long days = Math.floorDiv(secs, 86400);
    int sod = Math.floorMod(secs, 86400);
    java.time.LocalDate d = java.time.LocalDate.ofEpochDay(days);
    char[] c = new char[30];
    int y = d.getYear();
    c[0] = (char) ('0' + y / 1000);
    c[1] = (char) ('0' + y / 100 % 10);
    c[2] = (char) ('0' + y / 10 % 10);
    c[3] = (char) ('0' + y % 10);
    c[4] = '-';
    two(c, 5, d.getMonthValue());
    c[7] = '-';
    two(c, 8, d.getDayOfMonth());
    c[10] = 'T';
    two(c, 11, sod / 3600);
    c[13] = ':';
    two(c, 14, sod / 60 % 60);
    c[16] = ':';
    two(c, 17, sod % 60);
    int n = 19;
    if (nanos != 0) {
      c[n++] = '.';
      int digits = nanos % 1_000_000 == 0 ? 3 : nanos % 1000 == 0 ? 6 : 9;
      int div = 100_000_000;
      for (int i = 0; i < digits; i++) {
        c[n++] = (char) ('0' + nanos / div % 10);
        div /= 10;
      }
    }
    c[n++] = 'Z';
    return new String(c, 0, n);
  }

  private static void two(char[] c, int at, int v) {
    c[at] = (char) ('0' + v / 10);
    c[at + 1] = (char) ('0' + v % 10);
  }

  /** Parses an RFC 3339 timestamp with Z or an offset; {@code null} when it is not one. */
  public static Instant parseTime(String s) {
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String string(JsonNode v, String p, List<Problem> problems, boolean nonEmpty) {
    if (!v.isTextual()) {
      problems.add(Problem.of(p, "expected a string, got " + Json.describe(v), render(v)));
      return null;
    }
    if (nonEmpty && v.asText().isEmpty()) {
      problems.add(Problem.of(p, "expected a non-empty string, got \"\"", "\"\""));
      return null;
    }
    int bad = Utf8.firstLoneSurrogate(v.textValue());
    if (bad >= 0) {
      problems.add(
          Problem.of(
              p,
              "expected valid Unicode text, got " + Utf8.describeLoneSurrogate(v.textValue(), bad),
              render(v)));
      return null;
    }
    return v.asText();
  }

  /** The earliest time an event may carry: 0000-01-01T00:00:00Z (RFC 3339's first year). */
  public static final Instant MIN_TIME = Instant.parse("0000-01-01T00:00:00Z");

  /** The latest time an event may carry: the last instant of year 9999, in UTC. */
  public static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59.999999999Z");

  private static Instant time(JsonNode v, String p, List<Problem> problems) {
    Instant t = v.isTextual() ? parseTime(v.asText()) : null;
    if (t == null) {
      problems.add(
          Problem.of(
              p,
              "expected an RFC 3339 timestamp like 2026-11-23T10:00:00Z, got " + Json.describe(v),
              render(v)));
    } else if (!inRange(t)) {
      problems.add(
          Problem.of(
              p,
              "expected a time from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z (years"
                  + " 0000 to 9999 in UTC, as RFC 3339 and the lake allow), got "
                  + Json.describe(v),
              render(v)));
      return null;
    }
    return t;
  }

  /** Whether {@code t} is a time an event may carry ({@link #MIN_TIME} to {@link #MAX_TIME}). */
  public static boolean inRange(Instant t) {
    return !t.isBefore(MIN_TIME) && !t.isAfter(MAX_TIME);
  }

  private static List<String> resources(JsonNode v, String p, List<Problem> problems) {
    if (!v.isArray()) {
      problems.add(
          Problem.of(p, "expected an array of strings, got " + Json.describe(v), render(v)));
      return List.of();
    }
    List<String> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      JsonNode r = v.get(i);
      if (r.isTextual()) {
        int bad = Utf8.firstLoneSurrogate(r.textValue());
        if (bad >= 0) {
          problems.add(
              Problem.of(
                  p + "/" + i,
                  "expected valid Unicode text, got "
                      + Utf8.describeLoneSurrogate(r.textValue(), bad),
                  render(r)));
        }
        out.add(r.asText());
      } else {
        problems.add(
            Problem.of(p + "/" + i, "expected a string, got " + Json.describe(r), render(r)));
      }
    }
    return out;
  }

  static String render(JsonNode v) {
    return v.isTextual() ? Problem.render(v.asText()) : Problem.renderRaw(v.toString());
  }

  private static InvalidInputException malformed(JsonProcessingException e) {
    String msg = e.getOriginalMessage();
    int nl = msg.indexOf('\n');
    if (nl >= 0) {
      msg = msg.substring(0, nl);
    }
    msg = START_MARKER.matcher(msg).replaceAll("(opened at line $1, column $2)");
    if (e instanceof JsonParseException || e.getLocation() != null) {
      return new InvalidInputException(
          InvalidInputException.MALFORMED_JSON,
          Problem.of("", "malformed JSON at " + where(e) + ": " + msg));
    }
    return new InvalidInputException(
        InvalidInputException.MALFORMED_JSON, Problem.of("", "malformed JSON: " + msg));
  }

  private static String where(JsonProcessingException e) {
    var loc = e.getLocation();
    return loc == null
        ? "unknown position"
        : "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
  }

  /**
   * Scans tokens (no tree, no recursion) and returns the JSON Pointer of the first container that
   * is nested deeper than {@code limit}.
   */
  static String pathBeyondDepth(byte[] bytes, int offset, int length, int limit) {
    Deque<Object> path = new ArrayDeque<>();
    try (JsonParser p = Json.UNLIMITED_DEPTH.createParser(bytes, offset, length)) {
      int depth = 0;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          path.addLast(segment(p));
          depth++;
          if (depth > limit) {
            return render(path);
          }
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
          path.pollLast();
        }
      }
    } catch (StreamConstraintsException e) {
      return render(path);
    } catch (IOException e) {
      return "";
    }
    return "";
  }

  private static Object segment(JsonParser p) {
    var ctx = p.getParsingContext().getParent();
    if (ctx == null || ctx.inRoot()) {
      return "";
    }
    if (ctx.inArray()) {
      return Integer.toString(ctx.getCurrentIndex());
    }
    return Problem.pointerToken(ctx.getCurrentName());
  }

  private static String render(Deque<Object> path) {
    StringBuilder b = new StringBuilder();
    boolean first = true;
    for (Object s : path) {
      if (first) {
        first = false; // the root container has no segment
        continue;
      }
      b.append('/').append(s);
      if (b.length() > MAX_PATH_CHARS) {
        return b.substring(0, MAX_PATH_CHARS) + "…";
      }
    }
    return b.toString();
  }
}

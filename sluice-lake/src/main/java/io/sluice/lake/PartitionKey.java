package io.sluice.lake;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.thisptr.jackson.jq.BuiltinFunctionLoader;
import net.thisptr.jackson.jq.JsonQuery;
import net.thisptr.jackson.jq.Scope;
import net.thisptr.jackson.jq.Versions;
import net.thisptr.jackson.jq.exception.JsonQueryException;

/**
 * One Hive-style partition key of a lake table, written {@code name=template} as in {@code
 * dt=${time:yyyy-MM-dd}}. The template is literal text with expressions:
 *
 * <ul>
 *   <li>{@code ${time:PATTERN}} and {@code ${ingestion_time:PATTERN}}: the event's time or the time
 *       Sluice stored it, formatted in UTC with a {@link DateTimeFormatter} pattern;
 *   <li>{@code ${source}}, {@code ${detail.region}}, {@code ${detail.a.b}}: a field of the event,
 *       by a dotted path (a string as it is, other scalars as JSON text, objects and arrays are
 *       missing);
 *   <li>{@code ${jq:EXPRESSION}}: the first result of a jq expression over the event.
 * </ul>
 *
 * A missing or null value renders as {@link #DEFAULT_VALUE}. The rendered value is escaped for a
 * path segment: every character outside {@code A-Z a-z 0-9 - _ . : +} and a leading dot are
 * percent-encoded as UTF-8 (so {@code a/b} becomes {@code a%2Fb} and {@code ..} becomes {@code
 * %2E.}); DuckDB decodes them again when it reads the partition.
 */
public final class PartitionKey {

  /** The value of a key whose field is missing or null (Hive's convention). */
  public static final String DEFAULT_VALUE = "__HIVE_DEFAULT_PARTITION__";

  /** At most this many characters per rendered (escaped) value; longer ones are an error. */
  public static final int MAX_VALUE_LENGTH = 200;

  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,63}");
  private static final Pattern EXPR = Pattern.compile("\\$\\{([^}]*)}");
  private static final Pattern FIELD_PATH =
      Pattern.compile("[A-Za-z0-9_\\-$@]+(\\.[A-Za-z0-9_\\-$@]+)*");
  private static final Scope ROOT = rootScope();

  private final String name;
  private final String template;
  private final List<Part> parts;

  private sealed interface Part permits Literal, TimeFormat, FieldPath, Jq {}

  private record Literal(String text) implements Part {}

  /**
   * A time expression. Events arrive in time order mostly, so the last input and its rendering are
   * remembered (parsing and formatting a date costs more than the rest of a row).
   */
  private static final class TimeFormat implements Part {
    final boolean ingestion;
    final DateTimeFormatter format;
    private volatile Object[] last = {null, null};

    TimeFormat(boolean ingestion, DateTimeFormatter format) {
      this.ingestion = ingestion;
      this.format = format;
    }

    boolean ingestion() {
      return ingestion;
    }

    DateTimeFormatter format() {
      return format;
    }

    String cached(Object key) {
      Object[] l = last;
      return key.equals(l[0]) ? (String) l[1] : null;
    }

    void remember(Object key, String value) {
      last = new Object[] {key, value};
    }
  }

  private record FieldPath(String[] names) implements Part {}

  private record Jq(JsonQuery query, String expression) implements Part {}

  private PartitionKey(String name, String template, List<Part> parts) {
    this.name = name;
    this.template = template;
    this.parts = parts;
  }

  private static Scope rootScope() {
    Scope s = Scope.newEmptyScope();
    BuiltinFunctionLoader.getInstance().loadFunctions(Versions.JQ_1_6, s);
    return s;
  }

  public String name() {
    return name;
  }

  public String template() {
    return template;
  }

  /** {@code name=template}, as configured. */
  public String spec() {
    return name + "=" + template;
  }

  /**
   * Compiles {@code name=template}; adds a problem at {@code path} and returns {@code null} when it
   * is not valid.
   */
  public static PartitionKey compile(String spec, String path, List<Problem> problems) {
    int eq = spec == null ? -1 : spec.indexOf('=');
    if (eq < 0) {
      problems.add(
          Problem.of(
              path,
              "expected a partition key like dt=${time:yyyy-MM-dd} or region=${detail.region}, got "
                  + Problem.render(spec)));
      return null;
    }
    String name = spec.substring(0, eq);
    String template = spec.substring(eq + 1);
    if (!NAME.matcher(name).matches()) {
      problems.add(
          Problem.of(
              path,
              "expected a partition key name of 1-64 characters a-z 0-9 _ (not starting with a"
                  + " digit), got "
                  + Problem.render(name)));
      return null;
    }
    if (template.isEmpty()) {
      problems.add(Problem.of(path, "expected a template after " + name + "=, got nothing"));
      return null;
    }
    List<Part> parts = new ArrayList<>();
    Matcher m = EXPR.matcher(template);
    int last = 0;
    int before = problems.size();
    while (m.find()) {
      if (m.start() > last) {
        parts.add(new Literal(template.substring(last, m.start())));
      }
      Part p = expression(m.group(1), path, problems);
      if (p != null) {
        parts.add(p);
      }
      last = m.end();
    }
    if (last < template.length()) {
      String rest = template.substring(last);
      if (rest.contains("${")) {
        problems.add(
            Problem.of(path, "has an unterminated ${ in its template", Problem.render(template)));
        return null;
      }
      parts.add(new Literal(rest));
    }
    if (problems.size() > before) {
      return null;
    }
    return new PartitionKey(name, template, List.copyOf(parts));
  }

  private static Part expression(String e, String path, List<Problem> problems) {
    if (e.startsWith("time:") || e.startsWith("ingestion_time:")) {
      boolean ingestion = e.startsWith("ingestion_time:");
      String pattern = e.substring(e.indexOf(':') + 1);
      try {
        if (pattern.isEmpty()) {
          throw new IllegalArgumentException("empty pattern");
        }
        return new TimeFormat(
            ingestion, DateTimeFormatter.ofPattern(pattern).withZone(ZoneOffset.UTC));
      } catch (IllegalArgumentException ex) {
        problems.add(
            Problem.of(
                path,
                "expected a date-time pattern such as yyyy-MM-dd after "
                    + e.substring(0, e.indexOf(':') + 1)
                    + " ("
                    + ex.getMessage()
                    + ")",
                Problem.render(pattern)));
        return null;
      }
    }
    if (e.startsWith("jq:")) {
      String expr = e.substring(3);
      try {
        return new Jq(JsonQuery.compile(expr, Versions.JQ_1_6), expr);
      } catch (JsonQueryException ex) {
        problems.add(
            Problem.of(
                path, "jq expression does not compile: " + ex.getMessage(), Problem.render(expr)));
        return null;
      }
    }
    if (FIELD_PATH.matcher(e).matches()) {
      return new FieldPath(e.split("\\."));
    }
    problems.add(
        Problem.of(
            path,
            "expected ${time:PATTERN}, ${ingestion_time:PATTERN}, ${jq:EXPRESSION} or a field path"
                + " such as ${detail.region}, got "
                + Problem.render("${" + e + "}")));
    return null;
  }

  /**
   * The escaped value for one event.
   *
   * @throws IllegalArgumentException when the value is too long or the jq expression fails
   */
  public String render(JsonNode event, long ingestionTimeMs) {
    StringBuilder out = new StringBuilder();
    boolean any = false;
    for (Part p : parts) {
      String v =
          switch (p) {
            case Literal l -> l.text();
            case TimeFormat t -> time(t, event, ingestionTimeMs);
            case FieldPath f -> field(f, event);
            case Jq j -> jq(j, event);
          };
      if (v == null) {
        continue;
      }
      if (!(p instanceof Literal)) {
        any = true;
      }
      out.append(v);
    }
    boolean onlyLiterals = parts.stream().allMatch(p -> p instanceof Literal);
    if (!any && !onlyLiterals) {
      return DEFAULT_VALUE;
    }
    String escaped = escape(out.toString());
    if (escaped.isEmpty()) {
      return DEFAULT_VALUE;
    }
    if (escaped.length() > MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException(
          "partition key "
              + name
              + " renders a value of "
              + escaped.length()
              + " characters, more than the limit of "
              + MAX_VALUE_LENGTH
              + ": "
              + Problem.render(escaped.substring(0, 60) + "…"));
    }
    return escaped;
  }

  private static String time(TimeFormat t, JsonNode event, long ingestionTimeMs) {
    Object key;
    if (t.ingestion()) {
      key = ingestionTimeMs / 1000; // no pattern here renders below seconds… unless it asks
    } else {
      JsonNode time = event.get("time");
      if (time == null || !time.isTextual()) {
        return null;
      }
      key = time.textValue();
    }
    if (!t.ingestion() || !t.format().toString().contains("Fraction")) {
      String hit = t.cached(key);
      if (hit != null) {
        return hit;
      }
    }
    Instant when;
    if (t.ingestion()) {
      when = Instant.ofEpochMilli(ingestionTimeMs);
    } else {
      when = parseTime((String) key);
      if (when == null) {
        return null;
      }
    }
    String out = t.format().format(when);
    t.remember(key, out);
    return out;
  }

  /**
   * RFC 3339 ({@code 2026-11-30T10:00:00.123Z}, {@code …+02:00}) without the general parser, which
   * costs more than writing the rest of a lake row; anything unusual goes to it.
   */
  public static Instant parseTime(String t) {
    int n = t.length();
    if (n >= 20
        && t.charAt(4) == '-'
        && t.charAt(7) == '-'
        && (t.charAt(10) == 'T' || t.charAt(10) == 't')
        && t.charAt(13) == ':'
        && t.charAt(16) == ':') {
      int y = digits(t, 0, 4);
      int mo = digits(t, 5, 2);
      int d = digits(t, 8, 2);
      int h = digits(t, 11, 2);
      int mi = digits(t, 14, 2);
      int sec = digits(t, 17, 2);
      int i = 19;
      long nanos = 0;
      if (i < n && t.charAt(i) == '.') {
        int start = ++i;
        while (i < n && Character.isDigit(t.charAt(i))) {
          i++;
        }
        int len = i - start;
        if (len >= 1 && len <= 9) {
          nanos = digits(t, start, len);
          for (int k = len; k < 9; k++) {
            nanos *= 10;
          }
        } else {
          y = -1;
        }
      }
      int offset = Integer.MIN_VALUE;
      if (i == n - 1 && (t.charAt(i) == 'Z' || t.charAt(i) == 'z')) {
        offset = 0;
      } else if (i == n - 6
          && (t.charAt(i) == '+' || t.charAt(i) == '-')
          && t.charAt(i + 3) == ':') {
        int oh = digits(t, i + 1, 2);
        int om = digits(t, i + 4, 2);
        if (oh >= 0 && om >= 0 && oh < 24 && om < 60) {
          offset = (t.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        }
      }
      if (y >= 0
          && mo >= 1
          && mo <= 12
          && d >= 1
          && d <= 28
          && h >= 0
          && h < 24
          && mi >= 0
          && mi < 60
          && sec >= 0
          && sec < 60
          && offset != Integer.MIN_VALUE) {
        long day = java.time.LocalDate.of(y, mo, d).toEpochDay();
        return Instant.ofEpochSecond(day * 86_400 + h * 3600L + mi * 60L + sec - offset, nanos);
      }
    }
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static int digits(String s, int from, int len) {
    int v = 0;
    for (int i = from; i < from + len; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static String field(FieldPath f, JsonNode event) {
    JsonNode n = event;
    for (String s : f.names()) {
      n = n == null ? null : n.get(s);
    }
    return scalar(n);
  }

  private static String scalar(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode() || n.isContainerNode()) {
      return null;
    }
    return n.isTextual() ? n.asText() : n.toString();
  }

  private String jq(Jq j, JsonNode event) {
    List<JsonNode> out = new ArrayList<>(1);
    try {
      j.query().apply(Scope.newChildScope(ROOT), event, out::add);
    } catch (JsonQueryException e) {
      throw new IllegalArgumentException(
          "partition key " + name + ": jq " + j.expression() + " failed: " + e.getMessage(), e);
    }
    return out.isEmpty() ? null : scalar(out.get(0));
  }

  /** Percent-encodes what is not safe in one path segment. */
  public static String escape(String value) {
    StringBuilder b = new StringBuilder(value.length());
    byte[] bytes = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      int c = bytes[i] & 0xff;
      boolean safe =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == ':'
              || c == '+'
              || (c == '.' && i > 0);
      if (safe) {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        b.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return spec();
  }

  /** For tests and docs: the event a template is evaluated against, from JSON text. */
  static JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }
}

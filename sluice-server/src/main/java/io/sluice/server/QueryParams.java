package io.sluice.server;

import io.javalin.http.Context;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.Utf8;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request's query string, parsed strictly: a malformed parameter is a 400 that names it, never
 * silently dropped (Jetty's lenient parser drops what it cannot decode, so {@code
 * ?from=%%%&limit=1} read from the earliest event and {@code ?cursor=%%%zz} served page 1). Values
 * are percent-decoded ({@code +} is a space, as in forms) and must be UTF-8; a parameter may appear
 * once.
 */
final class QueryParams {

  private static final String ATTRIBUTE = QueryParams.class.getName();

  private QueryParams() {}

  /** The value of {@code name}, or null when absent. */
  static String get(Context ctx, String name) {
    return of(ctx).get(name);
  }

  /** Every parameter, parsed once per request. */
  static Map<String, String> of(Context ctx) {
    @SuppressWarnings("unchecked")
    Map<String, String> cached = (Map<String, String>) ctx.attribute(ATTRIBUTE);
    if (cached == null) {
      cached = parse(ctx.queryString());
      ctx.attribute(ATTRIBUTE, cached);
    }
    return cached;
  }

  static Map<String, String> parse(String query) {
    Map<String, String> out = new LinkedHashMap<>();
    if (query == null || query.isEmpty()) {
      return out;
    }
    for (String pair : query.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String rawName = eq < 0 ? pair : pair.substring(0, eq);
      String rawValue = eq < 0 ? "" : pair.substring(eq + 1);
      String name = decode(rawName, "/" + rawName, "the name of a query parameter");
      String value = decode(rawValue, "/" + name, "query parameter " + name);
      if (out.containsKey(name)) {
        throw new InvalidInputException(
            InvalidInputException.INVALID_ARGUMENT,
            Problem.of(
                "/" + name,
                "expected query parameter " + name + " once, got it twice",
                Problem.render(value)));
      }
      out.put(name, value);
    }
    return out;
  }

  private static String decode(String raw, String path, String what) {
    if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0) {
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '+') {
        bytes.write(' ');
      } else if (c == '%') {
        int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw new InvalidInputException(
              InvalidInputException.INVALID_ARGUMENT,
              Problem.of(
                  path,
                  "malformed percent-encoding in "
                      + what
                      + ": expected % and two hex digits, got "
                      + Problem.render(raw),
                  Problem.render(raw)));
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    byte[] b = bytes.toByteArray();
    int bad = Utf8.firstInvalid(b, 0, b.length);
    if (bad >= 0) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of(
              path,
              what
                  + " decodes to bytes that are not UTF-8 ("
                  + Utf8.describe(b, bad, b.length)
                  + "), got "
                  + Problem.render(raw),
              Problem.render(raw)));
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  /**
   * The integer query parameter {@code name} from {@code min} to {@code max}, or {@code def} when
   * it is absent; anything else is a 400 naming the parameter, the range and the value.
   */
  static long longParam(Context ctx, String name, long def, long min, long max) {
    String v = get(ctx, name);
    if (v == null) {
      return def;
    }
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      n = min - 1;
    }
    if (n < min || n > max) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of(
              "/" + name,
              "expected an integer from " + min + " to " + max + ", got " + Problem.render(v),
              Problem.render(v)));
    }
    return n;
  }
}

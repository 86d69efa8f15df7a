package io.sluice.engine;

import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a reader of a whole bus is: the next offset to read in each partition. Travels to HTTP
 * clients as an opaque token ({@code next}), base64url of {@code v1:0=12,1=7}.
 */
public record BusCursor(Map<Integer, Long> next) {

  public BusCursor {
    next = Map.copyOf(next);
  }

  public long next(int partition) {
    return next.getOrDefault(partition, 0L);
  }

  public String token() {
    StringBuilder b = new StringBuilder("v1:");
    new TreeMap<>(next).forEach((p, o) -> b.append(p).append('=').append(o).append(','));
    if (b.charAt(b.length() - 1) == ',') {
      b.setLength(b.length() - 1);
    }
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(b.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Parses a token from {@link #token()}; a tampered or foreign token is a clear 400. */
  public static BusCursor parse(String token) {
    try {
      String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (!s.startsWith("v1:")) {
        throw new IllegalArgumentException("no v1 prefix");
      }
      Map<Integer, Long> m = new TreeMap<>();
      String body = s.substring(3);
      if (!body.isEmpty()) {
        for (String part : body.split(",")) {
          int eq = part.indexOf('=');
          int p = Integer.parseInt(part.substring(0, eq));
          long o = Long.parseLong(part.substring(eq + 1));
          if (p < 0 || o < 0) {
            throw new IllegalArgumentException("negative");
          }
          m.put(p, o);
        }
      }
      return new BusCursor(m);
    } catch (RuntimeException e) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of(
              "/cursor",
              "expected a cursor token returned as \"next\" by an earlier read, got "
                  + Problem.render(token),
              Problem.render(token)));
    }
  }
}

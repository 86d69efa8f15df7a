package io.sluice.server;

import io.javalin.http.Context;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.config.AuthConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * API-key authentication: {@code Authorization: Bearer <key>}. Keys are configured only as the
 * SHA-256 of the secret; a key's scopes say what it may do: {@code ingest:<bus>} (or {@code
 * ingest:*}) to send events, {@code read} to read buses and metrics, {@code admin} for everything.
 * With no keys configured every request is allowed.
 */
public final class ApiKeys {

  /** An authenticated caller; {@link #ANYONE} when authentication is off. */
  public record Principal(String name, List<String> scopes) {
    static final Principal ANYONE = new Principal("anyone", List.of("admin"));

    public boolean allows(String scope) {
      if (scopes.contains("admin") || scopes.contains(scope)) {
        return true;
      }
      return scope.startsWith("ingest:") && scopes.contains("ingest:*");
    }
  }

  private final boolean enabled;
  private final Map<String, Principal> byHash = new HashMap<>();

  public ApiKeys(AuthConfig config) {
    this.enabled = config.isEnabled();
    for (AuthConfig.ApiKeyConfig k : config.keys()) {
      byHash.put(k.sha256(), new Principal(k.name(), k.scopes()));
    }
  }

  public boolean isEnabled() {
    return enabled;
  }

  /** The caller, or a 401 when auth is on and the key is missing or unknown. */
  public Principal authenticate(Context ctx) {
    if (!enabled) {
      return Principal.ANYONE;
    }
    String h = ctx.header("Authorization");
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7) || h.length() <= 7) {
      throw new InvalidInputException(
          InvalidInputException.UNAUTHORIZED,
          Problem.of(
              "/headers/Authorization", "missing API key: send Authorization: Bearer <key>"));
    }
    Principal p = byHash.get(sha256Hex(h.substring(7).trim()));
    if (p == null) {
      throw new InvalidInputException(
          InvalidInputException.UNAUTHORIZED,
          Problem.of("/headers/Authorization", "unknown API key"));
    }
    return p;
  }

  /** The caller, who must hold {@code scope} (403 otherwise). */
  public Principal require(Context ctx, String scope) {
    Principal p = authenticate(ctx);
    if (!p.allows(scope)) {
      throw forbidden(p, scope);
    }
    return p;
  }

  /**
   * Whether the caller may see what {@code scope} allows, without answering 401/403: true when
   * authentication is off or the request carries a known key holding the scope.
   */
  public boolean allows(Context ctx, String scope) {
    try {
      return authenticate(ctx).allows(scope);
    } catch (InvalidInputException e) {
      return false;
    }
  }

  static InvalidInputException forbidden(Principal p, String scope) {
    return new InvalidInputException(
        InvalidInputException.FORBIDDEN,
        Problem.of(
            "/headers/Authorization",
            "API key " + Problem.render(p.name()) + " lacks the scope " + scope));
  }

  /** A new random key: {@code sk_} and 32 random bytes, base64url. */
  public static String newKey() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return "sk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  public static String sha256Hex(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}

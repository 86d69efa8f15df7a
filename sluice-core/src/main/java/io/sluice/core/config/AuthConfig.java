package io.sluice.core.config;

import java.util.List;

/**
 * API keys. When there are none, the server accepts every request (and refuses to listen on a
 * non-loopback address unless started with {@code --insecure}).
 */
public record AuthConfig(List<ApiKeyConfig> keys) {

  public static final AuthConfig NONE = new AuthConfig(List.of());

  public AuthConfig {
    keys = List.copyOf(keys);
  }

  public boolean isEnabled() {
    return !keys.isEmpty();
  }

  /**
   * One key, stored only as the SHA-256 of the secret.
   *
   * @param scopes {@code ingest:<bus>} (or {@code ingest:*}), {@code read}, {@code admin}
   */
  public record ApiKeyConfig(String name, String sha256, List<String> scopes) {
    public ApiKeyConfig {
      scopes = List.copyOf(scopes);
    }
  }
}

package io.sluice.core.config;

import java.time.Duration;

/**
 * The node's mail server (config section {@code smtp}), configured once: email targets and reports
 * send through it.
 *
 * <pre>{@code
 * smtp:
 *   host: smtp.example.com
 *   port: 587                  # default by tls: starttls 587, implicit 465, none 25
 *   tls: starttls              # starttls (default) | implicit | none
 *   username: sluice
 *   password: ${env:SMTP_PASSWORD}
 *   from: "Sluice <sluice@example.com>"
 *   timeout: 30s               # connect, read and write, each
 * }</pre>
 *
 * @param username null for a server that needs no login
 * @param password {@code ${env:NAME}} resolved; null without username
 */
public record SmtpConfig(
    String host,
    int port,
    Tls tls,
    String username,
    String password,
    String from,
    Duration timeout) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** How the connection is encrypted. */
  public enum Tls {
    /** Plain connection upgraded with STARTTLS, which is required (port 587). */
    STARTTLS(587),
    /** TLS from the first byte (SMTPS, port 465). */
    IMPLICIT(465),
    /** No encryption: a local relay or a test sink (port 25). */
    NONE(25);

    private final int defaultPort;

    Tls(int defaultPort) {
      this.defaultPort = defaultPort;
    }

    public int defaultPort() {
      return defaultPort;
    }

    /** The name in config: {@code starttls}, {@code implicit}, {@code none}. */
    public String configName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  @Override
  public String toString() {
    // the password never reaches a log line
    return "SmtpConfig[host="
        + host
        + ", port="
        + port
        + ", tls="
        + tls.configName()
        + ", username="
        + username
        + ", from="
        + from
        + ", timeout="
        + timeout
        + "]";
  }
}

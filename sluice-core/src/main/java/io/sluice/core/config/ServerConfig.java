package io.sluice.core.config;

/**
 * Where the HTTP server listens, what it accepts, and how much it logs.
 *
 * @param logLevel the level of Sluice's own log (one of {@link #LOG_LEVELS}); {@code log} targets
 *     print whatever it is
 */
public record ServerConfig(String host, int port, LimitsConfig limits, String logLevel) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 7070;
  public static final String DEFAULT_LOG_LEVEL = "info";

  /** The levels {@code server.logLevel} and {@code sluice run --log-level} take. */
  public static final java.util.List<String> LOG_LEVELS =
      java.util.List.of("error", "warn", "info", "debug", "trace");

  public ServerConfig(String host, int port, LimitsConfig limits) {
    this(host, port, limits, DEFAULT_LOG_LEVEL);
  }

  public ServerConfig withPort(int p) {
    return new ServerConfig(host, p, limits, logLevel);
  }

  public ServerConfig withHost(String h) {
    return new ServerConfig(h, port, limits, logLevel);
  }

  public ServerConfig withLogLevel(String level) {
    return new ServerConfig(host, port, limits, level);
  }

  /** True for 127.0.0.0/8, ::1 and localhost. */
  public boolean isLoopback() {
    return host.equals("localhost")
        || host.startsWith("127.")
        || host.equals("::1")
        || host.equals("[::1]");
  }
}

package io.sluice.core.config;

/** Where the HTTP server listens and what it accepts. */
public record ServerConfig(String host, int port, LimitsConfig limits) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 7070;

  public ServerConfig withPort(int p) {
    return new ServerConfig(host, p, limits);
  }

  public ServerConfig withHost(String h) {
    return new ServerConfig(h, port, limits);
  }

  /** True for 127.0.0.0/8, ::1 and localhost. */
  public boolean isLoopback() {
    return host.equals("localhost")
        || host.startsWith("127.")
        || host.equals("::1")
        || host.equals("[::1]");
  }
}

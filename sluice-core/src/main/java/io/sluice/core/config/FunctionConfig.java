package io.sluice.core.config;

import java.time.Duration;
import java.util.Map;

/**
 * A declared function (config section {@code functions}).
 *
 * <pre>{@code
 * functions:
 *   - name: enrich
 *     runtime: python3          # a registered runtime kind
 *     handler: app.handler      # the kind's own keys (RuntimeSpec)
 *     code: functions/enrich
 *     timeout: 30s              # default 3s, at most 15m
 *     memory: 256MB             # default 128MB, 32MB..10GB
 *     concurrency: 4            # warm workers at most, default 1
 *     environment: {TABLE: vitals}
 * }</pre>
 *
 * @param spec the runtime kind's settings
 * @param environment variables the function sees, {@code ${env:NAME}} resolved
 */
public record FunctionConfig(
    String name,
    String runtime,
    RuntimeSpec spec,
    String description,
    Duration timeout,
    long memoryBytes,
    int concurrency,
    Map<String, String> environment) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);
  public static final Duration MAX_TIMEOUT = Duration.ofMinutes(15);
  public static final long DEFAULT_MEMORY_BYTES = 128L << 20;
  public static final int DEFAULT_CONCURRENCY = 1;

  public FunctionConfig {
    environment = Map.copyOf(environment);
  }

  /** A runtime kind's own settings of one function. */
  public interface RuntimeSpec {
    /** The name of the runtime kind that read it. */
    String runtime();
  }
}

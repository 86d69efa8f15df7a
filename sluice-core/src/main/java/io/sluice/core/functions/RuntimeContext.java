package io.sluice.core.functions;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;

/**
 * What a runtime kind's functions are started with, besides their own settings.
 *
 * @param workDir a directory of the data directory this function may use (unpacked code, caches,
 *     the llm response cache); created by the host, kept across restarts
 * @param clock the node's clock
 * @param log where the function's output goes
 * @param meters the node's metrics, for a runtime's own meters (the llm runtime's tokens); tag them
 *     with {@code function}
 */
public record RuntimeContext(Path workDir, Clock clock, FunctionLog log, MeterRegistry meters) {

  /** A context whose meters record nothing (reading config, tests that do not look). */
  public RuntimeContext(Path workDir, Clock clock, FunctionLog log) {
    this(workDir, clock, log, new CompositeMeterRegistry());
  }
}

package io.sluice.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every long-running part of a node (a bus router, a lake writer, the retry loader) says about
 * itself: failing, with its error, or fine. A part that hits an unexpected error reports it here,
 * backs off and tries again: it never stops silently. The server's {@code /health/ready} answers
 * 503 naming every failing part, and {@code /health} shows them; {@code
 * sluice_component_errors_total {component}} counts the failures.
 *
 * <p>A failure is logged once when it starts (with the part's identifiers) and once when it ends,
 * not at every retry. Thread-safe.
 */
public final class Health {

  private static final Logger LOG = LoggerFactory.getLogger(Health.class);

  /** A failing part: since when, and its last error. */
  public record Failure(Instant since, String error, long count) {}

  private final Clock clock;
  private final MeterRegistry meters;
  private final Map<String, Failure> failing = new ConcurrentHashMap<>();

  public Health(Clock clock, MeterRegistry meters) {
    this.clock = clock;
    this.meters = meters;
  }

  /** {@code component} failed with {@code error}; it will try again. */
  public void failed(String component, Throwable error) {
    failed(component, error.toString());
  }

  public void failed(String component, String error) {
    Counter.builder("sluice.component.errors")
        .description("Unexpected errors of long-running parts (each is retried)")
        .tag("component", component)
        .register(meters)
        .increment();
    Failure before =
        failing.compute(
            component,
            (k, f) ->
                f == null
                    ? new Failure(clock.instant(), error, 1)
                    : new Failure(f.since(), error, f.count() + 1));
    if (before.count() == 1) {
      LOG.error("{} failed: {}; retrying with backoff until it works", component, error);
    }
  }

  /** {@code component} works again (a no-op when it was not failing). */
  public void ok(String component) {
    Failure f = failing.remove(component);
    if (f != null) {
      LOG.info("{} works again after {} failed attempts since {}", component, f.count(), f.since());
    }
  }

  /** The failing parts, by name. */
  public Map<String, Failure> failing() {
    return new TreeMap<>(failing);
  }

  public boolean isHealthy() {
    return failing.isEmpty();
  }
}

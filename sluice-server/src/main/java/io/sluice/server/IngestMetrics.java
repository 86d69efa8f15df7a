package io.sluice.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.engine.Ingest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ingest metrics: events stored ({@code sluice_ingest_events_total{bus,protocol}}), entries or
 * requests rejected by reason ({@code sluice_ingest_rejected_total{bus,protocol,reason}}) and
 * request latency ({@code sluice_ingest_request_seconds{protocol,status}}, with a histogram).
 * Meters are cached so recording costs a map lookup.
 */
final class IngestMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  IngestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void outcomes(String protocol, String bus, List<Ingest.Outcome> outcomes) {
    int stored = 0;
    for (Ingest.Outcome o : outcomes) {
      if (o instanceof Ingest.Stored) {
        stored++;
      } else if (o instanceof Ingest.Failed f) {
        rejected(protocol, bus, f.code(), 1);
      }
    }
    if (stored > 0) {
      counters
          .computeIfAbsent(
              "e|" + protocol + "|" + bus,
              k ->
                  Counter.builder("sluice.ingest.events")
                      .description("Events stored (acknowledged after fsync)")
                      .tag("protocol", protocol)
                      .tag("bus", bus)
                      .register(registry))
          .increment(stored);
    }
  }

  void rejected(String protocol, String bus, String reason, int n) {
    counters
        .computeIfAbsent(
            "r|" + protocol + "|" + bus + "|" + reason,
            k ->
                Counter.builder("sluice.ingest.rejected")
                    .description("Entries or whole requests refused, by reason code")
                    .tag("protocol", protocol)
                    .tag("bus", bus)
                    .tag("reason", reason)
                    .register(registry))
        .increment(n);
  }

  void request(String protocol, int status, long nanos) {
    timers
        .computeIfAbsent(
            protocol + "|" + status,
            k ->
                Timer.builder("sluice.ingest.request")
                    .description("Ingest request latency, from the first byte read to the response")
                    .tag("protocol", protocol)
                    .tag("status", Integer.toString(status))
                    .publishPercentileHistogram()
                    .register(registry))
        .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }
}

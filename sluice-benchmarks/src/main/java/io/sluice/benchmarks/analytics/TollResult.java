package io.sluice.benchmarks.analytics;

/**
 * What one run of the toll query measured and produced.
 *
 * @param name the runner, such as {@code flink p=1}
 * @param variant with or without the alert filter
 * @param events events read (all of the file)
 * @param answer the checksum of the rows produced
 * @param usage time, CPU and memory of the measured stretch (see {@link TollRunner#run})
 * @param latencyP50Millis result latency after the watermark passed the window end, median; NaN
 *     when the runner does not measure it
 * @param latencyP99Millis the same, 99th percentile; NaN when not measured
 * @param note what the measured stretch left out, and anything else a reader should know
 */
public record TollResult(
    String name,
    TollQuery.Variant variant,
    long events,
    TollEvents.Answer answer,
    ProcessMeter.Usage usage,
    double latencyP50Millis,
    double latencyP99Millis,
    String note) {

  public double eventsPerSecond() {
    return events / (usage.wallNanos() / 1e9);
  }

  /** Events per second of CPU time of the whole process: events/s per core. */
  public double eventsPerCoreSecond() {
    return usage.cpuNanos() <= 0 ? Double.NaN : events / (usage.cpuNanos() / 1e9);
  }
}

package io.sluice.benchmarks.analytics;

/**
 * One engine running the {@link TollQuery} over the generated events. {@link TollBenchmark} runs
 * every available runner in the same process, one after the other, and compares them.
 */
public interface TollRunner {

  /** A short name for the results table, such as {@code flink p=1}. */
  String name();

  /**
   * Runs the query once over the whole of {@code data.events()} (joined with {@code
   * data.stations()}) and returns what it measured and the checksum of what it produced. The runner
   * measures its own time and CPU: from the start of the job to its last result, leaving out
   * one-off set-up (loading the events onto a bus, compiling the query) but saying in {@link
   * TollResult#note()} what it left out.
   */
  TollResult run(TollEvents.Data data, TollQuery.Variant variant) throws Exception;
}

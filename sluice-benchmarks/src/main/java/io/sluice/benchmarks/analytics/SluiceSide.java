package io.sluice.benchmarks.analytics;

import java.util.Map;
import java.util.Optional;

/**
 * HOOK FOR THE SLUICE SIDE of {@link TollBenchmark}: return a {@link TollRunner} that loads the
 * generated events onto a bus (outside the measured time: the issue has them "already on the bus"),
 * runs the toll query with Sluice's analysis engine and feeds every result row to a {@link
 * TollChecksum}, so that {@link TollBenchmark} can check it against {@link TollEvents.Expected} and
 * against Flink, and print the ratio of events/s. {@link ProcessMeter} measures wall time, CPU
 * time, heap and RSS the same way as for Flink.
 */
public final class SluiceSide {

  private SluiceSide() {}

  /**
   * The Sluice runner, or empty while there is none. {@code args} are the benchmark's own options
   * ({@code --dir}, and any the Sluice runner wants to add).
   */
  public static Optional<TollRunner> runner(Map<String, String> args) {
    return Optional.of(new SluiceTollRunner());
  }
}

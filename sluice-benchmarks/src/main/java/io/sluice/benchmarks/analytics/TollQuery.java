package io.sluice.benchmarks.analytics;

/**
 * The toll query, the same for every engine: over {@code VehiclePassed} events from source {@code
 * tolls}, tumbling one-minute windows on {@code detail.passedAt} (event time, watermark 10 s behind
 * the largest time seen), grouped by station: {@code count(*) AS vehicles, sum(detail.amount) AS
 * revenue}, joined with the reference table {@code stations.csv} on the station for {@code
 * expected_per_minute} and {@code name}. Variant {@link Variant#ALERTS} keeps only the groups where
 * {@code vehicles > 1.5 * expected_per_minute}; {@link Variant#ALL} keeps every group, which lets
 * the output be checked (its vehicles add up to the number of events).
 *
 * <p>In Flink SQL ({@link FlinkTollPeer} runs exactly this):
 *
 * <pre>
 * SELECT w.window_start, w.window_end, w.station, w.vehicles, w.revenue,
 *        s.expected_per_minute AS expected, s.name
 * FROM (
 *   SELECT window_start, window_end, window_time, station,
 *          COUNT(*) AS vehicles, SUM(amount) AS revenue
 *   FROM TABLE(TUMBLE(TABLE passed, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
 *   GROUP BY window_start, window_end, window_time, station) AS w
 * JOIN stations FOR SYSTEM_TIME AS OF w.window_time AS s ON w.station = s.station
 * WHERE w.vehicles &gt; 1.5 * s.expected_per_minute      -- ALERTS only
 * </pre>
 */
public final class TollQuery {

  private TollQuery() {}

  /** With the alert filter, or every group. */
  public enum Variant {
    ALERTS,
    ALL;

    public static Variant parse(String s) {
      return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
    }
  }

  /** The watermark's delay behind the largest event time seen, in milliseconds. */
  public static final long WATERMARK_DELAY_MILLIS = 10_000;

  public static final long WINDOW_MILLIS = 60_000;
}

package io.sluice.benchmarks.analytics;

/**
 * An order-independent fingerprint of a toll query's result, so two engines can be compared for
 * equality without sorting or storing their rows: the number of rows, the sums of {@code vehicles}
 * and {@code revenue}, and the wrapping sum of {@link #rowHash} over the rows.
 *
 * <p>Feed it one call of {@link #add} per result row, in any order and from any thread. {@code
 * windowStartMillis} is the window's start as epoch milliseconds (UTC), {@code station} the station
 * id as written in the events ({@code S00042}).
 */
public final class TollChecksum {

  private long rows;
  private long vehicles;
  private double revenue;
  private long hash;

  /** The hash of one row: SplitMix64 over the window start, the station and the count. */
  public static long rowHash(long windowStartMillis, String station, long vehicles) {
    long h = TollEvents.mix64(windowStartMillis);
    h = TollEvents.mix64(h ^ station.hashCode());
    return TollEvents.mix64(h ^ vehicles);
  }

  public synchronized void add(
      long windowStartMillis, String station, long vehicles, double revenue) {
    rows++;
    this.vehicles += vehicles;
    this.revenue += revenue;
    hash += rowHash(windowStartMillis, station, vehicles);
  }

  public synchronized TollEvents.Answer answer() {
    return new TollEvents.Answer(rows, vehicles, revenue, hash);
  }
}

package io.sluice.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A continuous SQL query over event-time windows of one bus (config section {@code analyses}), in
 * the manner of Kinesis Data Analytics for SQL or Flink SQL's window table functions.
 *
 * <pre>{@code
 * analyses:
 *   - name: station-traffic
 *     bus: tolls
 *     pattern: {detail-type: [VehiclePassed]}     # which events feed it (default: every event)
 *     eventTime: detail.passedAt                  # default: the event's time
 *     window: {tumbling: 1m}                      # {hopping: 5m, advance: 1m} | {session: 10m, by: detail.x}
 *     watermark: {maxOutOfOrder: 10s, idleAfter: 30s}
 *     allowedLateness: 2m
 *     reference: {stations: {object: tolls/ref/stations.csv}}   # or {table: a_lake_table}
 *     key: [station]                              # result columns that name a group
 *     sql: SELECT e.detail.station AS station, count(*) AS vehicles FROM events e GROUP BY ALL
 *     emit: {bus: alerts, detail-type: Station Traffic}
 * }</pre>
 *
 * @param pattern an EventBridge pattern, or null for every event of the bus
 * @param eventTime dotted path of the event time in the event ({@code time} by default)
 * @param key result columns naming a group; empty: a row is named by all of its values
 * @param fields declared DuckDB types of {@code detail} fields (empty: inferred per window)
 * @param lateBus where events too late for every window go; null: dead letters
 * @param stateBytes most bytes of window state on disk before the analysis stops with an error
 */
public record AnalysisConfig(
    String name,
    String description,
    String bus,
    JsonNode pattern,
    String eventTime,
    Window window,
    Duration maxOutOfOrder,
    Duration idleAfter,
    Duration allowedLateness,
    Map<String, Reference> reference,
    List<String> key,
    Map<String, String> fields,
    String sql,
    String emitBus,
    String emitSource,
    String emitDetailType,
    String lateBus,
    long stateBytes) {

  public static final Duration MIN_WINDOW = Duration.ofMillis(100);
  public static final Duration MAX_WINDOW = Duration.ofDays(31);
  public static final Duration MAX_OUT_OF_ORDER = Duration.ofDays(1);
  public static final Duration MAX_LATENESS = Duration.ofDays(7);
  public static final int MAX_WINDOWS_PER_EVENT = 100;
  public static final String DEFAULT_SOURCE = "sluice.analyses";
  public static final String DEFAULT_DETAIL_TYPE = "Analysis Result";
  public static final long DEFAULT_STATE_BYTES = 1L << 30;

  public AnalysisConfig {
    reference = Map.copyOf(reference);
    key = List.copyOf(key);
    fields = Map.copyOf(fields);
  }

  /** How events are grouped into windows by event time. */
  public sealed interface Window permits Tumbling, Hopping, Session {}

  /** Fixed windows {@code [k*size, (k+1)*size)}, aligned to the epoch (UTC). */
  public record Tumbling(Duration size) implements Window {}

  /** Windows of {@code size} starting every {@code advance} (size a multiple of advance). */
  public record Hopping(Duration size, Duration advance) implements Window {}

  /**
   * Windows that end {@code gap} after their last event, one series per value of {@code by} (a
   * dotted path; null: all events form one series).
   */
  public record Session(Duration gap, String by) implements Window {}

  /** A table joinable by name: an object in the object store, or a lake table. */
  public record Reference(String bucket, String key, String table) {
    public boolean isObject() {
      return table == null;
    }
  }
}

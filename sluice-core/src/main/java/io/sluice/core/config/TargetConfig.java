package io.sluice.core.config;

import io.sluice.core.transform.Transform;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One target of a rule: where matched events go and how delivery behaves.
 *
 * @param id unique within the rule
 * @param spec the kind of target and its settings
 * @param transform input transformer or jq, {@link Transform#IDENTITY} when none
 * @param concurrency deliveries in flight at once
 * @param rateLimit deliveries per second, 0 for no limit
 * @param timeout one delivery attempt's limit
 * @param ordered FIFO per group key: a failing event holds back only later events of its group
 * @param batch for http: several events per request as a JSON array; {@code null} for one each
 */
public record TargetConfig(
    String id,
    TargetSpec spec,
    Transform transform,
    int concurrency,
    double rateLimit,
    Duration timeout,
    RetryConfig retry,
    boolean ordered,
    BatchConfig batch) {

  /** The kinds of target. */
  public sealed interface TargetSpec
      permits BusTarget, HttpTarget, FileTarget, LogTarget, LakeTarget, ValidateTarget {
    String kind();
  }

  /** Forward to another bus (the transformed result must be an event). */
  public record BusTarget(String bus) implements TargetSpec {
    @Override
    public String kind() {
      return "bus";
    }
  }

  /**
   * POST (or another method) the event, or the transformed result, to a URL. Header values may use
   * {@code ${env:NAME}}, resolved when the target starts.
   */
  public record HttpTarget(String url, String method, Map<String, String> headers)
      implements TargetSpec {
    @Override
    public String kind() {
      return "http";
    }
  }

  /** Append NDJSON lines to files in a directory, rolled by size and age. */
  public record FileTarget(Path dir, long rollBytes, Duration rollInterval) implements TargetSpec {
    @Override
    public String kind() {
      return "file";
    }
  }

  /** Log each event at INFO (logger {@code sluice.target.<rule>.<id>}). */
  public record LogTarget() implements TargetSpec {
    @Override
    public String kind() {
      return "log";
    }
  }

  /**
   * Write events into a lake table as Parquet: buffered, flushed when {@code bufferBytes} or {@code
   * bufferInterval} is reached, into Hive-style partitions, exactly once.
   *
   * @param compression zstd, snappy, gzip or uncompressed
   */
  public record LakeTarget(
      String table,
      long bufferBytes,
      Duration bufferInterval,
      java.util.List<io.sluice.core.lake.PartitionKey> partitionBy,
      String compression)
      implements TargetSpec {
    @Override
    public String kind() {
      return "lake";
    }
  }

  /**
   * Validate the object an {@code Object Created} event names: valid rows to {@code
   * processedPrefix} (and the lake table, if set), invalid ones with their reasons to {@code
   * rejectedPrefix}, in the same bucket and format.
   *
   * @param format csv, ndjson, or json (one JSON array of records)
   * @param schema column rules (csv; ndjson unless {@code jsonSchema} is given), or null
   * @param jsonSchema a JSON Schema (draft 2020-12 unless it names another) each record must
   *     satisfy (json and ndjson), or null
   */
  public record ValidateTarget(
      String format,
      io.sluice.core.lake.FileSchema schema,
      String processedPrefix,
      String rejectedPrefix,
      String table,
      long maxLineBytes,
      com.fasterxml.jackson.databind.JsonNode jsonSchema)
      implements TargetSpec {
    @Override
    public String kind() {
      return "validate";
    }
  }

  /**
   * Retries: exponential backoff from {@code initialBackoff} doubling to {@code maxBackoff}, with
   * jitter; give up (dead letter) after {@code maxAttempts} attempts in all or {@code maxAge} since
   * the first. Defaults as EventBridge: 185 attempts, 24 hours.
   */
  public record RetryConfig(
      int maxAttempts, Duration maxAge, Duration initialBackoff, Duration maxBackoff) {
    public static final RetryConfig DEFAULTS =
        new RetryConfig(185, Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofMinutes(5));
  }

  /** Up to {@code size} events per request, waiting at most {@code interval} to fill one. */
  public record BatchConfig(int size, Duration interval) {}
}

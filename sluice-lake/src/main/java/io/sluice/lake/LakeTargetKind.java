package io.sluice.lake;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.config.Durations;
import io.sluice.core.kinds.ReadContext;
import io.sluice.core.kinds.Schemas;
import io.sluice.core.kinds.TargetContext;
import io.sluice.core.kinds.TargetKind;
import io.sluice.core.targets.Sender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code lake: {table, buffer, partitionBy, compression}}: matched events into a lake table. One
 * writer per target writes each bus partition in order, so {@code ordered}, {@code concurrency} and
 * {@code rateLimit} do not apply.
 */
final class LakeTargetKind implements TargetKind<LakeTarget> {

  static final String NAME = "lake";

  private final Lake lake;

  /**
   * @param lake the running lake, or {@code null} where config is only read (validate, schema)
   */
  LakeTargetKind(Lake lake) {
    this.lake = lake;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Class<LakeTarget> specType() {
    return LakeTarget.class;
  }

  @Override
  public String singleWriter() {
    return "it writes each bus partition in order with one writer and flushes by its buffer"
        + " settings";
  }

  @Override
  public LakeTarget read(ConfigNode n, ReadContext context) {
    if (!n.isObject(true, "a mapping with table, buffer, partitionBy, compression")) {
      return null;
    }
    n.allowOnly("table", "buffer", "partitionBy", "compression");
    String table = n.field("table").matching(null, Lake.TABLE_NAME, Lake.TABLE_NAME_EXPECTED);
    if (table == null && n.field("table").isMissing()) {
      n.field("table").problem("is required: the lake table to write");
    }
    long bytes = 8L << 20;
    Duration interval = Duration.ofSeconds(60);
    ConfigNode b = n.field("buffer");
    if (b.isObject(false, "a mapping with size and interval")) {
      b.allowOnly("size", "interval");
      bytes = b.field("size").bytes(bytes, 1024, 1L << 30);
      interval = b.field("interval").duration(interval);
      if (interval.compareTo(Duration.ofSeconds(1)) < 0
          || interval.compareTo(Duration.ofMinutes(15)) > 0) {
        b.field("interval")
            .problem("expected a duration from 1s to 15m, got " + Durations.format(interval));
      }
    }
    List<PartitionKey> keys = new ArrayList<>();
    ConfigNode pb = n.field("partitionBy");
    if (!pb.isMissing()) {
      List<ConfigNode> items = pb.list(false, "a list of keys like dt=${time:yyyy-MM-dd}");
      if (items != null) {
        if (items.size() > 8) {
          pb.problem("expected at most 8 partition keys, got " + items.size());
        }
        Set<String> names = new HashSet<>();
        for (ConfigNode item : items) {
          String spec = item.string(null);
          if (spec == null) {
            continue;
          }
          PartitionKey key = PartitionKey.compile(spec, item.path(), item.problems());
          if (key != null && !names.add(key.name())) {
            item.problem("names partition key " + key.name() + " twice");
          } else if (key != null) {
            keys.add(key);
          }
        }
      }
    }
    String compression =
        n.field("compression").oneOf("zstd", "zstd", "snappy", "gzip", "uncompressed");
    return new LakeTarget(table, bytes, interval, List.copyOf(keys), compression);
  }

  @Override
  public ObjectNode schema() {
    return Schemas.resource(LakeTargetKind.class, "lake.schema.json");
  }

  @Override
  public Sender sender(LakeTarget spec, TargetContext context) {
    return context
        .require(lake, "the lake")
        .lakeSender(context.bus(), context.rule(), context.target());
  }
}

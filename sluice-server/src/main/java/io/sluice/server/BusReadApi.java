package io.sluice.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.config.BusConfig;
import io.sluice.core.config.ByteSizes;
import io.sluice.core.config.Durations;
import io.sluice.engine.BusCursor;
import io.sluice.engine.Buses;
import io.sluice.engine.ReadPage;
import io.sluice.engine.StoredEvent;
import io.sluice.log.LogInfo;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /buses} and {@code GET /buses/{bus}}: the buses, each with its config (retention in
 * the config's short form, {@code 7d}; {@code fsync} {@code always} or {@code interval} with its
 * {@code fsyncInterval}; {@code deduplicate}, the window, or null) and, per partition, the oldest
 * retained offset ({@code startOffset}), the offset the next event gets ({@code endOffset}), bytes
 * on disk and segment files:
 *
 * <pre>{@code
 * {"buses":[{"name":"orders","events":12,"sizeBytes":4096,"retention":"7d","retentionBytes":null,
 *   "fsync":"always","fsyncInterval":null,"deduplicate":null,
 *   "partitions":[{"partition":0,"startOffset":0,"endOffset":12,"sizeBytes":4096,"segments":1}]}]}
 * }</pre>
 *
 * <p>{@code GET /buses/{bus}/events?from=0&limit=N[&cursor=C]}: reads a bus across all partitions.
 * Response {@code {"events":[{"partition":p,"offset":o,"event":{…}}],"next":"C"}}. {@code from} is
 * an offset (the same in every partition), {@code earliest}, {@code latest} or an ISO-8601 time;
 * {@code cursor} (the {@code next} of an earlier response) continues where that one ended and wins
 * over {@code from}. An empty {@code events} means the end for now; the same {@code next} returns
 * later events once they arrive. A damaged batch (bit rot) is read around: {@code "corrupt":
 * [{"partition","fromOffset","toOffset","message"}]} names the records that cannot be read, and
 * {@code next} is past them.
 */
final class BusReadApi implements Api {

  static final int DEFAULT_LIMIT = 100;

  private final Buses buses;
  private final ApiKeys keys;

  BusReadApi(Buses buses, ApiKeys keys) {
    this.buses = buses;
    this.keys = keys;
  }

  @Override
  public void mount(RoutesConfig routes) {
    routes.get("/buses", this::list);
    routes.get("/buses/{bus}", this::describe);
    routes.get("/buses/{bus}/events", this::get);
  }

  void list(Context ctx) {
    keys.require(ctx, "read");
    var out = Json.MAPPER.createObjectNode();
    var arr = out.putArray("buses");
    for (String name : buses.names()) {
      arr.add(describe(name));
    }
    ctx.json(out);
  }

  void describe(Context ctx) {
    keys.require(ctx, "read");
    ctx.json(describe(ctx.pathParam("bus")));
  }

  /** One bus as {@code GET /buses} shows it; 404 for an unknown bus. */
  private ObjectNode describe(String bus) {
    BusConfig c = buses.config(bus);
    LogInfo info = buses.info(bus);
    ObjectNode b = Json.MAPPER.createObjectNode();
    b.put("name", c.name());
    b.put("events", info.records());
    b.put("sizeBytes", info.sizeBytes());
    b.put("retention", Durations.format(c.retention()));
    b.put("retentionBytes", c.retentionBytes() < 0 ? null : ByteSizes.format(c.retentionBytes()));
    b.put("fsync", c.fsync());
    b.put(
        "fsyncInterval", c.fsync().equals("interval") ? Durations.format(c.fsyncInterval()) : null);
    b.put("deduplicate", c.deduplicates() ? Durations.format(c.deduplicate()) : null);
    var parts = b.putArray("partitions");
    for (LogInfo.PartitionInfo p : info.partitions()) {
      parts
          .addObject()
          .put("partition", p.partition())
          .put("startOffset", p.startOffset())
          .put("endOffset", p.endOffset())
          .put("sizeBytes", p.sizeBytes())
          .put("segments", p.segments());
    }
    return b;
  }

  void get(Context ctx) {
    keys.require(ctx, "read");
    String bus = ctx.pathParam("bus");
    int limit = DEFAULT_LIMIT;
    String l = QueryParams.get(ctx, "limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        throw new InvalidInputException(
            InvalidInputException.INVALID_ARGUMENT,
            Problem.of(
                "/limit",
                "expected an integer 1.." + Buses.MAX_READ_LIMIT + ", got " + Problem.render(l),
                Problem.render(l)));
      }
    }
    String cursor = QueryParams.get(ctx, "cursor");
    BusCursor at =
        cursor != null && !cursor.isEmpty()
            ? BusCursor.parse(cursor)
            : buses.position(bus, QueryParams.get(ctx, "from"));
    ReadPage page = buses.read(bus, at, limit);
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + page.events().size() * 600);
    out.writeBytes("{\"events\":[".getBytes(StandardCharsets.UTF_8));
    boolean first = true;
    for (StoredEvent e : page.events()) {
      if (!first) {
        out.write(',');
      }
      first = false;
      out.writeBytes(
          ("{\"partition\":" + e.partition() + ",\"offset\":" + e.offset() + ",\"event\":")
              .getBytes(StandardCharsets.UTF_8));
      out.writeBytes(e.json());
      out.write('}');
    }
    out.writeBytes(("],\"next\":\"" + page.next().token() + "\"").getBytes(StandardCharsets.UTF_8));
    if (!page.corrupt().isEmpty()) {
      // records the read went around: named, never left out silently
      var arr = io.sluice.core.Json.MAPPER.createArrayNode();
      for (io.sluice.log.CorruptRange c : page.corrupt()) {
        arr.addObject()
            .put("partition", c.partition())
            .put("fromOffset", c.fromOffset())
            .put("toOffset", c.toOffset())
            .put("message", c.describe());
      }
      out.writeBytes((",\"corrupt\":" + arr).getBytes(StandardCharsets.UTF_8));
    }
    out.write('}');
    ctx.status(200).contentType("application/json").result(out.toByteArray());
  }
}

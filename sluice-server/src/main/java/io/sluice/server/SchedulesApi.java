package io.sluice.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.sluice.core.Json;
import io.sluice.engine.schedules.Scheduler;
import java.time.Instant;

/**
 * The schedules over HTTP.
 *
 * <ul>
 *   <li>{@code GET /schedules} → {@code {"schedules":[{"name","expression","timezone","bus","state"
 *       (ENABLED, DISABLED or COMPLETED),"nextSlot","nextFire","lastSlot","lastFiredAt","fired",
 *       "missed"}]}}, times ISO-8601 UTC or null ({@code read}).
 *   <li>{@code POST /schedules/{name}/fire} → 200 {@code {"id","partition","offset","time"}}: puts
 *       the schedule's event on its bus now, with its own id; it consumes no slot. It writes to the
 *       schedule's bus, so it needs {@code ingest:<bus>} (or {@code ingest:*}, {@code admin}); an
 *       unknown schedule is 404 {@code NOT_FOUND} naming the configured ones (asked with {@code
 *       read}).
 * </ul>
 */
final class SchedulesApi implements Api {

  private final Scheduler scheduler;
  private final ApiKeys keys;

  SchedulesApi(Scheduler scheduler, ApiKeys keys) {
    this.scheduler = scheduler;
    this.keys = keys;
  }

  @Override
  public void mount(RoutesConfig routes) {
    routes.get("/schedules", this::list);
    routes.post("/schedules/{name}/fire", this::fire);
  }

  void list(Context ctx) {
    keys.require(ctx, "read");
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode arr = out.putArray("schedules");
    for (Scheduler.Info i : scheduler.list()) {
      ObjectNode s = arr.addObject();
      s.put("name", i.name());
      s.put("expression", i.expression());
      s.put("timezone", i.timezone());
      s.put("bus", i.bus());
      s.put("state", i.state());
      s.put("nextSlot", text(i.nextSlot()));
      s.put("nextFire", text(i.nextFire()));
      s.put("lastSlot", text(i.lastSlot()));
      s.put("lastFiredAt", text(i.lastFiredAt()));
      s.put("fired", i.fired());
      s.put("missed", i.missed());
    }
    AdminApi.json(ctx, 200, out);
  }

  void fire(Context ctx) {
    String name = ctx.pathParam("name");
    Scheduler.Info info =
        scheduler.list().stream().filter(i -> i.name().equals(name)).findFirst().orElse(null);
    if (info == null) {
      keys.require(ctx, "read");
      throw scheduler.notFound(name);
    }
    keys.require(ctx, "ingest:" + info.bus());
    Scheduler.Fired f = scheduler.fire(name);
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("id", f.id());
    out.put("partition", f.partition());
    out.put("offset", f.offset());
    out.put("time", f.time().toString());
    AdminApi.json(ctx, 200, out);
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }
}

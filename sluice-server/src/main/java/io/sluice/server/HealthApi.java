package io.sluice.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.core.Json;
import io.sluice.engine.Health;
import io.sluice.log.EventLog;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Health and metrics: {@code GET /health/live} (the process answers), {@code GET /health/ready}
 * (200 while serving with no failing part; 503 naming the failing parts, with their errors for a
 * caller holding {@code read}, or while starting or shutting down), {@code GET /health} ({@code
 * UP}, {@code DEGRADED} while the log reports something it worked around, {@code DOWN} while a part
 * is failing; read scope) and {@code GET /metrics} (Prometheus text; read scope).
 */
final class HealthApi implements Api {

  private final Health health;
  private final EventLog log;
  private final Supplier<List<String>> buses;
  private final PrometheusMeterRegistry meters;
  private final ApiKeys keys;
  private final Supplier<String> notServing;

  /**
   * @param buses the bus names readiness lists
   * @param notServing why the server does not serve ("starting", "shutting down"), or null
   */
  HealthApi(
      Health health,
      EventLog log,
      Supplier<List<String>> buses,
      PrometheusMeterRegistry meters,
      ApiKeys keys,
      Supplier<String> notServing) {
    this.health = health;
    this.log = log;
    this.buses = buses;
    this.meters = meters;
    this.keys = keys;
    this.notServing = notServing;
  }

  @Override
  public void mount(RoutesConfig routes) {
    routes.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
    routes.get("/health/ready", this::readiness);
    routes.get(
        "/health",
        ctx -> {
          keys.require(ctx, "read");
          health(ctx);
        });
    routes.get(
        "/metrics",
        ctx -> {
          keys.require(ctx, "read");
          ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(meters.scrape());
        });
  }

  private void failing(ObjectNode out, Map<String, Health.Failure> failing) {
    ObjectNode parts = out.putObject("failing");
    failing.forEach(
        (k, f) ->
            parts
                .putObject(k)
                .put("error", f.error())
                .put("since", f.since().toString())
                .put("attempts", f.count()));
  }

  private void readiness(Context ctx) {
    String not = notServing.get();
    var failing = health.failing();
    if (not == null && !failing.isEmpty()) {
      // a part is failing (and retrying): not ready, and say which and why
      ObjectNode out = Json.MAPPER.createObjectNode();
      out.put("status", "DOWN");
      out.put("reason", "failing: " + String.join(", ", failing.keySet()));
      if (keys.allows(ctx, "read")) {
        failing(out, failing); // the errors (paths, messages) only for callers who may read
      }
      ctx.status(503).contentType("application/json").result(out.toString());
    } else if (not == null) {
      ctx.json(Map.of("status", "UP", "buses", buses.get()));
    } else {
      ctx.status(503).json(Map.of("status", "DOWN", "reason", not));
    }
  }

  /**
   * {@code {"status":"UP"|"DEGRADED"|"DOWN","ready":…,"failing":{…},"incidents":[…]}}; DEGRADED
   * while the log reports something it found wrong and worked around (a damaged cursor resumed from
   * an earlier point, a corrupt batch read around), each with its time, log, kind and what was
   * done.
   */
  private void health(Context ctx) {
    var incidents = log.incidents();
    var failing = health.failing();
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("status", !failing.isEmpty() ? "DOWN" : incidents.isEmpty() ? "UP" : "DEGRADED");
    out.put("ready", notServing.get() == null && failing.isEmpty());
    failing(out, failing);
    var arr = out.putArray("incidents");
    for (var i : incidents) {
      arr.addObject()
          .put("time", i.time().toString())
          .put("component", "log")
          .put("log", i.log())
          .put("kind", i.kind())
          .put("message", i.message());
    }
    ctx.contentType("application/json").result(out.toString());
  }
}

package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.sluice.core.Json;
import io.sluice.core.config.ReportConfig;
import io.sluice.notify.reports.ReportRun;
import io.sluice.notify.reports.Reports;
import io.sluice.notify.reports.SectionResult;

/**
 * Reports over HTTP.
 *
 * <ul>
 *   <li>{@code GET /reports} → {@code {"reports":[{"name","title","schedule","formats","bucket",
 *       "bus","sections","email"}]}} ({@code read}).
 *   <li>{@code POST /reports/{name}/run} with an optional body, the event whose fields fill the
 *       templates ({@code {"detail":{…}}}) → 200 {@code {"report","title","time","status",
 *       "bucket","keys","sections":[{"title","error"}],"errors"}} when the report was stored
 *       ({@code ok} or {@code partial}), 500 with the same body when it could not be ({@code
 *       failed}), 404 for a report that is not declared. Needs {@code objects:write} and {@code
 *       ingest:<the report's bus>}: a run writes objects and puts its event on that bus.
 * </ul>
 */
final class ReportsApi implements Api {

  private final Reports reports;
  private final ApiKeys keys;

  ReportsApi(Reports reports, ApiKeys keys) {
    this.reports = reports;
    this.keys = keys;
  }

  @Override
  public void mount(RoutesConfig routes) {
    routes.get("/reports", this::list);
    routes.post("/reports/{name}/run", this::run);
  }

  void list(Context ctx) {
    keys.require(ctx, "read");
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode arr = out.putArray("reports");
    for (ReportConfig r : reports.list()) {
      ObjectNode o = arr.addObject();
      o.put("name", r.name());
      o.put("title", r.title());
      o.put("schedule", r.schedule());
      o.set("formats", Json.MAPPER.valueToTree(r.formats()));
      o.put("bucket", r.bucket());
      o.put("bus", r.bus());
      o.put("sections", r.sections().size());
      o.set("email", r.email() == null ? null : Json.MAPPER.valueToTree(r.email().to()));
    }
    AdminApi.json(ctx, 200, out);
  }

  void run(Context ctx) {
    keys.require(ctx, "objects:write");
    String name = ctx.pathParam("name");
    // an unknown report is a 404 before the body is read; a run also puts its event on the
    // report's bus, so it needs ingest on that bus too (as firing a schedule does)
    keys.require(ctx, "ingest:" + reports.require(name).bus());
    JsonNode event = ctx.body().isBlank() ? Json.MAPPER.createObjectNode() : AdminApi.body(ctx);
    ReportRun run = reports.run(name, event);
    AdminApi.json(ctx, run.status().equals(ReportRun.FAILED) ? 500 : 200, describe(run));
  }

  static ObjectNode describe(ReportRun run) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("report", run.report());
    o.put("title", run.title());
    o.put("time", run.time().toString());
    o.put("status", run.status());
    o.put("bucket", run.bucket());
    o.set("keys", Json.MAPPER.valueToTree(run.keys()));
    ArrayNode sections = o.putArray("sections");
    for (SectionResult s : run.sections()) {
      ObjectNode j = sections.addObject();
      j.put("title", s.title());
      if (s.error() != null) {
        j.put("error", s.error());
      } else if (s.isTable()) {
        j.put("rows", s.rows().size());
      }
    }
    o.set("errors", Json.MAPPER.valueToTree(run.errors()));
    return o;
  }
}

package io.sluice.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.sluice.core.Json;
import io.sluice.core.config.AlarmConfig;
import io.sluice.core.config.Durations;
import io.sluice.engine.alarms.Alarms;
import java.util.TreeMap;

/**
 * The alarms over HTTP ({@code read} scope).
 *
 * <ul>
 *   <li>{@code GET /alarms} → {@code {"alarms":[{"name","state","reason","since","lastEvaluation",
 *       "observed","metric","labels","statistic","period","threshold","evaluationPeriods",
 *       "datapointsToAlarm","bus"}]}}: {@code state} is OK, ALARM or INSUFFICIENT_DATA, {@code
 *       since} when it entered it, {@code observed} the latest datapoint ({@code null}: no data or
 *       not evaluated yet), {@code lastEvaluation} {@code null} before the first period ended.
 * </ul>
 */
final class AlarmsApi implements Api {

  private final Alarms alarms;
  private final ApiKeys keys;

  AlarmsApi(Alarms alarms, ApiKeys keys) {
    this.alarms = alarms;
    this.keys = keys;
  }

  @Override
  public void mount(RoutesConfig routes) {
    routes.get("/alarms", this::list);
  }

  void list(Context ctx) {
    keys.require(ctx, "read");
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode arr = out.putArray("alarms");
    for (Alarms.Info i : alarms.list()) {
      AlarmConfig c = i.config();
      ObjectNode a = arr.addObject();
      a.put("name", c.name());
      a.put("state", i.state().value().name());
      a.put("reason", i.state().reason());
      a.put("since", i.state().timestamp().toString());
      a.put("lastEvaluation", i.lastEvaluation() == null ? null : i.lastEvaluation().toString());
      if (i.observed() == null) {
        a.putNull("observed");
      } else {
        a.put("observed", i.observed());
      }
      a.put("metric", c.metric());
      ObjectNode labels = a.putObject("labels");
      new TreeMap<>(c.labels()).forEach(labels::put);
      a.put("statistic", c.statistic().key());
      a.put("period", Durations.format(c.period()));
      a.set("threshold", Alarms.threshold(c));
      a.put("evaluationPeriods", c.evaluationPeriods());
      a.put("datapointsToAlarm", c.datapointsToAlarm());
      a.put("bus", c.bus());
    }
    AdminApi.json(ctx, 200, out);
  }
}

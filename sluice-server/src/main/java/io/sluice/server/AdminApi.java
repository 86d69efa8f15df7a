package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.sluice.core.EventCodec;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.engine.DeadLetters;
import io.sluice.engine.Replays;
import io.sluice.engine.Routing;
import io.sluice.engine.RuleCatalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Rules, delivery statistics, dead letters and replays over HTTP.
 *
 * <pre>
 * GET    /buses/{bus}/rules                     {"rules":[…]}                       read
 * GET    /buses/{bus}/rules/{name}              the rule                             read
 * PUT    /buses/{bus}/rules/{name}              create or replace (API rules)        admin
 * DELETE /buses/{bus}/rules/{name}              204                                  admin
 * POST   /buses/{bus}/rules/{name}/enable|disable                                    admin
 * GET    /stats/targets          {"targets":[{bus,rule,target,…}]}, by bus, rule, target   read
 * GET    /dead-letters?limit&amp;cursor&amp;bus&amp;rule&amp;target  {"deadLetters":[…],"next"}    read
 * POST   /dead-letters/redrive  {bus?,rule?,target?}  {"redriven":n}                  admin
 * DELETE /dead-letters?bus&amp;rule&amp;target          {"purged":n}                        admin
 * POST   /replays  {name?,bus,from,to,rule?,target?}  202 the replay                 admin
 * GET    /replays, /replays/{name}                                                   read
 * </pre>
 */
final class AdminApi implements Api {

  private final RuleCatalog rules;
  private final Routing routing;
  private final ApiKeys keys;

  AdminApi(RuleCatalog rules, Routing routing, ApiKeys keys) {
    this.rules = rules;
    this.routing = routing;
    this.keys = keys;
  }

  @Override
  public void mount(RoutesConfig routes) {
    routes.get("/buses/{bus}/rules", this::listRules);
    routes.get("/buses/{bus}/rules/{name}", this::getRule);
    routes.put("/buses/{bus}/rules/{name}", this::putRule);
    routes.delete("/buses/{bus}/rules/{name}", this::deleteRule);
    routes.post("/buses/{bus}/rules/{name}/enable", this::enable);
    routes.post("/buses/{bus}/rules/{name}/disable", this::disable);
    routes.get("/stats/targets", this::stats);
    routes.get("/dead-letters", this::listDeadLetters);
    routes.post("/dead-letters/redrive", this::redrive);
    routes.delete("/dead-letters", this::purge);
    routes.post("/replays", this::startReplay);
    routes.get("/replays", this::listReplays);
    routes.get("/replays/{name}", this::getReplay);
  }

  private RuleCatalog rules() {
    return rules;
  }

  static JsonNode body(Context ctx) {
    byte[] b = ctx.bodyAsBytes();
    if (b.length == 0) {
      throw new InvalidInputException(
          InvalidInputException.MALFORMED_JSON,
          Problem.of("", "expected a JSON body, got an empty body"));
    }
    try {
      return Json.MAPPER.readTree(b);
    } catch (IOException | NumberFormatException e) {
      throw new InvalidInputException(
          InvalidInputException.MALFORMED_JSON,
          Problem.of("", "malformed JSON: " + e.getMessage().lines().findFirst().orElse("")));
    }
  }

  static void json(Context ctx, int status, JsonNode n) {
    HttpErrors.writeJson(ctx, status, n.toString().getBytes(StandardCharsets.UTF_8));
  }

  void listRules(Context ctx) {
    keys.require(ctx, "read");
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode arr = out.putArray("rules");
    for (RuleCatalog.RuleView v : rules().list(ctx.pathParam("bus"))) {
      arr.add(v.json());
    }
    json(ctx, 200, out);
  }

  void getRule(Context ctx) {
    keys.require(ctx, "read");
    json(ctx, 200, rules().get(ctx.pathParam("bus"), ctx.pathParam("name")).json());
  }

  void putRule(Context ctx) {
    keys.require(ctx, "admin");
    String bus = ctx.pathParam("bus");
    String name = ctx.pathParam("name");
    boolean existed = rules().list(bus).stream().anyMatch(v -> v.rule().name().equals(name));
    json(ctx, existed ? 200 : 201, rules().put(bus, name, body(ctx)).json());
  }

  void deleteRule(Context ctx) {
    keys.require(ctx, "admin");
    rules().delete(ctx.pathParam("bus"), ctx.pathParam("name"));
    ctx.status(204);
  }

  void enable(Context ctx) {
    keys.require(ctx, "admin");
    json(ctx, 200, rules().setEnabled(ctx.pathParam("bus"), ctx.pathParam("name"), true).json());
  }

  void disable(Context ctx) {
    keys.require(ctx, "admin");
    json(ctx, 200, rules().setEnabled(ctx.pathParam("bus"), ctx.pathParam("name"), false).json());
  }

  void stats(Context ctx) {
    keys.require(ctx, "read");
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode arr = out.putArray("targets");
    for (Routing.TargetStats s : routing.stats()) {
      ObjectNode n = arr.addObject();
      n.put("bus", s.bus());
      n.put("rule", s.rule());
      n.put("target", s.target());
      n.put("kind", s.kind());
      n.put("matched", s.matched());
      n.put("delivered", s.delivered());
      n.put("errors", s.errors());
      n.put("failed", s.failed());
      n.put("retried", s.retried());
      n.put("deadLettered", s.deadLettered());
      n.put("skipped", s.skipped());
      n.put("lagEvents", s.lagEvents());
      n.put("lagSeconds", s.lagSeconds());
      n.put("openDeadLetters", s.openDeadLetters());
    }
    json(ctx, 200, out);
  }

  private static DeadLetters.Filter filter(String bus, String rule, String target) {
    return new DeadLetters.Filter(blankToNull(bus), blankToNull(rule), blankToNull(target));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  void listDeadLetters(Context ctx) {
    keys.require(ctx, "read");
    int limit = intParam(ctx, "limit", 100, 1, 1000);
    long from = 0;
    String cursor = QueryParams.get(ctx, "cursor");
    if (cursor != null && !cursor.isEmpty()) {
      try {
        from = Long.parseLong(cursor);
        if (from < 0) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new InvalidInputException(
            InvalidInputException.INVALID_ARGUMENT,
            Problem.of(
                "/cursor",
                "expected a cursor returned as \"next\" by an earlier page, got "
                    + Problem.render(cursor),
                Problem.render(cursor)));
      }
    }
    DeadLetters.Page page =
        routing
            .deadLetters()
            .list(
                filter(
                    QueryParams.get(ctx, "bus"),
                    QueryParams.get(ctx, "rule"),
                    QueryParams.get(ctx, "target")),
                from,
                limit);
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode arr = out.putArray("deadLetters");
    for (JsonNode d : page.deadLetters()) {
      ObjectNode n = arr.addObject();
      n.put("id", d.path("id").asText());
      n.put("bus", d.path("bus").asText());
      n.put("partition", d.path("partition").asInt());
      n.put("offset", d.path("offset").asLong());
      if (d.path("invalid").asBoolean(false)) {
        // a stored record that is not an event: its text, as it is on the bus
        n.put("invalid", true);
        n.put("record", d.path("record").asText());
      }
      n.set("event", d.path("event"));
      n.put("rule", d.path("rule").asText());
      n.put("target", d.path("target").asText());
      n.put("error", d.path("error").asText());
      n.put("attempts", d.path("attempts").asInt());
      n.put(
          "firstAttempt",
          EventCodec.formatTime(Instant.ofEpochMilli(d.path("firstAttempt").asLong())));
      n.put(
          "deadLetteredAt",
          EventCodec.formatTime(Instant.ofEpochMilli(d.path("deadLetteredAt").asLong())));
      if (d.hasNonNull("replay")) {
        n.put("replay", d.get("replay").asText());
      }
    }
    if (page.next() >= 0) {
      out.put("next", Long.toString(page.next()));
    } else {
      out.putNull("next");
    }
    json(ctx, 200, out);
  }

  void redrive(Context ctx) {
    keys.require(ctx, "admin");
    JsonNode b = ctx.bodyAsBytes().length == 0 ? Json.MAPPER.createObjectNode() : body(ctx);
    int n = routing.redrive(filter(text(b, "bus"), text(b, "rule"), text(b, "target")));
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("redriven", n);
    json(ctx, 200, out);
  }

  void purge(Context ctx) {
    keys.require(ctx, "admin");
    int n =
        routing
            .deadLetters()
            .purge(
                filter(
                    QueryParams.get(ctx, "bus"),
                    QueryParams.get(ctx, "rule"),
                    QueryParams.get(ctx, "target")));
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("purged", n);
    json(ctx, 200, out);
  }

  private static String text(JsonNode b, String field) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of("/" + field, "expected a string, got " + Json.describe(v)));
    }
    return v.asText();
  }

  void startReplay(Context ctx) {
    keys.require(ctx, "admin");
    JsonNode b = body(ctx);
    Replays.Status s =
        routing
            .replays()
            .start(
                new Replays.Spec(
                    text(b, "name"),
                    text(b, "bus"),
                    time(b, "from"),
                    time(b, "to"),
                    text(b, "rule"),
                    text(b, "target")));
    json(ctx, 202, replay(s));
  }

  private static Instant time(JsonNode b, String field) {
    String s = text(b, field);
    if (s == null) {
      return null;
    }
    Instant t = EventCodec.parseTime(s);
    if (t == null) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of(
              "/" + field,
              "expected an ISO-8601 time like 2026-11-23T10:00:00Z, got " + Problem.render(s),
              Problem.render(s)));
    }
    return t;
  }

  void getReplay(Context ctx) {
    keys.require(ctx, "read");
    json(ctx, 200, replay(routing.replays().get(ctx.pathParam("name"))));
  }

  void listReplays(Context ctx) {
    keys.require(ctx, "read");
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode arr = out.putArray("replays");
    for (Replays.Status s : routing.replays().list()) {
      arr.add(replay(s));
    }
    json(ctx, 200, out);
  }

  static ObjectNode replay(Replays.Status s) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("name", s.spec().name());
    n.put("bus", s.spec().bus());
    n.put("from", EventCodec.formatTime(s.spec().from()));
    n.put("to", EventCodec.formatTime(s.spec().to()));
    n.put("rule", s.spec().rule());
    n.put("target", s.spec().target());
    n.put("state", s.state());
    n.put("matched", s.matched());
    n.put("settled", s.settled());
    n.put("startedAt", EventCodec.formatTime(s.startedAt()));
    n.put("finishedAt", s.finishedAt() == null ? null : EventCodec.formatTime(s.finishedAt()));
    n.put("error", s.error());
    return n;
  }

  static int intParam(Context ctx, String name, int def, int min, int max) {
    String v = QueryParams.get(ctx, name);
    if (v == null || v.isEmpty()) {
      return def;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of(
              "/" + name,
              "expected an integer " + min + ".." + max + ", got " + Problem.render(v),
              Problem.render(v)));
    }
  }
}

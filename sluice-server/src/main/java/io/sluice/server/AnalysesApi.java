package io.sluice.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.sluice.analyses.Analyses;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;

/**
 * The analyses over HTTP ({@code read}).
 *
 * <ul>
 *   <li>{@code GET /analyses} → {@code {"analyses":[{"name","bus","window","emit","watermark",
 *       "openWindows","windowsInState","lag","eventsIn","late","refused","results","lastEmitted",
 *       "stateBytes","error"}]}}: the watermark is ISO-8601 UTC or null before any event; {@code
 *       lag} is the bus's events not yet read.
 *   <li>{@code GET /analyses/{name}} → one of them; an unknown name is 404 {@code NOT_FOUND} naming
 *       the configured ones.
 * </ul>
 */
final class AnalysesApi implements Api {

  private final Analyses analyses;
  private final ApiKeys keys;

  AnalysesApi(Analyses analyses, ApiKeys keys) {
    this.analyses = analyses;
    this.keys = keys;
  }

  @Override
  public void mount(RoutesConfig routes) {
    routes.get("/analyses", this::list);
    routes.get("/analyses/{name}", this::show);
  }

  void list(Context ctx) {
    keys.require(ctx, "read");
    ObjectNode out = Json.MAPPER.createObjectNode();
    var arr = out.putArray("analyses");
    analyses.list().forEach(arr::add);
    AdminApi.json(ctx, 200, out);
  }

  void show(Context ctx) {
    keys.require(ctx, "read");
    String name = ctx.pathParam("name");
    ObjectNode a =
        analyses
            .show(name)
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        InvalidInputException.NOT_FOUND,
                        Problem.of(
                            "/name",
                            "no analysis named "
                                + Problem.render(name)
                                + (analyses.names().isEmpty()
                                    ? "; the config has no analyses"
                                    : "; the config has " + String.join(", ", analyses.names())),
                            Problem.render(name))));
    AdminApi.json(ctx, 200, a);
  }
}

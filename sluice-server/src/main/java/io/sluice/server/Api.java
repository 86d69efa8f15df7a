package io.sluice.server;

import io.javalin.config.RoutesConfig;

/**
 * One HTTP API: it mounts its own routes and is built from just the parts it uses (the ingest API
 * from the buses and ingest, the objects API from the object store…), so a test can serve one API
 * over one part. {@link SluiceServer} mounts every API on one server over a {@link Node}.
 */
interface Api {

  void mount(RoutesConfig routes);
}

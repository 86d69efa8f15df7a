package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.core.Json;
import io.sluice.core.config.AuthConfig;
import io.sluice.engine.Health;
import io.sluice.log.EmbeddedEventLog;
import io.sluice.objects.ObjectEvents;
import io.sluice.objects.ObjectStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each API is built from just the parts it uses, so it can be served alone: here the objects API
 * over an object store (no engine, no lake), and the health API over a Health.
 */
class ApiAloneTest {

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  static Javalin serve(Api... apis) {
    return Javalin.create(
            cfg -> {
              cfg.startup.showJavalinBanner = false;
              cfg.jetty.host = "127.0.0.1";
              cfg.jetty.port = 0;
              for (Api a : apis) {
                a.mount(cfg.routes);
              }
              HttpErrors.install(cfg);
            })
        .start();
  }

  HttpResponse<String> send(Javalin app, String method, String path, String body) throws Exception {
    var b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theObjectsApiServesAnObjectStoreWithNothingElseRunning() throws Exception {
    ObjectStore store =
        new ObjectStore(dir.resolve("objects"), 1 << 20, ObjectEvents.NONE, Clock.systemUTC());
    Javalin app = serve(new ObjectsApi(store, new ApiKeys(AuthConfig.NONE)));
    try {
      var put = send(app, "PUT", "/objects/uploads/raw/a.txt", "hello");
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      assertThat(send(app, "GET", "/objects/uploads/raw/a.txt", null).body()).isEqualTo("hello");
      var missing = send(app, "GET", "/objects/uploads/raw/none.txt", null);
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(Json.MAPPER.readTree(missing.body()).path("code").asText()).isEqualTo("NOT_FOUND");
      // the other APIs are not there
      assertThat(send(app, "POST", "/buses/default/events", "{}").statusCode()).isEqualTo(404);
    } finally {
      app.stop();
    }
  }

  @Test
  void theHealthApiAnswersFromHealthAlone() throws Exception {
    Health health = new Health(Clock.systemUTC(), new SimpleMeterRegistry());
    try (var log = EmbeddedEventLog.open(dir.resolve("log"), Clock.systemUTC())) {
      Javalin app =
          serve(
              new HealthApi(
                  health,
                  log,
                  () -> List.of("default"),
                  new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                  new ApiKeys(AuthConfig.NONE),
                  () -> null));
      try {
        assertThat(send(app, "GET", "/health/ready", null).statusCode()).isEqualTo(200);
        health.failed("lake writer orders/r/t", "disk full");
        var down = send(app, "GET", "/health/ready", null);
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).contains("lake writer orders/r/t", "disk full");
        health.ok("lake writer orders/r/t");
        assertThat(send(app, "GET", "/health/ready", null).statusCode()).isEqualTo(200);
      } finally {
        app.stop();
      }
    }
  }

  @Test
  void withApiKeysReadinessNamesAFailingPartButShowsItsErrorOnlyToAReader() throws Exception {
    Health health = new Health(Clock.systemUTC(), new SimpleMeterRegistry());
    String key = ApiKeys.newKey();
    ApiKeys keys =
        new ApiKeys(
            new AuthConfig(
                List.of(
                    new AuthConfig.ApiKeyConfig("dash", ApiKeys.sha256Hex(key), List.of("read")))));
    try (var log = EmbeddedEventLog.open(dir.resolve("log"), Clock.systemUTC())) {
      Javalin app =
          serve(
              new HealthApi(
                  health,
                  log,
                  () -> List.of("default"),
                  new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                  keys,
                  () -> null));
      try {
        health.failed("lake writer orders/r/t", "/srv/data/lake/orders: disk full");
        var anonymous = send(app, "GET", "/health/ready", null);
        assertThat(anonymous.statusCode()).isEqualTo(503);
        assertThat(anonymous.body()).contains("lake writer orders/r/t").doesNotContain("disk full");
        var reader =
            http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + app.port() + "/health/ready"))
                    .header("Authorization", "Bearer " + key)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reader.statusCode()).isEqualTo(503);
        assertThat(reader.body()).contains("disk full");
      } finally {
        app.stop();
      }
    }
  }
}

package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.InvalidInputException;
import io.sluice.core.config.ConfigLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthTest {

  static final String INGEST_KEY = ApiKeys.newKey();
  static final String READ_KEY = ApiKeys.newKey();
  static final String UPLOAD_KEY = ApiKeys.newKey();
  static final String EVENT = "{\"source\":\"s\",\"detail-type\":\"T\"}";

  @TempDir Path dir;
  ServerFixture s;

  @BeforeEach
  void start() {
    s =
        ServerFixture.start(
            dir,
            "buses: [{name: orders}, {name: audit}]\n"
                + "auth:\n  keys:\n"
                + "    - {name: shop, sha256: "
                + ApiKeys.sha256Hex(INGEST_KEY)
                + ", scopes: [\"ingest:orders\"]}\n"
                + "    - {name: dash, sha256: "
                + ApiKeys.sha256Hex(READ_KEY)
                + ", scopes: [read]}\n"
                + "    - {name: uploader, sha256: "
                + ApiKeys.sha256Hex(UPLOAD_KEY)
                + ", scopes: [\"objects:write\"]}\n");
  }

  @Test
  void objectsAndQueriesNeedTheirScopes() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    java.util.function.Function<String, Integer> put =
        key -> {
          try {
            return http.send(
                    java.net.http.HttpRequest.newBuilder(s.uri("/objects/b1/k.txt"))
                        .header("Authorization", "Bearer " + key)
                        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("x"))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .statusCode();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
    assertThat(put.apply(READ_KEY)).isEqualTo(403);
    assertThat(put.apply(UPLOAD_KEY)).isEqualTo(200);
    assertThat(s.get("/objects/b1/k.txt", "Authorization", "Bearer " + READ_KEY).status())
        .isEqualTo(200);
    ServerFixture.Response q =
        s.post(
            "/query",
            "application/json",
            "{\"sql\":\"SELECT 1\"}",
            "Authorization",
            "Bearer " + UPLOAD_KEY);
    assertThat(q.status()).isEqualTo(403);
    assertThat(q.json().get("message").asText())
        .isEqualTo("/headers/Authorization: API key \"uploader\" lacks the scope read");
    assertThat(
            s.post(
                    "/query",
                    "application/json",
                    "{\"sql\":\"SELECT 1\"}",
                    "Authorization",
                    "Bearer " + READ_KEY)
                .status())
        .isEqualTo(200);
  }

  @AfterEach
  void stop() {
    s.close();
  }

  @Test
  void keysAreCheckedAgainstTheirScopes() {
    ServerFixture.Response none = s.post("/buses/orders/events", "application/json", EVENT);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");
    assertThat(none.json().get("message").asText())
        .isEqualTo("/headers/Authorization: missing API key: send Authorization: Bearer <key>");

    ServerFixture.Response wrong =
        s.post(
            "/buses/orders/events", "application/json", EVENT, "Authorization", "Bearer sk_nope");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.json().get("message").asText())
        .isEqualTo("/headers/Authorization: unknown API key");

    assertThat(
            s.post(
                    "/buses/orders/events",
                    "application/json",
                    EVENT,
                    "Authorization",
                    "Bearer " + INGEST_KEY)
                .status())
        .isEqualTo(200);

    ServerFixture.Response otherBus =
        s.post(
            "/buses/audit/events",
            "application/json",
            EVENT,
            "Authorization",
            "Bearer " + INGEST_KEY);
    assertThat(otherBus.status()).isEqualTo(403);
    assertThat(otherBus.json().get("code").asText()).isEqualTo("FORBIDDEN");
    assertThat(otherBus.json().get("message").asText())
        .isEqualTo("/headers/Authorization: API key \"shop\" lacks the scope ingest:audit");

    assertThat(s.get("/buses/orders/events", "Authorization", "Bearer " + INGEST_KEY).status())
        .isEqualTo(403);
    assertThat(s.get("/buses/orders/events", "Authorization", "bearer " + READ_KEY).status())
        .isEqualTo(200);
    assertThat(s.get("/metrics").status()).isEqualTo(401);
    assertThat(s.get("/metrics", "Authorization", "Bearer " + READ_KEY).status()).isEqualTo(200);
    assertThat(s.get("/health/live").status()).isEqualTo(200);
  }

  @Test
  void putEventsChecksTheScopeOfEachEntrysBus() {
    String body =
        "{\"Entries\":[{\"Source\":\"s\",\"DetailType\":\"T\",\"Detail\":\"{}\",\"EventBusName\":\"orders\"},"
            + "{\"Source\":\"s\",\"DetailType\":\"T\",\"Detail\":\"{}\",\"EventBusName\":\"audit\"}]}";

    ServerFixture.Response anonymous =
        s.post("/", PutEventsApi.AWS_JSON, body, "X-Amz-Target", "AWSEvents.PutEvents");
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.json().get("__type").asText()).isEqualTo("UnrecognizedClientException");

    ServerFixture.Response r =
        s.post(
            "/",
            PutEventsApi.AWS_JSON,
            body,
            "X-Amz-Target",
            "AWSEvents.PutEvents",
            "Authorization",
            "Bearer " + INGEST_KEY);
    assertThat(r.json().get("FailedEntryCount").asInt()).isEqualTo(1);
    assertThat(r.json().get("Entries").get(1).get("ErrorCode").asText())
        .isEqualTo("AccessDeniedException");
    assertThat(r.json().get("Entries").get(1).get("ErrorMessage").asText())
        .isEqualTo("API key \"shop\" lacks the scope ingest:audit");
  }

  @Test
  void nonLoopbackAddressWithoutKeysIsRefusedUnlessInsecure() {
    var config =
        ConfigLoader.parse(
            "server: {host: 0.0.0.0, port: 0}\nstorage: {dir: other}",
            "t.yaml",
            dir,
            SluiceKinds.forReading());

    assertThatThrownBy(() -> SluiceServer.start(config, SluiceServer.Options.DEFAULTS))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_CONFIG"))
        .hasMessage(
            "/server/host: refusing to listen on 0.0.0.0 without API keys: anyone who can reach it could send events."
                + " Add auth.keys (sluice keys new), or start with --insecure");
    try (SluiceServer open =
        SluiceServer.start(config, SluiceServer.Options.DEFAULTS.withInsecure(true))) {
      assertThat(open.port()).isPositive();
    }
  }
}

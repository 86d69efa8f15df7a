package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.testkit.Await;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The health-monitoring example end to end: upload, validate, split, lake, events, idempotency. */
class HealthMonitoringTest {

  static final Path EXAMPLE = Path.of("../examples/health-monitoring");

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  HttpResponse<String> put(ServerFixture s, String path, byte[] body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(s.uri(path))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> send(ServerFixture s, String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(s.uri(path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static List<JsonNode> events(ServerFixture s, String detailType) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e :
        s.get("/buses/default/events?from=earliest&limit=1000").json().get("events")) {
      if (e.get("event").get("detail-type").asText().equals(detailType)) {
        out.add(e.get("event").get("detail"));
      }
    }
    return out;
  }

  static long sql(ServerFixture s, String q) {
    var r =
        s.post(
            "/query", "application/json", Json.MAPPER.createObjectNode().put("sql", q).toString());
    return r.status() == 200 ? r.json().get("rows").get(0).get(0).asLong() : -1;
  }

  /**
   * The example's config as written, on a free port that its analyzer's {@code SLUICE_URL} names
   * too (the analyzer reads processed/ through the object API).
   */
  static ServerFixture startExample(Path dir, String yaml) throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    assertThat(yaml).contains("SLUICE_URL: http://127.0.0.1:7070");
    return ServerFixture.start(
        dir, EXAMPLE, yaml.replace("http://127.0.0.1:7070", "http://127.0.0.1:" + port), port);
  }

  @Test
  void uploadsAreValidatedIntoProcessedRejectedAndTheLakeOnce() throws Exception {
    String yaml = Files.readString(EXAMPLE.resolve("sluice.yaml"));
    byte[] csv = Files.readAllBytes(EXAMPLE.resolve("vitals-2026-11-30.csv"));
    try (ServerFixture s = startExample(dir, yaml)) {
      var put = put(s, "/objects/health/raw/vitals-2026-11-30.csv", csv);
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      String sha = Json.MAPPER.readTree(put.body()).get("sha256").asText();
      Await.until(
          Duration.ofSeconds(30),
          () -> !safeEvents(s, "Validation Failed").isEmpty(),
          () -> "no validation event yet");
      JsonNode result = events(s, "Validation Failed").get(0);
      assertThat(result.get("status").asText()).isEqualTo("partial");
      assertThat(result.get("rowsValid").asLong()).isEqualTo(6);
      assertThat(result.get("rowsRejected").asLong()).isEqualTo(6);
      assertThat(result.get("object").get("sha256").asText()).isEqualTo(sha);
      assertThat(result.get("schemaVersion").asInt()).isEqualTo(1);
      assertThat(events(s, "Object Created").get(0).toString())
          .isEqualTo(
              "{\"version\":\"0\",\"bucket\":{\"name\":\"health\"},\"object\":{\"key\":"
                  + "\"raw/vitals-2026-11-30.csv\",\"size\":614,\"sha256\":\""
                  + sha
                  + "\",\"etag\":\""
                  + sha
                  + "\"},\"reason\":\"PutObject\"}");
      // every write is an Object Created: the upload, processed/, rejected/ and the manifest
      assertThat(events(s, "Object Created"))
          .extracting(d -> d.get("object").get("key").asText())
          .containsExactly(
              "raw/vitals-2026-11-30.csv",
              "processed/vitals-2026-11-30.csv",
              "rejected/vitals-2026-11-30.csv",
              "manifests/vitals-2026-11-30.csv.json");

      String processed = send(s, "GET", "/objects/health/processed/vitals-2026-11-30.csv").body();
      assertThat(processed.split("\r\n"))
          .containsExactly(
              "patient_id,timestamp,heart_rate,systolic_bp,diastolic_bp,temperature_c,spo2",
              "P001,2026-11-30T08:00:00Z,72,120,80,36.8,98",
              "P002,2026-11-30T08:05:00Z,88,135,85,37.2,97",
              "P004,2026-11-30T08:15:00Z,65,118,76,36.6,99",
              "P006,2026-11-30T08:25:00Z,95,160,100,38.4,94",
              "\"P009, jr\",2026-11-30T08:40:00Z,77,122,81,36.9,98",
              "P011,2026-11-30T08:50:00Z,101,150,95,39.0,92");
      String rejected = send(s, "GET", "/objects/health/rejected/vitals-2026-11-30.csv").body();
      List<String> lines = List.of(rejected.split("\r\n"));
      assertThat(lines.get(0))
          .isEqualTo(
              "patient_id,timestamp,heart_rate,systolic_bp,diastolic_bp,temperature_c,spo2,reason");
      assertThat(lines)
          .contains(
              "P003,2026-11-30T08:10:00Z,250,140,90,37.0,96,\"heart_rate: expected at most 220, got \"\"250\"\"\"",
              "P008,2026-11-30T08:35:00Z,60,110,70,33.1,95,\"temperature_c: expected at least 34, got \"\"33.1\"\"\"",
              ",2026-11-30T08:30:00Z,80,125,82,36.7,97,\"patient_id: is required, got an empty value\"",
              "P012,2026-11-30T08:55:00Z,58,105,68,36.4,,\"line 13: expected 7 fields as in the header, got 6\"");
      // the formula is neutralised in the output
      assertThat(lines.stream().filter(l -> l.contains("HYPERLINK")).findFirst().orElseThrow())
          .startsWith("\"'=HYPERLINK(\"\"http://x\"\")\"")
          .endsWith("spo2: expected at least 50, got \"\"30\"\"\"");
      assertThat(lines.stream().filter(l -> l.startsWith("P005")).findFirst().orElseThrow())
          .contains(
              "timestamp: expected an ISO-8601 timestamp with offset like 2026-11-30T10:00:00Z, got \"\"not-a-time\"\"");
      JsonNode manifest =
          Json.MAPPER.readTree(
              send(s, "GET", "/objects/health/manifests/vitals-2026-11-30.csv.json").body());
      assertThat(manifest.get("rowsTotal").asLong()).isEqualTo(12);
      assertThat(manifest.get("object").get("sha256").asText()).isEqualTo(sha);
      assertThat(manifest.has("durationMs")).isTrue();

      Await.until(
          Duration.ofSeconds(30), () -> sql(s, "SELECT count(*) FROM vitals") == 6, () -> "vitals");
      assertThat(sql(s, "SELECT heart_rate FROM vitals WHERE patient_id = 'P001'")).isEqualTo(72);
      assertThat(sql(s, "SELECT count(*) FROM vitals WHERE patient_id = 'P009, jr'")).isEqualTo(1);
      // the schema's types, as the README's DESCRIBE shows them
      var described =
          s.post(
                  "/query",
                  "application/json",
                  Json.MAPPER
                      .createObjectNode()
                      .put(
                          "sql",
                          "SELECT column_name, column_type FROM (DESCRIBE vitals) WHERE column_name"
                              + " IN ('timestamp', 'heart_rate', 'temperature_c', 'patient_id')"
                              + " ORDER BY column_name")
                      .toString())
              .json()
              .get("rows");
      assertThat(described.toString())
          .isEqualTo(
              "[[\"heart_rate\",\"BIGINT\"],[\"patient_id\",\"VARCHAR\"],"
                  + "[\"temperature_c\",\"DOUBLE\"],[\"timestamp\",\"TIMESTAMP WITH TIME ZONE\"]]");
      assertThat(
              sql(
                  s,
                  "SELECT count(*) FROM vitals WHERE \"timestamp\" = TIMESTAMPTZ"
                      + " '2026-11-30 08:00:00Z' AND patient_id = 'P001'"))
          .isEqualTo(1);

      // the same content under another key: Duplicate Object, nothing new written
      assertThat(put(s, "/objects/health/raw/copy.csv", csv).statusCode()).isEqualTo(200);
      Await.until(
          Duration.ofSeconds(30),
          () -> !safeEvents(s, "Duplicate Object").isEmpty(),
          () -> "no duplicate event");
      JsonNode dup = events(s, "Duplicate Object").get(0);
      assertThat(dup.get("firstKey").asText()).isEqualTo("raw/vitals-2026-11-30.csv");
      assertThat(dup.get("object").get("key").asText()).isEqualTo("raw/copy.csv");
      assertThat(send(s, "HEAD", "/objects/health/processed/copy.csv").statusCode()).isEqualTo(404);
      assertThat(sql(s, "SELECT count(*) FROM vitals")).isEqualTo(6);

      // a crash after the lake commit but before the idempotency marker: validated again,
      // the same outputs, no row twice
      try (Stream<Path> markers = Files.walk(dir.resolve("data/objects-state"))) {
        for (Path m :
            markers.filter(p -> p.getFileName().toString().equals(sha + ".json")).toList()) {
          Files.delete(m);
        }
      }
      assertThat(put(s, "/objects/health/raw/vitals-2026-11-30.csv", csv).statusCode())
          .isEqualTo(200);
      Await.until(
          Duration.ofSeconds(30),
          () -> safeEvents(s, "Validation Failed").size() == 2,
          () -> "not validated again");
      assertThat(sql(s, "SELECT count(*) FROM vitals")).isEqualTo(6);
      assertThat(send(s, "GET", "/objects/health/processed/vitals-2026-11-30.csv").body())
          .isEqualTo(processed);
    }
  }

  @Test
  void unreadableFilesFailWithAReasonAndWriteNothing() throws Exception {
    String yaml = Files.readString(EXAMPLE.resolve("sluice.yaml"));
    try (ServerFixture s = startExample(dir, yaml)) {
      put(s, "/objects/health/raw/empty.csv", new byte[0]);
      put(
          s,
          "/objects/health/raw/latin1.csv",
          "patient_id,timestamp\nM\u00fcller,2026-11-30T08:00:00Z\n"
              .getBytes(StandardCharsets.ISO_8859_1));
      put(s, "/objects/health/raw/noheader.csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8));
      Await.until(
          Duration.ofSeconds(30),
          () -> safeEvents(s, "Validation Failed").size() == 3,
          () -> "validation events: " + safeEvents(s, "Validation Failed").size());
      List<String> reasons = new ArrayList<>();
      for (JsonNode d : events(s, "Validation Failed")) {
        assertThat(d.get("status").asText()).isEqualTo("failed");
        reasons.add(d.get("object").get("key").asText() + ": " + d.get("reason").asText());
      }
      assertThat(reasons)
          .containsExactlyInAnyOrder(
              "raw/empty.csv: the file is empty: expected a header row naming the columns",
              "raw/latin1.csv: the file is not valid UTF-8 (a malformed byte sequence near line 1)",
              "raw/noheader.csv: the header lacks required columns patient_id, timestamp, heart_rate,"
                  + " systolic_bp, diastolic_bp, temperature_c, spo2 (header: a, b)");
      assertThat(send(s, "GET", "/objects/health?prefix=processed/").body())
          .contains("\"objects\":[]");
    }
  }

  @Test
  void objectApiRefusesTraversalAndNamesTheProblem() throws Exception {
    String yaml = Files.readString(EXAMPLE.resolve("sluice.yaml"));
    try (ServerFixture s = startExample(dir, yaml)) {
      for (String path :
          List.of(
              "/objects/health/..%2F..%2Fescape",
              "/objects/health/a/%2e%2e/%2e%2e/escape",
              "/objects/health/%252e%252e/escape",
              "/objects/health/a%5C..%5Cescape",
              "/objects/health/a%00b",
              "/objects/Bad_Bucket/k")) {
        // a fresh client each time: Jetty closes the connection after refusing a bad URI
        HttpResponse<String> r;
        try (HttpClient fresh = HttpClient.newHttpClient()) {
          r =
              fresh.send(
                  HttpRequest.newBuilder(s.uri(path))
                      .PUT(HttpRequest.BodyPublishers.ofString("x"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
        }
        assertThat(r.statusCode()).as(path + " → " + r.body()).isEqualTo(400);
      }
      try (Stream<Path> all = Files.walk(dir)) {
        assertThat(all.filter(p -> p.getFileName().toString().equals("escape")).toList()).isEmpty();
      }
      var ok = put(s, "/objects/health/notes/a.txt", "hi".getBytes(StandardCharsets.UTF_8));
      assertThat(ok.statusCode()).isEqualTo(200);
      var head = send(s, "HEAD", "/objects/health/notes/a.txt");
      assertThat(head.headers().firstValue("Content-Length")).contains("2");
      assertThat(send(s, "DELETE", "/objects/health/notes/a.txt").statusCode()).isEqualTo(204);
      assertThat(send(s, "GET", "/objects/health/notes/a.txt").statusCode()).isEqualTo(404);
      assertThat(events(s, "Object Deleted")).hasSize(1);
      assertThat(send(s, "GET", "/objects/health?limit=0").body())
          .contains("/limit: expected an integer from 1 to 1000, got \\\"0\\\"");
    }
  }

  @Test
  void filesDroppedInTheInboxAreUploadedAndValidated() throws Exception {
    String yaml =
        Files.readString(EXAMPLE.resolve("sluice.yaml"))
            .replace(
                "  maxObjectBytes: 2GB",
                "  maxObjectBytes: 2GB\n  inbox: {dir: \""
                    + dir.resolve("inbox")
                    + "\", bucket: health, prefix: raw/, interval: 100ms}");
    try (ServerFixture s = startExample(dir, yaml)) {
      Path inbox = dir.resolve("inbox");
      Files.createDirectories(inbox.resolve("2026"));
      // written under a dot name first, then renamed: the watcher skips dot names
      Path part = inbox.resolve(".vitals.csv.part");
      Files.copy(EXAMPLE.resolve("vitals-2026-11-30.csv"), part);
      Files.move(part, inbox.resolve("2026/vitals.csv"));
      Files.writeString(inbox.resolve("bad%2e%2ename.csv"), "x\n");
      Path secret = Files.writeString(dir.resolve("secret.txt"), "not for upload");
      Files.createSymbolicLink(inbox.resolve("link.csv"), secret);
      Await.until(
          Duration.ofSeconds(30),
          () -> !safeEvents(s, "Validation Failed").isEmpty(),
          () -> "inbox file not validated");
      JsonNode v = events(s, "Validation Failed").get(0);
      assertThat(v.get("object").get("key").asText()).isEqualTo("raw/2026/vitals.csv");
      assertThat(v.get("rowsValid").asLong()).isEqualTo(6);
      assertThat(events(s, "Object Created").get(0).get("reason").asText()).isEqualTo("Inbox");
      Await.until(
          Duration.ofSeconds(10),
          () -> !Files.exists(inbox.resolve("2026/vitals.csv")),
          () -> "inbox file not removed");
      assertThat(inbox.resolve(".failed/bad%2e%2ename.csv")).exists();
      // a symbolic link is not followed: nothing was uploaded for it
      assertThat(send(s, "HEAD", "/objects/health/raw/link.csv").statusCode()).isEqualTo(404);
      assertThat(inbox.resolve("link.csv")).exists();
      assertThat(Files.readString(inbox.resolve(".failed/bad%2e%2ename.csv.error.txt")))
          .startsWith("/key: expected no percent-encoded dot, slash, backslash or NUL in a key");
    }
  }

  static final String JSON_YAML =
      """
      buses: [{name: default}]
      rules:
        - name: v
          bus: default
          pattern: {source: [sluice.objects], detail-type: [Object Created], detail: {object: {key: [{prefix: raw/}]}}}
          targets:
            - id: json
              validate:
                format: json
                table: readings
                jsonSchema:
                  type: object
                  required: [patient_id, heart_rate]
                  properties:
                    patient_id: {type: string, minLength: 1}
                    heart_rate: {type: integer, minimum: 30, maximum: 220}
      """;

  @Test
  void jsonArraysAreCheckedAgainstAJsonSchemaRecordByRecord() throws Exception {
    try (ServerFixture s = ServerFixture.start(dir, JSON_YAML)) {
      String body =
          "[{\"patient_id\":\"P1\",\"heart_rate\":72},"
              + "{\"patient_id\":\"P2\",\"heart_rate\":250},"
              + "{\"heart_rate\":\"fast\"},"
              + "7,"
              + "{\"patient_id\":\"P5\",\"heart_rate\":80,\"note\":{\"a\":1}},"
              + "{\"patient_id\":\"P6\\ud800\",\"heart_rate\":90}]";
      assertThat(
              put(s, "/objects/lab/raw/a.json", body.getBytes(StandardCharsets.UTF_8)).statusCode())
          .isEqualTo(200);
      put(
          s,
          "/objects/lab/raw/broken.json",
          "[{\"patient_id\":\"P1\"},{".getBytes(StandardCharsets.UTF_8));
      put(
          s,
          "/objects/lab/raw/object.json",
          "{\"patient_id\":\"P1\"}".getBytes(StandardCharsets.UTF_8));
      // an overlong form of "/" (C0 AF) is not UTF-8, though Jackson's byte parser would take it
      byte[] overlong =
          "[{\"patient_id\":\"P1x\",\"heart_rate\":72}]".getBytes(StandardCharsets.UTF_8);
      overlong[17] = (byte) 0xC0;
      overlong[18] = (byte) 0xAF;
      put(s, "/objects/lab/raw/overlong.json", overlong);
      Await.until(
          Duration.ofSeconds(30),
          () -> safeEvents(s, "Validation Failed").size() == 4,
          () -> "validation events: " + safeEvents(s, "Validation Failed").size());
      JsonNode processed =
          Json.MAPPER.readTree(send(s, "GET", "/objects/lab/processed/a.json").body());
      assertThat(processed.toString())
          .isEqualTo(
              "[{\"patient_id\":\"P1\",\"heart_rate\":72},"
                  + "{\"patient_id\":\"P5\",\"heart_rate\":80,\"note\":{\"a\":1}}]");
      JsonNode rejected =
          Json.MAPPER.readTree(send(s, "GET", "/objects/lab/rejected/a.json").body());
      assertThat(rejected).hasSize(4);
      assertThat(rejected.get(0).get("reason").asText()).contains("heart_rate").contains("220");
      assertThat(rejected.get(1).get("reason").asText())
          .contains("patient_id")
          .contains("heart_rate");
      assertThat(rejected.get(2).get("reason").asText())
          .isEqualTo("record 4: expected a JSON object, got number 7");
      assertThat(rejected.get(3).get("reason").asText())
          .isEqualTo(
              "record 6: /patient_id: expected valid Unicode text, got a lone surrogate U+D800 at"
                  + " character 2 (a \\ud800 escape needs its pair)");
      List<String> reasons = new ArrayList<>();
      for (JsonNode d : events(s, "Validation Failed")) {
        if (d.has("reason")) {
          reasons.add(d.get("object").get("key").asText() + ": " + d.get("reason").asText());
        }
      }
      assertThat(reasons)
          .containsExactlyInAnyOrder(
              "raw/object.json: expected a JSON array of records, got {",
              "raw/overlong.json: the file is not valid UTF-8 (a malformed byte sequence)",
              "raw/broken.json: the file is not valid JSON at record 2: Unexpected end-of-input: expected close marker for Object (start marker at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 22])");
      Await.until(
          Duration.ofSeconds(30),
          () -> sql(s, "SELECT count(*) FROM readings") == 2,
          () -> "readings");
      assertThat(sql(s, "SELECT heart_rate FROM readings WHERE patient_id = 'P5'")).isEqualTo(80);
    }
  }

  static List<JsonNode> safeEvents(ServerFixture s, String type) {
    try {
      return events(s, type);
    } catch (Exception e) {
      return List.of();
    }
  }
}

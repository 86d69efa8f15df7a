package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.sluice.core.Json;
import io.sluice.testkit.Await;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health-monitoring example's functions end to end, with a real python3: the analyzer reads
 * each validated file through the object API and puts its findings on the bus, a rule logs the
 * abnormal readings, and the llm insights function, once its rule is enabled, turns the report into
 * prose (against a local stand-in for an OpenAI-compatible server: no model runs in the build).
 */
class HealthAnalyzerTest {

  static final Path EXAMPLE = HealthMonitoringTest.EXAMPLE;
  static final String CSV = "vitals-2026-11-30.csv";

  /** What the stand-in model answers: the insights function's responseSchema. */
  static final String ANSWER =
      "{\"summary\":\"2 of 6 readings were abnormal; P011 is critical.\","
          + "\"insights\":[\"P011 has a fever of 39.0\"],"
          + "\"recommendations\":[\"Review P011 now\"]}";

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();
  final List<JsonNode> modelRequests = new CopyOnWriteArrayList<>();
  HttpServer model;

  @AfterEach
  void stopModel() {
    if (model != null) {
      model.stop(0);
    }
  }

  /** A chat-completions endpoint answering every request with {@link #ANSWER}. */
  String startModel() throws IOException {
    model = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    model.createContext(
        "/v1/chat/completions",
        exchange -> {
          JsonNode request = Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
          modelRequests.add(request);
          ObjectNode reply = Json.MAPPER.createObjectNode();
          reply.put("id", "chatcmpl-1").put("object", "chat.completion");
          reply.put("model", request.path("model").asText());
          ObjectNode choice = reply.putArray("choices").addObject();
          choice.put("index", 0).put("finish_reason", "stop");
          choice.putObject("message").put("role", "assistant").put("content", ANSWER);
          reply
              .putObject("usage")
              .put("prompt_tokens", 300)
              .put("completion_tokens", 40)
              .put("total_tokens", 340);
          byte[] body = Json.MAPPER.writeValueAsBytes(reply);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    model.start();
    return "http://127.0.0.1:" + model.getAddress().getPort() + "/v1";
  }

  int upload(ServerFixture s) throws Exception {
    return http.send(
            HttpRequest.newBuilder(s.uri("/objects/health/raw/" + CSV))
                .PUT(HttpRequest.BodyPublishers.ofFile(EXAMPLE.resolve(CSV)))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  static List<JsonNode> events(ServerFixture s, String bus, String detailType) {
    List<JsonNode> out = new ArrayList<>();
    var r = s.get("/buses/" + bus + "/events?from=earliest&limit=1000");
    if (r.status() != 200) {
      return out;
    }
    for (JsonNode e : r.json().get("events")) {
      if (detailType == null || e.get("event").get("detail-type").asText().equals(detailType)) {
        out.add(e.get("event"));
      }
    }
    return out;
  }

  static long delivered(ServerFixture s, String rule, String target) {
    for (JsonNode t : s.get("/stats/targets").json().get("targets")) {
      if (t.get("rule").asText().equals(rule) && t.get("target").asText().equals(target)) {
        return t.get("delivered").asLong();
      }
    }
    return -1;
  }

  @Test
  void theAnalyzerFlagsTheAbnormalReadingsOfAnUploadAndTheOnCallRuleLogsThem() throws Exception {
    String yaml = Files.readString(EXAMPLE.resolve("sluice.yaml"));
    try (ServerFixture s = HealthMonitoringTest.startExample(dir, yaml)) {
      assertThat(upload(s)).isEqualTo(200);
      Await.until(
          Duration.ofSeconds(30),
          () -> events(s, "default", "Analysis Completed").size() == 1,
          () -> "no analysis yet; functions: " + s.get("/functions").body());

      List<JsonNode> abnormal = events(s, "default", "Reading Abnormal");
      assertThat(abnormal)
          .extracting(e -> e.get("source").asText() + " " + e.get("detail").get("patient_id"))
          .containsExactly("health.analyzer \"P006\"", "health.analyzer \"P011\"");
      assertThat(abnormal.get(1).get("detail").toString())
          .isEqualTo(
              "{\"patient_id\":\"P011\",\"timestamp\":\"2026-11-30T08:50:00Z\",\"severity\":"
                  + "\"critical\",\"findings\":["
                  + "{\"metric\":\"temperature_c\",\"value\":39,\"finding\":\"fever\",\"rule\":"
                  + "\">= 39.0\",\"severity\":\"critical\"},"
                  + "{\"metric\":\"heart_rate\",\"value\":101,\"finding\":\"tachycardia\",\"rule\":"
                  + "\"> 100\",\"severity\":\"warning\"},"
                  + "{\"metric\":\"spo2\",\"value\":92,\"finding\":\"low oxygen saturation\","
                  + "\"rule\":\"< 95\",\"severity\":\"warning\"},"
                  + "{\"metric\":\"systolic_bp\",\"value\":150,\"finding\":\"high blood"
                  + " pressure\",\"rule\":\">= 140\",\"severity\":\"warning\"},"
                  + "{\"metric\":\"diastolic_bp\",\"value\":95,\"finding\":\"high blood"
                  + " pressure\",\"rule\":\">= 90\",\"severity\":\"warning\"}],"
                  + "\"reading\":{\"heart_rate\":101,\"systolic_bp\":150,\"diastolic_bp\":95,"
                  + "\"temperature_c\":39,\"spo2\":92},"
                  + "\"file\":{\"bucket\":\"health\",\"key\":\"processed/vitals-2026-11-30.csv\"}}");
      assertThat(events(s, "default", "Analysis Completed").get(0).get("detail").toString())
          .isEqualTo(
              "{\"bucket\":\"health\",\"key\":\"processed/vitals-2026-11-30.csv\","
                  + "\"sourceKey\":\"raw/vitals-2026-11-30.csv\",\"sha256\":"
                  + "\"9a99fcaec1170388096f7b26973ff82cd4c432ce459e4eafd13ed21f5846129b\","
                  + "\"readings\":6,\"patients\":6,\"abnormal\":2,\"critical\":1,"
                  + "\"rowsRejected\":6,\"findingsPerMetric\":{\"heart_rate\":1,"
                  + "\"systolic_bp\":2,\"diastolic_bp\":2,\"temperature_c\":2,\"spo2\":2},"
                  + "\"averages\":{\"heart_rate\":83,\"systolic_bp\":134.2,"
                  + "\"diastolic_bp\":86.2,\"temperature_c\":37.5,\"spo2\":96.3},"
                  + "\"abnormalReadings\":["
                  + "{\"patient_id\":\"P006\",\"timestamp\":\"2026-11-30T08:25:00Z\","
                  + "\"severity\":\"warning\",\"findings\":[\"low oxygen saturation (spo2 94)\","
                  + "\"fever (temperature_c 38.4)\",\"high blood pressure (systolic_bp 160)\","
                  + "\"high blood pressure (diastolic_bp 100)\"]},"
                  + "{\"patient_id\":\"P011\",\"timestamp\":\"2026-11-30T08:50:00Z\","
                  + "\"severity\":\"critical\",\"findings\":[\"fever (temperature_c 39.0)\","
                  + "\"tachycardia (heart_rate 101)\",\"low oxygen saturation (spo2 92)\","
                  + "\"high blood pressure (systolic_bp 150)\","
                  + "\"high blood pressure (diastolic_bp 95)\"]}]}");
      Await.until(
          Duration.ofSeconds(30),
          () -> delivered(s, "alert-on-abnormal", "oncall") == 2,
          () -> "oncall logged " + delivered(s, "alert-on-abnormal", "oncall"));

      // without a model server the example runs as it is: the insights rule starts disabled
      JsonNode rule = s.get("/buses/default/rules/report-insights").json();
      assertThat(rule.get("enabled").asBoolean()).isFalse();
      assertThat(events(s, "reports", null)).isEmpty();
      assertThat(s.get("/functions").json().get("functions").get(1).toString())
          .contains("\"name\":\"insights\"")
          .contains("\"invocations\":0");
    }
  }

  @Test
  void theInsightsFunctionTurnsTheReportIntoProseOnceItsRuleIsEnabled() throws Exception {
    String yaml =
        Files.readString(EXAMPLE.resolve("sluice.yaml"))
            .replace("endpoint: http://localhost:11434/v1", "endpoint: " + startModel());
    try (ServerFixture s = HealthMonitoringTest.startExample(dir, yaml)) {
      var enabled = s.post("/buses/default/rules/report-insights/enable", "application/json", "");
      assertThat(enabled.status()).as(enabled.body()).isEqualTo(200);
      assertThat(upload(s)).isEqualTo(200);
      Await.until(
          Duration.ofSeconds(30),
          () -> events(s, "reports", null).size() == 1,
          () -> "no insights yet; functions: " + s.get("/functions").body());

      JsonNode insights = events(s, "reports", null).get(0);
      assertThat(insights.get("detail").toString()).isEqualTo(ANSWER);
      assertThat(insights.get("source").asText()).isEqualTo("health.analyzer");
      assertThat(modelRequests).hasSize(1);
      JsonNode request = modelRequests.get(0);
      assertThat(request.get("model").asText()).isEqualTo("llama3.2");
      assertThat(request.at("/response_format/json_schema/name").asText()).isEqualTo("insights");
      assertThat(request.at("/messages/1/content").asText())
          .isEqualTo(
              "Vital signs from the file raw/vitals-2026-11-30.csv: 6 readings of 6 patients, 2"
                  + " abnormal (1 critical); 6 rows were rejected by validation. Abnormal readings"
                  + " and their findings: [{\"patient_id\":\"P006\",\"timestamp\":"
                  + "\"2026-11-30T08:25:00Z\",\"severity\":\"warning\",\"findings\":[\"low oxygen"
                  + " saturation (spo2 94)\",\"fever (temperature_c 38.4)\",\"high blood pressure"
                  + " (systolic_bp 160)\",\"high blood pressure (diastolic_bp 100)\"]},"
                  + "{\"patient_id\":\"P011\",\"timestamp\":\"2026-11-30T08:50:00Z\",\"severity\":"
                  + "\"critical\",\"findings\":[\"fever (temperature_c 39.0)\",\"tachycardia"
                  + " (heart_rate 101)\",\"low oxygen saturation (spo2 92)\",\"high blood pressure"
                  + " (systolic_bp 150)\",\"high blood pressure (diastolic_bp 95)\"]}]. Findings"
                  + " per metric: {\"heart_rate\":1,\"systolic_bp\":2,\"diastolic_bp\":2,"
                  + "\"temperature_c\":2,\"spo2\":2}. Averages: {\"heart_rate\":83,"
                  + "\"systolic_bp\":134.2,\"diastolic_bp\":86.2,\"temperature_c\":37.5,"
                  + "\"spo2\":96.3}. Give the insights, the recommendations and a two-sentence"
                  + " executive summary.");
    }
  }

  @Test
  void theAnalyzerRefusesAnEventWithoutAProcessedFileAndAFileThatIsNotThere() throws Exception {
    String yaml = Files.readString(EXAMPLE.resolve("sluice.yaml"));
    try (ServerFixture s = HealthMonitoringTest.startExample(dir, yaml)) {
      var noKey =
          s.post(
              "/2015-03-31/functions/analyzer/invocations",
              "application/json",
              "{\"detail\":{\"bucket\":{\"name\":\"health\"},\"status\":\"failed\"}}");
      assertThat(noKey.status()).as(noKey.body()).isEqualTo(200);
      assertThat(noKey.header("X-Amz-Function-Error")).isEqualTo("Unhandled");
      assertThat(noKey.json().get("errorType").asText()).isEqualTo("InputPermanentError");
      assertThat(noKey.json().get("errorMessage").asText())
          .isEqualTo(
              "expected a Validation Succeeded or Failed event with detail.bucket.name and"
                  + " detail.processedKey, got detail keys ['bucket', 'status']");

      var missing =
          s.post(
              "/2015-03-31/functions/analyzer/invocations",
              "application/json",
              "{\"detail\":{\"bucket\":{\"name\":\"health\"},\"processedKey\":"
                  + "\"processed/nope.csv\"}}");
      assertThat(missing.header("X-Amz-Function-Error")).isEqualTo("Unhandled");
      assertThat(missing.json().get("errorType").asText()).isEqualTo("InputPermanentError");
      assertThat(missing.json().get("errorMessage").asText())
          .isEqualTo(
              "health/processed/nope.csv is not in the object store ("
                  + s.uri("/objects/health/processed/nope.csv")
                  + ")");
    }
  }
}

package io.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CloudEventMappingTest {

  private final EventCodec codec = new EventCodec(EventLimits.DEFAULTS);

  private static JsonNode json(String s) throws Exception {
    return Json.MAPPER.readTree(s);
  }

  @Test
  void mapsEveryTableRowFromCloudEventsToTheEnvelope() throws Exception {
    JsonNode ce =
        json(
            """
            {"specversion":"1.0","id":"c-1","source":"/sensors/7","type":"com.example.reading",
             "time":"2026-11-23T10:00:00Z","subject":"room-4","datacontenttype":"application/json",
             "account":"123456789012","region":"eu-west-1","resources":["arn:x"],
             "traceparent":"00-abc","data":{"celsius":21.5}}""");
    List<Problem> problems = new ArrayList<>();

    Event e = CloudEventMapping.toEvent(ce, "", codec, problems);

    assertThat(problems).isEmpty();
    assertThat(e.id()).isEqualTo("c-1");
    assertThat(e.source()).isEqualTo("/sensors/7");
    assertThat(e.detailType()).isEqualTo("com.example.reading");
    assertThat(e.time()).isEqualTo(Instant.parse("2026-11-23T10:00:00Z"));
    assertThat(e.detail()).isEqualTo(json("{\"celsius\":21.5}"));
    assertThat(e.account()).isEqualTo("123456789012");
    assertThat(e.region()).isEqualTo("eu-west-1");
    assertThat(e.resources()).containsExactly("arn:x");
    assertThat(e.extras().keySet()).containsExactly("subject", "datacontenttype", "traceparent");
  }

  @Test
  void cloudEventToEventAndBackGivesTheSameAttributes() throws Exception {
    JsonNode ce =
        json(
            """
            {"specversion":"1.0","id":"c-1","source":"s","type":"t","time":"2026-11-23T10:00:00Z",
             "subject":"x","myext":"v","data":{"a":1}}""");
    List<Problem> problems = new ArrayList<>();

    ObjectNode back =
        CloudEventMapping.toCloudEvent(CloudEventMapping.toEvent(ce, "", codec, problems));

    assertThat(problems).isEmpty();
    assertThat(back).isEqualTo(ce);
  }

  @Test
  void eventToCloudEventAndBackGivesTheSameEvent() {
    Event e =
        codec
            .parse(
                "{\"source\":\"s\",\"detail-type\":\"T\",\"account\":\"1\",\"region\":\"r\",\"resources\":[\"a\"],\"detail\":{\"k\":[1]},\"subject\":\"x\"}"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .withDefaults("id-9", Instant.parse("2026-01-02T03:04:05Z"));
    List<Problem> problems = new ArrayList<>();

    Event back = CloudEventMapping.toEvent(CloudEventMapping.toCloudEvent(e), "", codec, problems);

    assertThat(problems).isEmpty();
    assertThat(back).isEqualTo(e);
  }

  @Test
  void binaryModeHeadersBecomeAttributesPercentDecoded() throws Exception {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Ce-Id", "b-1");
    headers.put("ce-specversion", "1.0");
    headers.put("ce-source", "urn:a");
    headers.put("ce-type", "T");
    headers.put("ce-subject", "caf%C3%A9+100%25");
    headers.put("ce-resources", "arn:1, arn:2");
    headers.put("content-length", "12");

    ObjectNode ce = CloudEventMapping.fromBinary(headers, "application/json", json("{\"v\":1}"));

    assertThat(ce)
        .isEqualTo(
            json(
                "{\"id\":\"b-1\",\"specversion\":\"1.0\",\"source\":\"urn:a\",\"type\":\"T\",\"subject\":\"café+100%\","
                    + "\"resources\":[\"arn:1\",\"arn:2\"],\"datacontenttype\":\"application/json\",\"data\":{\"v\":1}}"));
  }

  @Test
  void reportsCloudEventProblemsByAttributeName() throws Exception {
    JsonNode ce =
        json(
            "{\"specversion\":\"0.3\",\"source\":\"s\",\"type\":\"\",\"time\":\"noon\",\"data\":\"text\",\"data_base64\":\"AA==\"}");
    List<Problem> problems = new ArrayList<>();

    assertThat(CloudEventMapping.toEvent(ce, "/0", codec, problems)).isNull();
    assertThat(problems)
        .map(Problem::toString)
        .containsExactly(
            "/0/specversion: expected \"1.0\", got string \"0.3\"",
            "/0/id: is required: a non-empty string",
            "/0/data_base64: binary data cannot become an event's detail; send JSON data (an object)",
            "/0/data: expected a JSON object (it becomes the event's detail), got string \"text\"");

    JsonNode typed =
        json(
            "{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"s\",\"type\":\"\",\"time\":\"noon\"}");
    problems.clear();
    assertThat(CloudEventMapping.toEvent(typed, "", codec, problems)).isNull();
    assertThat(problems)
        .map(Problem::toString)
        .containsExactly(
            "/type: expected a non-empty string, got \"\"",
            "/time: expected an RFC 3339 timestamp like 2026-11-23T10:00:00Z, got string \"noon\"");
  }
}

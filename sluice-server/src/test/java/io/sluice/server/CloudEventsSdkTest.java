package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Events written by the CloudEvents Java SDK, in binary, structured and batch mode. */
class CloudEventsSdkTest {

  @TempDir Path dir;
  ServerFixture s;

  @BeforeEach
  void start() {
    s = ServerFixture.start(dir, "buses: [{name: sensors, partitions: 2}]");
  }

  @AfterEach
  void stop() {
    s.close();
  }

  static CloudEvent reading(String id) {
    return CloudEventBuilder.v1()
        .withId(id)
        .withSource(URI.create("/sensors/room-4"))
        .withType("com.example.reading")
        .withSubject("room-4")
        .withTime(OffsetDateTime.parse("2026-11-23T10:00:00Z"))
        .withExtension("partitionkey", "room-4")
        .withExtension("traceparent", "00-abc-def-01")
        .withData("application/json", "{\"celsius\":21.5}".getBytes(StandardCharsets.UTF_8))
        .build();
  }

  JsonNode storedEvent(int index) {
    return s.get("/buses/sensors/events?limit=100").json().get("events").get(index).get("event");
  }

  @Test
  void binaryModeFromTheSdkIsStoredInTheEnvelope() throws Exception {
    HttpRequest.Builder req = HttpRequest.newBuilder(s.uri("/buses/sensors/events"));
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    HttpMessageFactory.createWriter(req::header, body::writeBytes).writeBinary(reading("bin-1"));

    ServerFixture.Response r =
        s.send(req.POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("entries").get(0).get("id").asText()).isEqualTo("bin-1");
    JsonNode e = storedEvent(0);
    assertThat(e.get("source").asText()).isEqualTo("/sensors/room-4");
    assertThat(e.get("detail-type").asText()).isEqualTo("com.example.reading");
    assertThat(e.get("time").asText()).isEqualTo("2026-11-23T10:00:00Z");
    assertThat(e.get("detail").get("celsius").asDouble()).isEqualTo(21.5);
    assertThat(e.get("subject").asText()).isEqualTo("room-4");
    assertThat(e.get("traceparent").asText()).isEqualTo("00-abc-def-01");
    assertThat(e.get("partitionkey").asText()).isEqualTo("room-4");
  }

  @Test
  void structuredModeFromTheSdkIsStoredInTheEnvelope() {
    EventFormat format = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);
    byte[] body = format.serialize(reading("str-1"));

    ServerFixture.Response r = s.post("/buses/sensors/events", JsonFormat.CONTENT_TYPE, body);

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("entries").get(0).get("id").asText()).isEqualTo("str-1");
    JsonNode e = storedEvent(0);
    assertThat(e.get("detail-type").asText()).isEqualTo("com.example.reading");
    assertThat(e.get("detail").get("celsius").asDouble()).isEqualTo(21.5);
    assertThat(e.get("subject").asText()).isEqualTo("room-4");
  }

  @Test
  void batchModeStoresEachEventAndGroupsByPartitionKey() {
    EventFormat format = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      parts.add(new String(format.serialize(reading("batch-" + i)), StandardCharsets.UTF_8));
    }
    String body = "[" + String.join(",", parts) + "]";

    ServerFixture.Response r =
        s.post("/buses/sensors/events", "application/cloudevents-batch+json", body);

    JsonNode entries = r.json().get("entries");
    assertThat(entries).hasSize(5);
    for (int i = 0; i < 5; i++) {
      assertThat(entries.get(i).get("id").asText()).isEqualTo("batch-" + i);
      assertThat(entries.get(i).get("partition").asInt())
          .isEqualTo(entries.get(0).get("partition").asInt());
      assertThat(entries.get(i).get("offset").asLong()).isEqualTo(i);
    }
  }
}

package io.sluice.server;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.core.CloudEventMapping;
import io.sluice.core.EventCodec;
import io.sluice.core.EventLimits;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.config.ConfigLoader;
import io.sluice.engine.BusCursor;
import io.sluice.engine.Engine;
import io.sluice.log.EmbeddedEventLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes every input parser: event JSON (single, batch), CloudEvents (structured and binary
 * headers), PutEvents entries, content types, cursors and config YAML. Each must either accept the
 * input or refuse it with an {@link InvalidInputException}; any other exception is a bug.
 *
 * <p>{@code ./mvnw verify} runs it in fuzzing mode for a short while ({@code JAZZER_FUZZ=1}, see
 * the surefire "fuzz" execution of this module); otherwise it replays its seeds.
 */
class ParsersFuzzTest {

  static final EventCodec CODEC = new EventCodec(new EventLimits(4096, 12));
  static Path dir;
  static Engine engine;
  static PutEventsApi putEvents;

  @BeforeAll
  static void setUp() throws Exception {
    dir = Files.createTempDirectory("sluice-fuzz");
    var config =
        ConfigLoader.parse(
            "server: {limits: {maxEventBytes: 4KB, maxDepth: 12}}",
            "fuzz",
            dir,
            SluiceKinds.forReading());
    engine =
        Engine.start(
            config,
            EmbeddedEventLog.open(dir.resolve("log"), Clock.systemUTC()),
            Clock.systemUTC(),
            new SimpleMeterRegistry(),
            SluiceKinds.forReading());
    putEvents = new PutEventsApi(engine.buses(), engine.ingest(), null, null, null);
  }

  @AfterAll
  static void tearDown() {
    engine.close();
  }

  @FuzzTest(maxDuration = "25s")
  void parsersAcceptOrRefuseWithProblems(FuzzedDataProvider data) {
    int which = data.consumeInt(0, 9);
    byte[] bytes = data.consumeRemainingAsBytes();
    try {
      switch (which) {
        case 0 -> CODEC.parse(bytes);
        case 1 -> {
          JsonNode arr = CODEC.readTree(bytes, 0, bytes.length, 1);
          List<Problem> problems = new ArrayList<>();
          if (arr.isArray()) {
            for (int i = 0; i < arr.size(); i++) {
              CODEC.fromTree(arr.get(i), "/" + i, problems);
            }
          }
        }
        case 2 -> {
          JsonNode ce = CODEC.readTree(bytes, 0, bytes.length, 0);
          CloudEventMapping.toEvent(ce, "", CODEC, new ArrayList<>());
        }
        case 3 -> {
          String s = new String(bytes, StandardCharsets.UTF_8);
          String[] parts = s.split("\n", 3);
          CloudEventMapping.fromBinary(
              Map.of(
                  "ce-id",
                  parts[0],
                  "ce-source",
                  parts.length > 1 ? parts[1] : "",
                  "ce-resources",
                  s),
              parts.length > 2 ? parts[2] : null,
              null);
        }
        case 4 -> {
          JsonNode entry = harnessParse(bytes);
          if (entry != null) {
            PutEventsApi.entrySize(entry);
            PutEventsApi.busName(entry.get("EventBusName"));
            putEvents.entryForFuzzing(entry);
          }
        }
        case 5 -> IngestApi.mediaType(new String(bytes, StandardCharsets.UTF_8));
        case 6 -> BusCursor.parse(new String(bytes, StandardCharsets.UTF_8));
        case 7 ->
            ConfigLoader.parse(
                new String(bytes, StandardCharsets.UTF_8),
                "fuzz.yaml",
                dir,
                SluiceKinds.forReading());
        case 8 -> QueryParams.parse(new String(bytes, StandardCharsets.ISO_8859_1));
        default -> {
          // the door's UTF-8 check and the JDK's strict decoder agree on every input
          boolean ours = io.sluice.core.Utf8.firstInvalid(bytes) < 0;
          boolean jdk;
          try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            jdk = true;
          } catch (java.nio.charset.CharacterCodingException e) {
            jdk = false;
          }
          if (ours != jdk) {
            throw new AssertionError("Utf8 says " + ours + ", the JDK " + jdk);
          }
        }
      }
    } catch (InvalidInputException expected) {
      // refused with problems: fine
    } catch (java.io.IOException expected) {
      // only the harness's own JSON parsing of case 4 input throws checked exceptions
    }
  }

  /** The harness's own parse of case 4 input, refusing what PutEventsApi refuses with a 400. */
  private static JsonNode harnessParse(byte[] bytes) throws java.io.IOException {
    try {
      return Json.MAPPER.readTree(bytes);
    } catch (NumberFormatException refusedAs400) {
      return null;
    }
  }
}

package io.sluice.objects.validate;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One JSON array of records, read element by element (never whole): valid records go to a JSON
 * array in the processed output, invalid ones as {@code {"record", "reason"}} to one in the
 * rejected output.
 */
final class JsonFormat implements FormatReader {

  /** Reads one element of an array (the mapper's default refuses the tokens that follow). */
  private static final ObjectReader ELEMENT =
      Json.MAPPER.readerFor(JsonNode.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Strict UTF-8: Jackson's byte parser lets overlong forms through. */
  static CharsetDecoder strictUtf8() {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  @Override
  public Problem judge(
      ValidateTarget spec,
      RowChecks checks,
      InputStream in,
      OutputStream processed,
      OutputStream rejected,
      Rows rows)
      throws IOException {
    var factory = Json.MAPPER.getFactory();
    try (JsonParser p =
            factory.createParser(
                new BufferedReader(new InputStreamReader(in, strictUtf8()), 1 << 16));
        JsonGenerator pg = factory.createGenerator(processed);
        JsonGenerator rg = factory.createGenerator(rejected)) {
      pg.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
      rg.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
      JsonToken first;
      try {
        first = p.nextToken();
      } catch (JsonProcessingException e) {
        return Reasons.ofFile("the file is not JSON: " + e.getOriginalMessage());
      } catch (CharacterCodingException e) {
        return Reasons.ofFile("the file is not valid UTF-8 (a malformed byte sequence)");
      }
      if (first == null) {
        return Reasons.ofFile("the file is empty: expected a JSON array of records");
      }
      if (first != JsonToken.START_ARRAY) {
        return Reasons.ofFile("expected a JSON array of records, got " + first.asString());
      }
      pg.writeStartArray();
      rg.writeStartArray();
      long rowNumber = 0;
      try {
        while (p.nextToken() != JsonToken.END_ARRAY) {
          rowNumber++;
          JsonNode record = ELEMENT.readValue(p);
          String where = "record " + rowNumber;
          List<Problem> reasons;
          Map<String, String> values = Map.of();
          if (record == null || !record.isObject()) {
            reasons =
                List.of(Problem.of(where, "expected a JSON object, got " + Json.describe(record)));
          } else {
            values = RowChecks.values(record);
            Problem text = RowChecks.textProblem(where, record);
            reasons = text != null ? List.of(text) : checks.check(spec, values, record);
          }
          if (reasons.isEmpty()) {
            Json.write(pg, record);
            rows.valid(values, record, rowNumber);
          } else {
            rows.rejected();
            rg.writeStartObject();
            rg.writeFieldName("record");
            if (record == null) {
              rg.writeNull();
            } else {
              Json.write(rg, record);
            }
            rg.writeStringField("reason", Reasons.text(reasons));
            rg.writeEndObject();
          }
        }
      } catch (CharacterCodingException e) {
        return Reasons.ofFile("the file is not valid UTF-8 (a malformed byte sequence)");
      } catch (JsonProcessingException | NumberFormatException e) {
        return Reasons.ofFile(
            "the file is not valid JSON at record "
                + rowNumber
                + ": "
                + (e instanceof JsonProcessingException j
                    ? j.getOriginalMessage()
                    : e.getMessage()));
      }
      pg.writeEndArray();
      rg.writeEndArray();
    }
    return null;
  }
}

package io.sluice.core.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Firehose's data-transformation contract, which a transform function speaks unchanged: it gets
 * {@code {"invocationId","deliveryStreamArn","region","records":[{"recordId",
 * "approximateArrivalTimestamp","data"}]}} with each event's JSON base64-encoded in {@code data},
 * and answers {@code {"records":[{"recordId","result","data"}]}} where {@code result} is {@code Ok}
 * (with the new {@code data}, base64), {@code Dropped} or {@code ProcessingFailed}. Every record
 * sent must come back exactly once; one that is missing, unknown, repeated or malformed is a
 * failure of that record, never silently lost.
 */
public final class FirehoseRecords {

  private FirehoseRecords() {}

  /** One record to transform: its id in the request and its data (an event's JSON). */
  public record Record(String recordId, byte[] data, long arrivalMs) {}

  /** What became of one record. */
  public sealed interface Outcome {}

  /** {@code Ok}: the record's new data (decoded). */
  public record Ok(byte[] data) implements Outcome {}

  /** {@code Dropped}: the function chose to drop it (counted as skipped). */
  public record Dropped() implements Outcome {}

  /** {@code ProcessingFailed}, or an answer about the record that breaks the contract. */
  public record Failed(String reason) implements Outcome {}

  /** The request body for {@code records}. */
  public static byte[] request(String invocationId, String stream, List<Record> records) {
    ObjectNode req = Json.MAPPER.createObjectNode();
    req.put("invocationId", invocationId);
    req.put("deliveryStreamArn", "arn:aws:firehose:local:000000000000:deliverystream/" + stream);
    req.put("region", "local");
    ArrayNode arr = req.putArray("records");
    for (Record r : records) {
      ObjectNode o = arr.addObject();
      o.put("recordId", r.recordId());
      o.put("approximateArrivalTimestamp", r.arrivalMs());
      o.put("data", Base64.getEncoder().encodeToString(r.data()));
    }
    try {
      return Json.MAPPER.writeValueAsBytes(req);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree did not serialize", e);
    }
  }

  /**
   * The outcome of each of {@code sent}, in their order, from the function's {@code response}.
   *
   * @throws IllegalArgumentException when the response as a whole is not the contract's shape (not
   *     JSON, no {@code records} array), with what it was
   */
  public static List<Outcome> outcomes(String function, List<Record> sent, byte[] response) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(response);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "function " + function + " returned something that is not JSON: " + e.getMessage());
    }
    if (root == null || !root.path("records").isArray()) {
      throw new IllegalArgumentException(
          "function "
              + function
              + " must return {\"records\":[{\"recordId\",\"result\",\"data\"}]} (Firehose's"
              + " transformation contract), got "
              + Json.describe(root));
    }
    Map<String, Outcome> byId = new HashMap<>();
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < sent.size(); i++) {
      index.put(sent.get(i).recordId(), i);
    }
    List<String> unknown = new ArrayList<>();
    for (JsonNode r : root.get("records")) {
      String id = r.path("recordId").asText(null);
      if (id == null || !index.containsKey(id)) {
        unknown.add(id == null ? Json.describe(r.path("recordId")) : "\"" + id + "\"");
        continue;
      }
      if (byId.containsKey(id)) {
        byId.put(id, new Failed("function " + function + " answered record " + id + " twice"));
        continue;
      }
      byId.put(id, outcome(function, id, r));
    }
    List<Outcome> out = new ArrayList<>(sent.size());
    for (Record s : sent) {
      Outcome o = byId.get(s.recordId());
      if (o == null) {
        o =
            new Failed(
                "function "
                    + function
                    + " did not answer record "
                    + s.recordId()
                    + (unknown.isEmpty()
                        ? ""
                        : " (it answered unknown recordIds " + String.join(", ", unknown) + ")"));
      }
      out.add(o);
    }
    return out;
  }

  private static Outcome outcome(String function, String id, JsonNode r) {
    String result = r.path("result").asText("");
    switch (result) {
      case "Dropped":
        return new Dropped();
      case "ProcessingFailed":
        return new Failed(
            "function "
                + function
                + " failed record "
                + id
                + " (ProcessingFailed)"
                + (r.hasNonNull("errorMessage") ? ": " + r.get("errorMessage").asText() : ""));
      case "Ok":
        if (!r.path("data").isTextual()) {
          return new Failed(
              "function " + function + " answered record " + id + " Ok without base64 data");
        }
        try {
          return new Ok(Base64.getDecoder().decode(r.get("data").asText()));
        } catch (IllegalArgumentException e) {
          return new Failed(
              "function "
                  + function
                  + " answered record "
                  + id
                  + " with data that is not base64: "
                  + e.getMessage());
        }
      default:
        return new Failed(
            "function "
                + function
                + " answered record "
                + id
                + " with result "
                + Json.describe(r.path("result"))
                + "; expected Ok, Dropped or ProcessingFailed");
    }
  }
}

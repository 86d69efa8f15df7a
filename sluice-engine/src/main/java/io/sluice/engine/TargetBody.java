package io.sluice.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.functions.FirehoseRecords;
import io.sluice.core.functions.Functions;
import io.sluice.core.functions.InvocationResult;
import io.sluice.core.transform.FunctionTransform;
import io.sluice.core.transform.Transform;
import io.sluice.core.transform.TransformInput;
import io.sluice.core.transform.TransformOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What one target is handed for one matched event: the target's transform (input transformer or jq)
 * applied to the event, the way every delivery does it. {@link TargetRunner} delivers with it and
 * {@code sluice test} shows it offline, so the two cannot disagree.
 *
 * <p>A replayed event carries {@code "replay-name"} at the top level, as EventBridge marks them,
 * both for the transform and, without one, in what is sent.
 *
 * <pre>{@code
 * switch (TargetBody.of(target.transform(), input)) {
 *   case TargetBody.Send s -> send(s.body());
 *   case TargetBody.Skip s -> countSkipped(s.reason());
 *   case TargetBody.Fail f -> deadLetter(f.error());
 * }
 * }</pre>
 */
public sealed interface TargetBody {

  /** Deliver {@code body}. */
  record Send(TransformOutput body) implements TargetBody {}

  /** The transform produced nothing (a jq expression without output): skipped and counted. */
  record Skip(String reason) implements TargetBody {}

  /**
   * The transform failed on this event: it is dead-lettered at once (never retried) with {@code
   * error}, which starts with {@code "transform failed: "}.
   */
  record Fail(String error) implements TargetBody {}

  /**
   * A function transform refused this event ({@code ProcessingFailed}): the target keeps it in its
   * error location when it has one (the lake's {@code _errors}), else it is a dead letter with
   * {@code error}, which starts with {@code "transform failed: "}.
   */
  record Reject(String error) implements TargetBody {}

  /**
   * The function that transforms this event failed in a way a later attempt may not (it timed out,
   * crashed, was throttled, or failed with a retryable error): the delivery is retried like a
   * failed send.
   */
  record Retry(String error) implements TargetBody {}

  /**
   * The bodies of a batch: {@link #of} for each, or, for a {@link FunctionTransform}, one call of
   * the function for the whole batch with Firehose's contract. {@code functions} may be null when
   * no function transform is used.
   */
  static List<TargetBody> ofAll(
      Transform transform, List<TransformInput> ins, Functions functions, String caller) {
    List<TargetBody> out = new ArrayList<>(ins.size());
    if (!(transform instanceof FunctionTransform ft)) {
      for (TransformInput in : ins) {
        out.add(of(transform, in));
      }
      return out;
    }
    if (functions == null) {
      throw new IllegalStateException(
          caller + ": function transforms need the node's functions, which are not started");
    }
    List<FirehoseRecords.Record> records = new ArrayList<>(ins.size());
    for (int i = 0; i < ins.size(); i++) {
      TransformInput in = marked(ins.get(i));
      records.add(new FirehoseRecords.Record(Integer.toString(i), bytes(in), in.ingestionTimeMs()));
    }
    String stream = ins.get(0).rule() + "-" + ins.get(0).target();
    byte[] request =
        FirehoseRecords.request(java.util.UUID.randomUUID().toString(), stream, records);
    InvocationResult r =
        functions.invoke(ft.function(), request, caller, java.time.Duration.ofSeconds(30));
    if (r instanceof InvocationResult.Failure f) {
      String error = "transform function " + ft.function() + " failed: " + f.describe();
      for (int i = 0; i < ins.size(); i++) {
        out.add(f.isRetryable() ? new Retry(error) : new Fail("transform failed: " + error));
      }
      return out;
    }
    List<FirehoseRecords.Outcome> outcomes;
    try {
      outcomes =
          FirehoseRecords.outcomes(
              ft.function(), records, ((InvocationResult.Success) r).payload());
    } catch (IllegalArgumentException e) {
      for (int i = 0; i < ins.size(); i++) {
        out.add(new Fail("transform failed: " + e.getMessage()));
      }
      return out;
    }
    for (FirehoseRecords.Outcome o : outcomes) {
      out.add(
          switch (o) {
            case FirehoseRecords.Ok ok -> new Send(body(ok.data()));
            case FirehoseRecords.Dropped d ->
                new Skip("transform function " + ft.function() + " dropped it");
            case FirehoseRecords.Failed f -> new Reject("transform failed: " + f.reason());
          });
    }
    return out;
  }

  /** The event a function transform gets: the stored event, with its replay mark. */
  private static byte[] bytes(TransformInput marked) {
    if (marked.replayName() == null) {
      return marked.eventJson();
    }
    try {
      return Json.MAPPER.writeValueAsBytes(marked.event());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A record's new data: JSON when it parses as JSON, else text. */
  private static TransformOutput body(byte[] data) {
    try {
      JsonNode tree = Json.MAPPER.readTree(data);
      if (tree != null) {
        return new TransformOutput.Json(tree, data);
      }
    } catch (IOException notJson) {
      // text, then
    }
    return new TransformOutput.Text(new String(data, java.nio.charset.StandardCharsets.UTF_8));
  }

  private static TransformInput marked(TransformInput in) {
    if (in.replayName() == null) {
      return in;
    }
    ObjectNode copy = ((ObjectNode) in.event()).deepCopy();
    copy.put("replay-name", in.replayName());
    return new TransformInput(
        copy,
        in.eventJson(),
        in.bus(),
        in.rule(),
        in.target(),
        in.ingestionTimeMs(),
        in.replayName());
  }

  /**
   * Applies {@code transform} to {@code in}; {@code in.event()} is the stored envelope, without a
   * replay mark (added here when {@code in.replayName()} is set).
   */
  static TargetBody of(Transform transform, TransformInput in) {
    TransformInput marked = marked(in);
    TransformOutput body;
    try {
      body = transform.apply(marked);
    } catch (RuntimeException e) {
      return new Fail("transform failed: " + e.getMessage());
    }
    if (body instanceof TransformOutput.Skip skip) {
      return new Skip(skip.reason());
    }
    if (in.replayName() != null && transform == Transform.IDENTITY) {
      body = json(marked.event());
    }
    return new Send(body);
  }

  private static TransformOutput json(JsonNode tree) {
    try {
      return new TransformOutput.Json(tree, Json.MAPPER.writeValueAsBytes(tree));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

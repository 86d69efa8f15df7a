package io.sluice.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.transform.Transform;
import io.sluice.core.transform.TransformInput;
import io.sluice.core.transform.TransformOutput;
import java.io.IOException;

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
   * Applies {@code transform} to {@code in}; {@code in.event()} is the stored envelope, without a
   * replay mark (added here when {@code in.replayName()} is set).
   */
  static TargetBody of(Transform transform, TransformInput in) {
    TransformInput marked = in;
    if (in.replayName() != null) {
      ObjectNode copy = ((ObjectNode) in.event()).deepCopy();
      copy.put("replay-name", in.replayName());
      marked =
          new TransformInput(
              copy,
              in.eventJson(),
              in.bus(),
              in.rule(),
              in.target(),
              in.ingestionTimeMs(),
              in.replayName());
    }
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

package io.sluice.core.transform;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;

/**
 * What a target receives after transformation: JSON ({@code application/json}), plain text (an
 * input template that is not JSON), or nothing (a jq expression that produced no value: the
 * delivery is counted as skipped, never silently lost).
 */
public sealed interface TransformOutput {

  byte[] bytes();

  String contentType();

  /** JSON output; {@code json} is its serialized form. */
  record Json(JsonNode tree, byte[] json) implements TransformOutput {
    @Override
    public byte[] bytes() {
      return json;
    }

    @Override
    public String contentType() {
      return "application/json";
    }
  }

  /** Plain-text output. */
  record Text(String text) implements TransformOutput {
    @Override
    public byte[] bytes() {
      return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String contentType() {
      return "text/plain; charset=utf-8";
    }
  }

  /** The transform produced nothing: skip this delivery (counted). */
  record Skip(String reason) implements TransformOutput {
    @Override
    public byte[] bytes() {
      return new byte[0];
    }

    @Override
    public String contentType() {
      return "";
    }
  }

  /**
   * The transform refused this event (a function transform's {@code ProcessingFailed}). Handed only
   * to a sender that keeps refused items in its own error location ({@link
   * io.sluice.core.targets.Sender#keepsRejected}: the lake's {@code _errors}); for any other target
   * it is a dead letter with {@code reason}.
   */
  record Rejected(String reason) implements TransformOutput {
    @Override
    public byte[] bytes() {
      return reason.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String contentType() {
      return "text/plain; charset=utf-8";
    }
  }
}

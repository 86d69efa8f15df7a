package io.sluice.core.functions;

import java.time.Instant;
import java.util.Objects;

/**
 * One call of a function: its request id (Lambda's {@code aws_request_id}), the payload (JSON
 * bytes), and when it must have ended.
 *
 * @param requestId unique per call; a retry of a delivery gets a new one
 * @param payload the event, UTF-8 JSON, as the handler receives it
 * @param deadline past it the runtime stops the handler and answers a {@code TIMEOUT} failure
 * @param caller who called, for logs: {@code target orders/enrich}, {@code api}, {@code cli}
 */
public record Invocation(String requestId, byte[] payload, Instant deadline, String caller) {
  public Invocation {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(deadline, "deadline");
  }
}

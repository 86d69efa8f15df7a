package io.sluice.core.transform;

/**
 * Turns a matched event into what a target receives. {@link #IDENTITY} passes the stored event
 * unchanged. Implementations are immutable and thread-safe.
 */
public interface Transform {

  Transform IDENTITY = in -> new TransformOutput.Json(in.event(), in.eventJson());

  /**
   * @throws TransformException when the event cannot be transformed (not retried: dead letter)
   */
  TransformOutput apply(TransformInput in);

  /** A transform failed on one event. */
  final class TransformException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TransformException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}

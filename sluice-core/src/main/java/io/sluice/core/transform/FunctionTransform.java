package io.sluice.core.transform;

/**
 * {@code transform: {function: NAME}}: a declared function reshapes the events before the target
 * gets them, with Firehose's data-transformation contract ({@link
 * io.sluice.core.functions.FirehoseRecords}). It runs once per delivery batch on a running node, so
 * {@link #apply} (one event, without the node's functions) is refused; the target runner calls the
 * function instead.
 */
public record FunctionTransform(String function) implements Transform {
  @Override
  public TransformOutput apply(TransformInput in) {
    throw new TransformException(
        "function " + function + " transforms batches on a running node, not one event alone",
        null);
  }
}

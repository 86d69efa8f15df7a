package io.sluice.log;

/** What one retention pass removed. */
public record RetentionResult(int segmentsRemoved, long bytesRemoved, long recordsRemoved) {
  public static final RetentionResult NONE = new RetentionResult(0, 0, 0);

  RetentionResult plus(RetentionResult o) {
    return new RetentionResult(
        segmentsRemoved + o.segmentsRemoved,
        bytesRemoved + o.bytesRemoved,
        recordsRemoved + o.recordsRemoved);
  }
}

package io.sluice.log;

/**
 * What happened to one appended record: where it landed (partition, offset, append time in epoch
 * milliseconds), or why it was not stored. Records of one partition in one append succeed or fail
 * together; a failed record is never visible to readers.
 *
 * @param offset the record's offset, or -1 when {@code error} is set
 * @param error {@code null} on success, else a {@link io.sluice.core.TransientException} (retry) or
 *     an {@link io.sluice.core.InvalidInputException} (do not)
 */
public record AppendResult(int partition, long offset, long timestampMs, RuntimeException error) {

  public static AppendResult ok(int partition, long offset, long timestampMs) {
    return new AppendResult(partition, offset, timestampMs, null);
  }

  public static AppendResult failed(int partition, RuntimeException error) {
    return new AppendResult(partition, -1, -1, error);
  }

  public boolean isOk() {
    return error == null;
  }
}

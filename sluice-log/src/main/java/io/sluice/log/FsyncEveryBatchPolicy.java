package io.sluice.log;

/** Acknowledge an append only after it was fsynced (group commit shares the fsync). */
public record FsyncEveryBatchPolicy() implements FsyncPolicy {
  @Override
  public boolean acknowledgesBeforeFsync() {
    return false;
  }
}

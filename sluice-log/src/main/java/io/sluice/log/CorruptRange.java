package io.sluice.log;

/**
 * Records of a partition that cannot be read because the batch holding them is damaged (bit rot, a
 * bad disk): offsets {@code [fromOffset, toOffset)} of {@code log}/{@code partition}, in {@code
 * file} from byte {@code position}. Readers skip them and go on with the next valid batch; the log
 * reports each range once (a {@link LogIncident}, a metric).
 */
public record CorruptRange(
    String log,
    int partition,
    String file,
    long position,
    long fromOffset,
    long toOffset,
    String reason) {

  /** "log orders partition 0: offsets 5..7 (3 records) at byte 1024 of …: CRC32C mismatch…" */
  public String describe() {
    return "log "
        + log
        + " partition "
        + partition
        + ": "
        + (toOffset > fromOffset
            ? "offsets "
                + fromOffset
                + ".."
                + (toOffset - 1)
                + " ("
                + (toOffset - fromOffset)
                + (toOffset - fromOffset == 1 ? " record" : " records")
                + ")"
            : "no records")
        + " in a damaged batch at byte "
        + position
        + " of "
        + file
        + ": "
        + reason;
  }
}

package io.sluice.log;

import java.time.Instant;

/**
 * Something the log found wrong and worked around, for people to look at: a damaged cursor it
 * resumed from an earlier point, a corrupt batch it read around. Shown by the server's {@code
 * /health}.
 *
 * @param log the log (bus) concerned
 * @param kind a stable word: {@code damaged-cursor}, {@code corrupt-batch}
 * @param message what happened and what was done, naming the file, partition and offsets
 */
public record LogIncident(Instant time, String log, String kind, String message) {}

package io.sluice.core.functions;

import java.nio.file.Path;
import java.time.Clock;

/**
 * What a runtime kind's functions are started with, besides their own settings.
 *
 * @param workDir a directory of the data directory this function may use (unpacked code, caches,
 *     the llm response cache); created by the host, kept across restarts
 * @param clock the node's clock
 * @param log where the function's output goes
 */
public record RuntimeContext(Path workDir, Clock clock, FunctionLog log) {}

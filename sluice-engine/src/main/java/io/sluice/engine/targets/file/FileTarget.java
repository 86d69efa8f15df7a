package io.sluice.engine.targets.file;

import io.sluice.core.config.TargetConfig.TargetSpec;
import java.nio.file.Path;
import java.time.Duration;

/** Append NDJSON lines to files in a directory, rolled by size and age. */
public record FileTarget(Path dir, long rollBytes, Duration rollInterval) implements TargetSpec {
  @Override
  public String kind() {
    return FileTargetKind.NAME;
  }
}

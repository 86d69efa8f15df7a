package io.sluice.engine.targets.file;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.kinds.ReadContext;
import io.sluice.core.kinds.Schemas;
import io.sluice.core.kinds.TargetContext;
import io.sluice.core.kinds.TargetKind;
import io.sluice.core.targets.Sender;
import java.time.Duration;

/** {@code file: {dir, rollBytes, rollInterval}}: NDJSON files, one line per event. */
public final class FileTargetKind implements TargetKind<FileTarget> {

  static final String NAME = "file";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Class<FileTarget> specType() {
    return FileTarget.class;
  }

  @Override
  public FileTarget read(ConfigNode n, ReadContext context) {
    if (!n.isObject(true, "a mapping with dir, rollBytes, rollInterval")) {
      return null;
    }
    n.allowOnly("dir", "rollBytes", "rollInterval");
    String dir = n.field("dir").requiredString("a directory for the NDJSON files");
    long rollBytes = n.field("rollBytes").bytes(64L << 20, 1024, 1L << 40);
    Duration rollInterval = n.field("rollInterval").duration(Duration.ofHours(1));
    return new FileTarget(
        dir == null ? null : context.base().resolve(dir).normalize(), rollBytes, rollInterval);
  }

  @Override
  public ObjectNode schema() {
    return Schemas.resource(FileTargetKind.class, "file.schema.json");
  }

  @Override
  public Sender sender(FileTarget spec, TargetContext context) {
    return new FileSender(spec, context.rule(), context.target().id(), context.clock());
  }
}

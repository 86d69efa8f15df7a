package io.sluice.engine.targets.log;

import io.sluice.core.targets.Outbound;
import io.sluice.core.targets.Sender;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each delivery at INFO on logger {@code sluice.target.<rule>.<id>}, as {@code <rule>/<id>:
 * <body>}. The launcher's logging keeps {@code sluice.target} at INFO whatever the level, since
 * this is output, not diagnostics.
 */
final class LogSender implements Sender {

  private final Logger log;
  private final String name;

  LogSender(String rule, String id) {
    this.log = LoggerFactory.getLogger("sluice.target." + rule + "." + id);
    this.name = rule + "/" + id + ": ";
  }

  @Override
  public void send(List<Outbound> items) {
    for (Outbound o : items) {
      log.info(
          "{}{}{}",
          name,
          o.replayName() == null ? "" : "[replay " + o.replayName() + "] ",
          new String(o.body().bytes(), StandardCharsets.UTF_8));
    }
  }
}

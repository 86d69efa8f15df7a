package io.sluice.core.kinds;

import io.sluice.core.Problem;
import io.sluice.core.config.ConfigNode;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Function;

/**
 * What a kind's config reader may look at besides its own settings.
 *
 * @param buses the configured bus names (a setting naming a bus must name one of them), in order
 * @param env environment lookup for {@code ${env:NAME}}
 * @param base the directory relative paths resolve against (the config file's directory)
 */
public record ReadContext(Set<String> buses, Function<String, String> env, Path base) {

  /** Records a problem on {@code n} unless {@code bus} is a configured bus. */
  public void checkBus(ConfigNode n, String bus) {
    if (bus != null && !buses.contains(bus)) {
      n.problem(
          "names bus "
              + Problem.render(bus)
              + ", which is not configured (buses: "
              + String.join(", ", buses)
              + ")");
    }
  }
}

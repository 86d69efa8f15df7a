package io.sluice.testkit;

import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;

/** What the config loader says about a YAML text, for tests of kinds and of the loader. */
public final class ConfigProblems {

  private ConfigProblems() {}

  /**
   * The problems of {@code yaml} read with {@code kinds} (relative paths against {@code
   * /srv/sluice}), each as {@code path: message}; empty when it is valid.
   *
   * @throws AssertionError when the loader fails with another code than {@code INVALID_CONFIG}
   */
  public static List<String> of(String yaml, io.sluice.core.kinds.Kinds kinds) {
    try {
      ConfigLoader.parse(yaml, "test.yaml", Path.of("/srv/sluice"), kinds);
    } catch (InvalidInputException e) {
      if (!InvalidInputException.INVALID_CONFIG.equals(e.code())) {
        throw new AssertionError("expected INVALID_CONFIG, got " + e.code(), e);
      }
      return e.problems().stream().map(Problem::toString).toList();
    }
    return List.of();
  }
}

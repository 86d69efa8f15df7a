package io.sluice.functions.process;

import io.sluice.core.config.FunctionConfig.RuntimeSpec;
import java.nio.file.Path;

/**
 * A process runtime's settings of one function.
 *
 * @param handler as the runtime takes it ({@code app.handler}); {@code null} for a {@code provided}
 *     runtime that was given none
 * @param code the code directory or {@code .zip}, absolute (resolved against the config file's
 *     directory)
 */
public record ProcessSpec(String runtime, String handler, Path code) implements RuntimeSpec {

  /** Whether the code is a zip archive, unpacked into the function's work directory at start. */
  public boolean isZip() {
    return code.getFileName() != null && code.getFileName().toString().endsWith(".zip");
  }

  /** Whether the code is a java runtime's {@code .jar}, put in {@code <workDir>/code/lib}. */
  public boolean isJar() {
    return code.getFileName() != null && code.getFileName().toString().endsWith(".jar");
  }

  /** A zip or a jar: its entries are read for the checks of {@code sluice validate}. */
  public boolean isArchive() {
    return isZip() || isJar();
  }
}

package io.sluice.cli;

import io.sluice.core.config.BusConfig;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.ConfigSchema;
import io.sluice.core.config.SluiceConfig;
import io.sluice.server.SluiceKinds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice validate CONFIG}: every problem at once, with its path; exit 1 if any. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description =
        "Check a configuration file and report every problem with its path (exit 1 if any).")
final class ValidateCommand implements Callable<Integer> {

  @Parameters(arity = "0..1", paramLabel = "CONFIG", description = "Configuration file (YAML).")
  Path config;

  @Option(
      names = "--schema",
      description = "Print the configuration's JSON Schema (for editors) instead.")
  boolean schema;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (schema) {
      spec.commandLine().getOut().print(ConfigSchema.text(SluiceKinds.forReading()));
      return 0;
    }
    if (config == null) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "Missing required parameter: 'CONFIG'");
    }
    SluiceConfig c = ConfigLoader.load(config, SluiceKinds.forReading());
    spec.commandLine()
        .getOut()
        .printf(
            "%s is valid: %d bus%s (%s), listening on %s:%d, data in %s%n",
            config,
            c.buses().size(),
            c.buses().size() == 1 ? "" : "es",
            String.join(", ", c.buses().stream().map(BusConfig::name).toList()),
            c.server().host(),
            c.server().port(),
            c.dataDir());
    return 0;
  }
}

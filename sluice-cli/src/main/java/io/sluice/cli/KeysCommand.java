package io.sluice.cli;

import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.config.ConfigLoader;
import io.sluice.server.ApiKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice keys new}: makes an API key and prints what to put in the config. */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "Manage API keys.",
    subcommands = {KeysCommand.New.class})
final class KeysCommand implements Runnable {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "new",
      mixinStandardHelpOptions = true,
      description = {
        "Print a new random API key and the config lines that allow it.",
        "Only the SHA-256 goes into the config; keep the key itself secret (it is shown once)."
      })
  static final class New implements Callable<Integer> {
    @Option(
        names = "--name",
        defaultValue = "my-key",
        description = "Name of the key (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(
        names = "--scope",
        description =
            "A scope: ingest:<bus>, ingest:*, objects:write, functions:invoke, read or admin (repeat; default: ingest:* and read).")
    List<String> scopes = new ArrayList<>();

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      for (String scope : scopes) {
        if (!ConfigLoader.isScope(scope)) {
          throw new CommandLine.ParameterException(
              spec.commandLine(),
              "--scope: " + ConfigLoader.SCOPE_EXPECTED + ", got " + Problem.render(scope));
        }
      }
      if (name.isBlank()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--name: expected a non-empty name, got " + Problem.render(name));
      }
      List<String> s = scopes.isEmpty() ? List.of("ingest:*", "read") : scopes;
      String key = ApiKeys.newKey();
      var out = spec.commandLine().getOut();
      out.println("key:    " + key);
      out.println("sha256: " + ApiKeys.sha256Hex(key));
      out.println();
      out.println("Add to your config (clients send: Authorization: Bearer <key>):");
      out.println("auth:");
      out.println("  keys:");
      out.println("    - name: " + Json.MAPPER.valueToTree(name)); // quoted: any name is valid YAML
      out.println("      sha256: " + ApiKeys.sha256Hex(key));
      out.println(
          "      scopes: ["
              + String.join(
                  ", ", s.stream().map(x -> Json.MAPPER.valueToTree(x).toString()).toList())
              + "]");
      return 0;
    }
  }
}

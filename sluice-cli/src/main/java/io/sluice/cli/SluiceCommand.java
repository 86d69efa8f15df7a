package io.sluice.cli;

import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.SluiceException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sluice} executable.
 *
 * <p>Exit codes scripts can rely on: 0 done; 1 the operation failed or its input was invalid (the
 * message says which field and why); 2 the command line itself was wrong (unknown option, missing
 * argument). {@code sluice test --expect} exits 1 when the results differ from the expected ones;
 * {@code sluice rules test} exits 3 for an event its pattern does not match.
 */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceCommand.Version.class,
    description = "Sluice: a self-hosted event-driven data platform in one process.",
    subcommands = {
      RunCommand.class,
      SendCommand.class,
      TailCommand.class,
      BusesCommand.class,
      ValidateCommand.class,
      TestCommand.class,
      KeysCommand.class,
      RulesCommand.class,
      DlqCommand.class,
      ReplayCommand.class,
      StatsCommand.class,
      QueryCommand.class,
      TablesCommand.class,
      DemoCommand.class,
      ObjectCommands.Put.class,
      ObjectCommands.Get.class,
      ObjectCommands.Objects.class,
      LogCommand.class,
      FunctionsCommand.class,
      SchedulesCommand.class,
      ReportsCommand.class,
      AlarmsCommand.class,
      AnalysesCommand.class,
      CommandLine.HelpCommand.class
    })
public final class SluiceCommand implements Runnable {

  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = execute(args, out, err);
    out.flush(); // print() does not flush an autoflush writer: the last bytes would be lost
    err.flush();
    System.exit(code);
  }

  /** Runs a command line with the given output streams; returns the exit code. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new SluiceCommand());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExpandAtFiles(false); // @file arguments are ours (rules test, rules put)
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("sluice: " + describe(ex));
          if (ex instanceof InvalidInputException iie && !saysItAll(iie)) {
            for (Problem p : iie.problems()) {
              commandLine.getErr().println("  " + p);
            }
          }
          commandLine.getErr().flush();
          return EXIT_FAILED;
        });
    try {
      return cl.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** True when the message is the one problem itself, so listing it again would repeat it. */
  private static boolean saysItAll(InvalidInputException e) {
    return e.problems().isEmpty()
        || (e.problems().size() == 1 && e.problems().get(0).toString().equals(e.getMessage()));
  }

  static String describe(Throwable ex) {
    if (ex instanceof SluiceException || ex instanceof java.io.UncheckedIOException) {
      String m = ex.getMessage();
      // a problem of the whole input has the path "/", which says nothing on a command line
      return m != null && m.startsWith("/: ") ? m.substring(3) : m;
    }
    return ex.toString();
  }

  /** Prints the version from the jar manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = SluiceCommand.class.getPackage().getImplementationVersion();
      return new String[] {"sluice " + (v == null ? "dev" : v)};
    }
  }
}

package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The documented exit codes (0 done, 1 failed or invalid input, 2 the command line was wrong) and
 * messages, over every command.
 */
class CommandLineTest {

  @TempDir Path dir;

  private final String terminalBefore = System.getProperty(Terminal.PROPERTY);
  private final InputStream stdinBefore = System.in;

  @AfterEach
  void restore() {
    if (terminalBefore == null) {
      System.clearProperty(Terminal.PROPERTY);
    } else {
      System.setProperty(Terminal.PROPERTY, terminalBefore);
    }
    System.setIn(stdinBefore);
  }

  /** Every command and subcommand, as the words that run it. */
  static List<List<String>> everyCommand() {
    List<List<String>> all = new ArrayList<>();
    walk(new CommandLine(new SluiceCommand()), new ArrayList<>(), all);
    return all;
  }

  private static void walk(CommandLine cl, List<String> path, List<List<String>> all) {
    for (var e : cl.getSubcommands().entrySet()) {
      if (e.getKey().equals("help") || !e.getValue().getCommandName().equals(e.getKey())) {
        continue; // picocli's help, and aliases
      }
      List<String> p = new ArrayList<>(path);
      p.add(e.getKey());
      all.add(p);
      walk(e.getValue(), p, all);
    }
  }

  @Test
  void everyCommandAnswersAnUnknownOptionWithExitTwo() {
    List<List<String>> commands = everyCommand();
    assertThat(commands).hasSizeGreaterThan(20);
    for (List<String> c : commands) {
      List<String> args = new ArrayList<>(c);
      args.add("--no-such-option");
      LogCommandTest.Run r = LogCommandTest.run(args.toArray(String[]::new));
      assertThat(r.exit()).as("sluice %s --no-such-option: %s", c, r.err()).isEqualTo(2);
      assertThat(r.err())
          .as("sluice %s", c)
          .containsAnyOf("Unknown option: '--no-such-option'", "Missing required")
          .contains("Usage: sluice " + String.join(" ", c));
    }
  }

  @Test
  void everyCommandHasHelpThatExitsZero() {
    for (List<String> c : everyCommand()) {
      List<String> args = new ArrayList<>(c);
      args.add("--help");
      LogCommandTest.Run r = LogCommandTest.run(args.toArray(String[]::new));
      assertThat(r.exit()).as("sluice %s --help", c).isZero();
      assertThat(r.out())
          .as("sluice %s --help", c)
          .startsWith("Usage: sluice " + String.join(" ", c));
    }
  }

  @Test
  void missingOrWrongArgumentsExitTwoAndSayWhatIsMissing() {
    assertUsage(
        List.of("send", "--url", "http://127.0.0.1:1", "{}"),
        "Missing required option '--source': a DETAIL needs --source and --type (or send whole"
            + " events with --file)");
    assertUsage(
        List.of("send", "--source", "s", "{}"),
        "Missing required option '--type': a DETAIL needs --source and --type (or send whole"
            + " events with --file)");
    assertUsage(List.of("validate"), "Missing required parameter: 'CONFIG'");
    assertUsage(List.of("reports", "run"), "Missing required parameter: 'NAME'");
    assertUsage(
        List.of("replay", "--to", "2026-01-01T00:00:00Z"),
        "Missing required option: '--from=<from>'");
    assertUsage(
        List.of("keys", "new", "--scope", "bogus"),
        "--scope: expected a scope ingest:<bus>, ingest:*, objects:write, functions:invoke, read or admin, got"
            + " \"bogus\"");
    assertUsage(
        List.of("keys", "new", "--name", " "), "--name: expected a non-empty name, got \" \"");
    assertUsage(
        List.of("run", "--log-level", "loud"),
        "--log-level: expected one of error, warn, info, debug, trace, got \"loud\"");
    assertUsage(List.of("log", "read", "--limit", "x"), "Invalid value for option '--limit'");
    assertUsage(
        List.of("alarms", "list", "--format", "xml"),
        "--format: expected table or json, got \"xml\"");
    assertUsage(
        List.of("tail", "--from", "yesterday"),
        "--from: expected earliest, latest, an offset or an ISO-8601 time like"
            + " 2026-11-23T10:00:00Z, got \"yesterday\"");
    assertUsage(
        List.of("replay", "--from", "junk", "--to", "2026-01-01T00:00:00Z"),
        "--from: expected an ISO-8601 time like 2026-11-24T08:00:00Z, got \"junk\"");
    assertUsage(
        List.of("buses", "--url", "notaurl"),
        "--url: expected an http:// or https:// URL like http://127.0.0.1:7070, got \"notaurl\"");
    assertUsage(
        List.of("put", "--url", "http://127.0.0.1:99999", "pom.xml", "b/k"),
        "--url: expected an http:// or https:// URL like http://127.0.0.1:7070, got"
            + " \"http://127.0.0.1:99999\"");
    assertUsage(List.of("schedules", "fire"), "Missing required parameter: 'NAME'");
    assertUsage(
        List.of("schedules", "list", "--format", "xml"),
        "--format: expected table or json, got \"xml\"");
  }

  @Test
  void reportsRunWithAnEventThatIsNotJsonExitsOne() {
    LogCommandTest.Run r =
        LogCommandTest.run("reports", "run", "--url", "http://127.0.0.1:1", "daily", "{nope");
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("/event: expected a JSON object, got \"{nope\"");
  }

  private static void assertUsage(List<String> args, String message) {
    LogCommandTest.Run r = LogCommandTest.run(args.toArray(String[]::new));
    assertThat(r.exit()).as("sluice %s: %s", args, r.err()).isEqualTo(2);
    assertThat(r.err()).as("sluice %s", args).startsWith(message);
  }

  @Test
  void aConfigWithOneProblemSaysWhatItIs() throws Exception {
    Path one = dir.resolve("one.yaml");
    Files.writeString(
        one,
        """
        rules:
          - name: big-orders
            pattern: {source: [shop]}
            targets:
              - id: hook
                http: {url: "http://localhost:9000/orders", headers: {Authorization: "Bearer ${env:SLUICE_TEST_UNSET_TOKEN}"}}
        """);

    LogCommandTest.Run validate = LogCommandTest.run("validate", one.toString());
    LogCommandTest.Run run = LogCommandTest.run("run", one.toString(), "--port", "0");

    String expected =
        "sluice: "
            + one
            + " has 1 problem\n"
            + "  /rules/0/targets/0/http/headers/Authorization: uses environment variable"
            + " SLUICE_TEST_UNSET_TOKEN, which is not set\n";
    assertThat(validate.exit()).isEqualTo(1);
    assertThat(validate.err()).isEqualTo(expected);
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).isEqualTo(expected);
  }

  @Test
  void aConfigWithAnUnknownLogLevelNamesTheLevels() throws Exception {
    Path f = dir.resolve("level.yaml");
    Files.writeString(f, "server: {logLevel: loud}\n");

    LogCommandTest.Run r = LogCommandTest.run("validate", f.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "sluice: "
                + f
                + " has 1 problem\n"
                + "  /server/logLevel: expected one of error, warn, info, debug, trace, got"
                + " \"loud\"\n");
  }

  @Test
  void dlqPurgeWithoutAFilterNeedsAllOrYesWhenNoOneIsAtATerminal() {
    System.setProperty(Terminal.PROPERTY, "");

    LogCommandTest.Run r = LogCommandTest.run("dlq", "purge", "--url", "http://127.0.0.1:1");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .startsWith(
            "sluice dlq purge without --bus, --rule or --target deletes every dead letter: pass"
                + " --all to confirm");
  }

  @Test
  void dlqPurgeWithoutAFilterAsksAtATerminalAndStopsUnlessTheAnswerIsYes() {
    System.setProperty(Terminal.PROPERTY, "stdin,stdout,stderr,");
    System.setIn(new ByteArrayInputStream("no\n".getBytes(StandardCharsets.UTF_8)));

    LogCommandTest.Run r = LogCommandTest.run("dlq", "purge", "--url", "http://127.0.0.1:1");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "Delete every dead letter of every bus, rule and target? Type yes to go on: "
                + "sluice: nothing purged\n");
  }

  @Test
  void keysNewQuotesTheNameSoAnyNameIsValidYaml() {
    LogCommandTest.Run r = LogCommandTest.run("keys", "new", "--name", "ci: main # 1");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("    - name: \"ci: main # 1\"\n");
  }

  @Test
  void anAnswerFromAProgramThatIsNotSluiceIsRefusedWithTheUrl() {
    try (io.sluice.testkit.HttpReceiver other =
        io.sluice.testkit.HttpReceiver.start(r -> io.sluice.testkit.HttpReceiver.Reply.OK)) {
      String url = other.url().toString();

      LogCommandTest.Run r = LogCommandTest.run("stats", "--url", url);

      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err())
          .isEqualTo(
              "sluice: the program answering at "
                  + url
                  + " is not a Sluice server (HTTP 200, no Sluice-Version header); pass --url (or"
                  + " set $SLUICE_URL) to reach Sluice\n");
    }
  }

  @Test
  void rulesTestRefusesAnEventIngestWouldRefuse() {
    LogCommandTest.Run r =
        LogCommandTest.run(
            "rules",
            "test",
            "--pattern",
            "{\"source\":[\"shop\"]}",
            "--event",
            "{\"source\":\"shop\",\"detail\":[1]}");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("sluice: /event/detail: expected a JSON object, got array [1]\n");
    LogCommandTest.Run notAnObject =
        LogCommandTest.run(
            "rules", "test", "--pattern", "{\"source\":[\"shop\"]}", "--event", "[1]");
    assertThat(notAnObject.exit()).isEqualTo(1);
    assertThat(notAnObject.err())
        .isEqualTo("sluice: /event: expected a JSON object (an event), got array [1]\n");
  }
}

package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LogCommandTest {

  @TempDir Path data;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = SluiceCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void appendThenReadShowsTheRecordsWithTheirPositions() {
    Run a =
        run(
            "log",
            "append",
            "--data",
            data.toString(),
            "--log",
            "orders",
            "--partitions",
            "2",
            "--partition",
            "1",
            "one",
            "two");
    assertThat(a.exit()).isZero();
    assertThat(a.out()).isEqualTo("partition 1 offset 0\npartition 1 offset 1\n");

    Run r = run("log", "read", "--data", data.toString(), "--log", "orders");
    assertThat(r.exit()).isZero();
    assertThat(r.out().lines().toList())
        .hasSize(2)
        .allSatisfy(l -> assertThat(l).startsWith("1\t"))
        .anySatisfy(l -> assertThat(l).endsWith("\t-\tone"))
        .anySatisfy(l -> assertThat(l).endsWith("\t-\ttwo"));

    Run from =
        run(
            "log",
            "read",
            "--data",
            data.toString(),
            "--log",
            "orders",
            "--from",
            "1",
            "--partition",
            "1");
    assertThat(from.out().lines().toList())
        .singleElement()
        .satisfies(l -> assertThat(l).startsWith("1\t1\t").endsWith("two"));
  }

  @Test
  void infoShowsPartitionsAndAnIntactRecovery() {
    run("log", "append", "--data", data.toString(), "--log", "a", "--key", "k", "x");

    Run i = run("log", "info", "--data", data.toString());

    assertThat(i.exit()).isZero();
    assertThat(i.out())
        .contains("log a: 1 partitions, 1 records,")
        .contains("retention 7d, fsync always")
        .endsWith("recovery: intact\n");
  }

  @Test
  void infoAndReadChangeNothingAndRepairCutsATornTail() throws Exception {
    run("log", "append", "--data", data.toString(), "--log", "a", "one", "two");
    Path segment = data.resolve("log/a/0/00000000000000000000.log");
    long clean = java.nio.file.Files.size(segment);
    // a torn write at the end, as a crash mid-append leaves it
    java.nio.file.Files.write(
        segment, new byte[] {0, 0, 0, 99, 1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
    byte[] torn = java.nio.file.Files.readAllBytes(segment);
    java.util.List<String> before = tree();

    Run info = run("log", "info", "--data", data.toString());
    assertThat(info.exit()).as(info.err()).isZero();
    assertThat(info.out())
        .contains("log a: 1 partitions, 2 records,")
        .contains(
            "recovery: "
                + segment
                + " is torn at byte "
                + clean
                + " (7 bytes after it): incomplete batch header: 7 bytes left, a header is 30")
        .endsWith(
            "recovery: nothing was changed; 'sluice log repair' cuts the torn tail and sets aside"
                + " what follows it (as starting the server does)\n");
    Run read = run("log", "read", "--data", data.toString(), "--log", "a");
    assertThat(read.out().lines().toList()).hasSize(2);
    assertThat(java.nio.file.Files.readAllBytes(segment))
        .as("info and read wrote nothing")
        .isEqualTo(torn);
    assertThat(tree()).as("no file was added, renamed or removed").isEqualTo(before);

    Run repair = run("log", "repair", "--data", data.toString());
    assertThat(repair.exit()).isZero();
    assertThat(repair.out())
        .isEqualTo(
            "repair: cut "
                + segment
                + " at byte "
                + clean
                + " (7 bytes removed): incomplete batch header: 7 bytes left, a header is 30\n");
    assertThat(java.nio.file.Files.size(segment)).isEqualTo(clean);
    assertThat(run("log", "info", "--data", data.toString()).out()).endsWith("recovery: intact\n");
    assertThat(run("log", "repair", "--data", data.toString()).out())
        .isEqualTo("repair: the logs are intact; nothing to do\n");
  }

  @Test
  void verifyReadsEveryBatchAndNamesTheDamagedOnes() throws Exception {
    for (int i = 0; i < 3; i++) {
      run("log", "append", "--data", data.toString(), "--log", "a", "record-" + i);
    }
    Run clean = run("log", "verify", "--data", data.toString());
    assertThat(clean.exit()).isZero();
    assertThat(clean.out()).isEqualTo("verify: 1 logs, 3 records, every batch intact\n");
    Path segment = data.resolve("log/a/0/00000000000000000000.log");
    byte[] b = java.nio.file.Files.readAllBytes(segment);
    int second = 4 + java.nio.ByteBuffer.wrap(b).getInt(0);
    b[second + 35] ^= 0x01; // a byte of the second batch's record
    java.nio.file.Files.write(segment, b);

    Run damaged = run("log", "verify", "--data", data.toString());
    assertThat(damaged.exit()).isEqualTo(1);
    assertThat(damaged.out())
        .startsWith(
            "verify: log a partition 0: offsets 1..1 (1 record) in a damaged batch at byte "
                + second
                + " of "
                + segment
                + ": CRC32C mismatch")
        .endsWith("verify: 1 damaged batch; readers skip them (the records in them are lost)\n");
    assertThat(java.nio.file.Files.readAllBytes(segment)).as("verify changes nothing").isEqualTo(b);
  }

  @Test
  void infoOnADirectoryWithoutLogsSaysSoAndCreatesNothing() {
    Path none = data.resolve("nothing-here");
    Run info = run("log", "info", "--data", none.toString());
    assertThat(info.exit()).isEqualTo(1);
    assertThat(info.err()).contains("there is no event log at " + none.resolve("log"));
    assertThat(none).doesNotExist();
  }

  /** Every file under the data directory with its size, sorted. */
  private java.util.List<String> tree() throws java.io.IOException {
    try (var s = java.nio.file.Files.walk(data)) {
      return s.filter(java.nio.file.Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().equals(".lock"))
          .map(
              p -> {
                try {
                  return data.relativize(p) + " " + java.nio.file.Files.size(p);
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .sorted()
          .toList();
    }
  }

  @Test
  void badInputNamesTheOptionAndExitsOne() {
    run("log", "append", "--data", data.toString(), "--log", "a", "x");

    Run badFrom =
        run("log", "read", "--data", data.toString(), "--log", "a", "--from", "yesterday");
    assertThat(badFrom.exit()).isEqualTo(1);
    assertThat(badFrom.err())
        .isEqualTo(
            "sluice: /from: expected an offset, 'earliest' or an ISO-8601 time like 2026-11-23T10:00:00Z, got \"yesterday\"\n");

    Run unknownLog = run("log", "read", "--data", data.toString(), "--log", "nope");
    assertThat(unknownLog.exit()).isEqualTo(1);
    assertThat(unknownLog.err()).isEqualTo("sluice: /name: no log named \"nope\"\n");

    Run badPartition =
        run("log", "read", "--data", data.toString(), "--log", "a", "--partition", "3");
    assertThat(badPartition.err())
        .isEqualTo("sluice: /partition: log a has partitions 0..0, got 3\n");

    Run badName = run("log", "append", "--data", data.toString(), "--log", "../up", "x");
    assertThat(badName.exit()).isEqualTo(1);
    assertThat(badName.err()).startsWith("sluice: /name: expected 1-128 characters");
  }

  @Test
  void usageErrorsExitTwo() {
    Run r = run("log", "read", "--data", data.toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("Missing required option: '--log=<log>'");
  }

  @Test
  void everyCommandHasHelp() {
    CommandLine root = new CommandLine(new SluiceCommand());
    java.util.List<java.util.List<String>> paths = new java.util.ArrayList<>();
    collect(root, new java.util.ArrayList<>(), paths);
    assertThat(paths).hasSizeGreaterThan(4);
    for (java.util.List<String> path : paths) {
      java.util.List<String> args = new java.util.ArrayList<>(path);
      args.add("--help");
      Run r = run(args.toArray(String[]::new));
      assertThat(r.exit()).as("%s --help", path).isZero();
      assertThat(r.out()).as("%s --help", path).startsWith("Usage: sluice");
    }
  }

  private static void collect(
      CommandLine cl, java.util.List<String> prefix, java.util.List<java.util.List<String>> out) {
    out.add(prefix);
    for (var e : cl.getSubcommands().entrySet()) {
      if (e.getKey().equals("help")) {
        continue;
      }
      java.util.List<String> p = new java.util.ArrayList<>(prefix);
      p.add(e.getKey());
      collect(e.getValue(), p, out);
    }
  }
}

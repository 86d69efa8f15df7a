package io.sluice.cli;

import io.sluice.core.EventCodec;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.log.AppendResult;
import io.sluice.log.EmbeddedEventLog;
import io.sluice.log.EventLog;
import io.sluice.log.LogEntry;
import io.sluice.log.LogInfo;
import io.sluice.log.LogReader;
import io.sluice.log.LogRecord;
import io.sluice.log.LogSpec;
import io.sluice.log.RecoveryReport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice log …}: try the embedded event log by hand, without a server. */
@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    description = {
      "Work with the embedded event log directly (no server).",
      "The data directory must not be in use by a running server."
    },
    subcommands = {
      LogCommand.Append.class,
      LogCommand.Read.class,
      LogCommand.Info.class,
      LogCommand.Verify.class,
      LogCommand.Repair.class
    })
final class LogCommand implements Runnable {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  abstract static class DataDirOption {
    @Option(
        names = "--data",
        defaultValue = "./sluice-data",
        description = "Data directory (default: ${DEFAULT-VALUE}); logs live in DIR/log.")
    Path data;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    /** Opens the logs to write (appends, repair): recovery cuts what is torn. */
    EventLog open() {
      return EmbeddedEventLog.open(data.resolve("log"), Clock.systemUTC());
    }

    /** Opens the logs only to look: nothing on disk changes (info, read). */
    EventLog openReadOnly() {
      return EmbeddedEventLog.openReadOnly(data.resolve("log"), Clock.systemUTC());
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }
  }

  @Command(
      name = "append",
      mixinStandardHelpOptions = true,
      description = {
        "Append records to a log (created if missing) and print where each landed.",
        "Values come from the arguments, or one per line from standard input."
      })
  static final class Append extends DataDirOption implements Callable<Integer> {
    @Option(names = "--log", required = true, description = "Log (bus) name.")
    String log;

    @Option(
        names = "--partitions",
        defaultValue = "1",
        description = "Partitions when creating (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--key", description = "Record key (chooses the partition by hash).")
    String key;

    @Option(names = "--partition", description = "Append to this partition.")
    Integer partition;

    @Parameters(arity = "0..*", paramLabel = "VALUE", description = "Record values.")
    List<String> values = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      List<String> vals = values;
      if (vals.isEmpty()) {
        vals = new ArrayList<>();
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
          if (!line.isEmpty()) {
            vals.add(line);
          }
        }
      }
      try (EventLog l = open()) {
        if (!l.names().contains(log)) {
          l.create(log, LogSpec.defaults(partitions));
        }
        List<LogRecord> records = new ArrayList<>();
        for (String v : vals) {
          records.add(
              new LogRecord(
                  partition,
                  key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                  v.getBytes(StandardCharsets.UTF_8)));
        }
        int failed = 0;
        for (AppendResult r : l.append(log, records).join()) {
          if (r.isOk()) {
            out().printf("partition %d offset %d%n", r.partition(), r.offset());
          } else {
            failed++;
            spec.commandLine().getErr().println("sluice: not stored: " + r.error().getMessage());
          }
        }
        return failed == 0 ? 0 : SluiceCommand.EXIT_FAILED;
      }
    }
  }

  @Command(
      name = "read",
      mixinStandardHelpOptions = true,
      description = "Print records: partition, offset, append time, key and value, tab-separated.")
  static final class Read extends DataDirOption implements Callable<Integer> {
    @Option(names = "--log", required = true, description = "Log (bus) name.")
    String log;

    @Option(names = "--partition", description = "Only this partition (default: all).")
    Integer partition;

    @Option(
        names = "--from",
        defaultValue = "earliest",
        description =
            "An offset, 'earliest', or an ISO-8601 time like 2026-11-23T10:00:00Z (default: ${DEFAULT-VALUE}).")
    String from;

    @Option(
        names = "--limit",
        defaultValue = "100",
        description = "Most records per partition (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      if (limit < 1) {
        throw new InvalidInputException(
            InvalidInputException.INVALID_ARGUMENT,
            Problem.of(
                "/limit", "expected a positive number, got " + limit, Integer.toString(limit)));
      }
      try (EventLog l = openReadOnly()) {
        LogInfo info = l.info(log);
        if (partition != null && (partition < 0 || partition >= info.partitions().size())) {
          throw new InvalidInputException(
              InvalidInputException.INVALID_ARGUMENT,
              Problem.of(
                  "/partition",
                  "log "
                      + log
                      + " has partitions 0.."
                      + (info.partitions().size() - 1)
                      + ", got "
                      + partition,
                  partition.toString()));
        }
        for (LogInfo.PartitionInfo p : info.partitions()) {
          if (partition != null && partition != p.partition()) {
            continue;
          }
          long start = startOffset(l, p.partition());
          try (LogReader r = l.reader(log, p.partition(), start)) {
            int left = limit;
            while (left > 0) {
              List<LogEntry> batch = r.poll(Math.min(left, 500), Duration.ZERO);
              if (batch.isEmpty()) {
                break;
              }
              for (LogEntry e : batch) {
                out()
                    .printf(
                        "%d\t%d\t%s\t%s\t%s%n",
                        e.partition(),
                        e.offset(),
                        EventCodec.formatTime(Instant.ofEpochMilli(e.timestampMs())),
                        e.key() == null ? "-" : new String(e.key(), StandardCharsets.UTF_8),
                        new String(e.value(), StandardCharsets.UTF_8));
              }
              left -= batch.size();
            }
          }
        }
        return 0;
      }
    }

    private long startOffset(EventLog l, int p) {
      if (from.equals("earliest")) {
        return 0;
      }
      if (from.matches("\\d+")) {
        return Long.parseLong(from);
      }
      Instant t = EventCodec.parseTime(from);
      if (t == null) {
        throw new InvalidInputException(
            InvalidInputException.INVALID_ARGUMENT,
            Problem.of(
                "/from",
                "expected an offset, 'earliest' or an ISO-8601 time like 2026-11-23T10:00:00Z, got "
                    + Problem.render(from),
                Problem.render(from)));
      }
      return l.offsetForTime(log, p, t);
    }
  }

  @Command(
      name = "info",
      mixinStandardHelpOptions = true,
      description = {
        "Show logs, partitions, offsets, sizes and what recovery would find.",
        "Changes nothing on disk: a torn tail is reported, and cut by 'sluice log repair'."
      })
  static final class Info extends DataDirOption implements Callable<Integer> {
    @Option(names = "--log", description = "Only this log.")
    String log;

    @Override
    public Integer call() {
      try (EventLog l = openReadOnly()) {
        List<String> names = log == null ? new ArrayList<>(l.names()) : List.of(log);
        if (names.isEmpty()) {
          out().println("no logs in " + data.resolve("log"));
        }
        for (String n : names) {
          LogInfo info = l.info(n);
          out()
              .printf(
                  "log %s: %d partitions, %d records, %d bytes, retention %s, fsync %s%n",
                  n,
                  info.partitions().size(),
                  info.records(),
                  info.sizeBytes(),
                  describe(info.spec().retention()),
                  info.spec().fsync().acknowledgesBeforeFsync() ? "interval" : "always");
          out().println("  partition  start      end        bytes        segments");
          for (LogInfo.PartitionInfo p : info.partitions()) {
            out()
                .printf(
                    "  %-10d %-10d %-10d %-12d %d%n",
                    p.partition(), p.startOffset(), p.endOffset(), p.sizeBytes(), p.segments());
          }
          for (String c : l.cursorNames(n)) {
            out().printf("  cursor %s: %s%n", c, l.cursor(n, c));
          }
        }
        RecoveryReport report = l.recoveryReport();
        if (report.truncations().isEmpty() && report.quarantined().isEmpty()) {
          out().println("recovery: intact");
        } else {
          for (RecoveryReport.Truncation t : report.truncations()) {
            out()
                .printf(
                    "recovery: %s is torn at byte %d (%d bytes after it): %s%n",
                    t.file(), t.position(), t.bytesRemoved(), t.reason());
          }
          for (String q : report.quarantined()) {
            out().printf("recovery: %s comes after the damage%n", q);
          }
          out()
              .println(
                  "recovery: nothing was changed; 'sluice log repair' cuts the torn tail and sets"
                      + " aside what follows it (as starting the server does)");
        }
        return 0;
      }
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Read every batch of every log back and check its CRC32C (what the server's scrub does).",
        "Changes nothing. Exit 1 when a damaged batch is found; each is named with its offsets."
      })
  static final class Verify extends DataDirOption implements Callable<Integer> {
    @Override
    public Integer call() {
      try (EventLog l = openReadOnly()) {
        List<io.sluice.log.CorruptRange> found = ((EmbeddedEventLog) l).verify();
        long records = 0;
        for (String n : l.names()) {
          records += l.info(n).records();
        }
        if (found.isEmpty()) {
          out()
              .printf(
                  "verify: %d logs, %d records, every batch intact%n", l.names().size(), records);
          return 0;
        }
        for (io.sluice.log.CorruptRange r : found) {
          out().println("verify: " + r.describe());
        }
        out()
            .printf(
                "verify: %d damaged %s; readers skip them (the records in them are lost)%n",
                found.size(), found.size() == 1 ? "batch" : "batches");
        return 1;
      }
    }
  }

  @Command(
      name = "repair",
      mixinStandardHelpOptions = true,
      description = {
        "Recover the logs as starting the server does, and say what was done:",
        "a torn tail is cut at the last valid batch, segments after it are set aside as *.corrupt."
      })
  static final class Repair extends DataDirOption implements Callable<Integer> {
    @Override
    public Integer call() {
      try (EventLog l = open()) {
        RecoveryReport report = l.recoveryReport();
        if (report.truncations().isEmpty() && report.quarantined().isEmpty()) {
          out().println("repair: the logs are intact; nothing to do");
          return 0;
        }
        for (RecoveryReport.Truncation t : report.truncations()) {
          out()
              .printf(
                  "repair: cut %s at byte %d (%d bytes removed): %s%n",
                  t.file(), t.position(), t.bytesRemoved(), t.reason());
        }
        for (String q : report.quarantined()) {
          out().printf("repair: set aside %s%n", q);
        }
        return 0;
      }
    }
  }

  /** Retention the way a config writes it: {@code 7d}, {@code 10GB per partition}, or both. */
  static String describe(io.sluice.log.Retention r) {
    List<String> parts = new ArrayList<>();
    if (r.maxAge() != null) {
      parts.add(io.sluice.core.config.Durations.format(r.maxAge()));
    }
    if (r.maxBytes() > 0) {
      parts.add(io.sluice.core.config.ByteSizes.format(r.maxBytes()) + " per partition");
    }
    return parts.isEmpty() ? "forever" : String.join(" or ", parts);
  }
}

package io.sluice.engine;

import io.sluice.log.AppendResult;
import io.sluice.log.EventLog;
import io.sluice.log.LogIncident;
import io.sluice.log.LogInfo;
import io.sluice.log.LogOverloadedException;
import io.sluice.log.LogReader;
import io.sluice.log.LogRecord;
import io.sluice.log.LogSpec;
import io.sluice.log.RecoveryReport;
import io.sluice.log.RetentionResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An event log that passes everything to another one, except that appends to one log can be made to
 * fail as an overloaded log fails them ({@link #failNext}), or held until the test lets them go
 * ({@link #holdNext}, {@link #release}).
 */
final class GatedLog implements EventLog {

  private final EventLog log;
  private final String gated;
  private final AtomicInteger failing = new AtomicInteger();
  private final AtomicInteger holding = new AtomicInteger();
  private final List<Runnable> held = new ArrayList<>();

  GatedLog(EventLog log, String gated) {
    this.log = log;
    this.gated = gated;
  }

  /**
   * The next {@code n} appends to the gated log fail, every record with a LogOverloadedException.
   */
  void failNext(int n) {
    failing.set(n);
  }

  /** The next {@code n} appends to the gated log wait for {@link #release}. */
  void holdNext(int n) {
    holding.set(n);
  }

  synchronized int heldCount() {
    return held.size();
  }

  /** Lets the held appends go: stored, or failed as overloaded when {@code fail}. */
  void release(boolean fail) {
    List<Runnable> go;
    synchronized (this) {
      go = List.copyOf(held);
      held.clear();
    }
    if (fail) {
      failing.addAndGet(go.size());
    }
    go.forEach(Runnable::run);
  }

  @Override
  public CompletableFuture<List<AppendResult>> append(String name, List<LogRecord> records) {
    if (!name.equals(gated)) {
      return log.append(name, records);
    }
    if (holding.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      CompletableFuture<List<AppendResult>> later = new CompletableFuture<>();
      synchronized (this) {
        held.add(
            () ->
                passOrFail(records)
                    .whenComplete(
                        (r, e) -> {
                          if (e != null) {
                            later.completeExceptionally(e);
                          } else {
                            later.complete(r);
                          }
                        }));
      }
      return later;
    }
    return passOrFail(records);
  }

  private CompletableFuture<List<AppendResult>> passOrFail(List<LogRecord> records) {
    if (failing.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      List<AppendResult> out = new ArrayList<>();
      for (int i = 0; i < records.size(); i++) {
        out.add(
            AppendResult.failed(
                0,
                new LogOverloadedException(
                    "log " + gated + " partition 0 is over its limit; retry shortly")));
      }
      return CompletableFuture.completedFuture(List.copyOf(out));
    }
    return log.append(gated, records);
  }

  @Override
  public LogInfo create(String name, LogSpec spec) {
    return log.create(name, spec);
  }

  @Override
  public Set<String> names() {
    return log.names();
  }

  @Override
  public LogInfo info(String name) {
    return log.info(name);
  }

  @Override
  public LogReader reader(String name, int partition, long offset) {
    return log.reader(name, partition, offset);
  }

  @Override
  public long offsetForTime(String name, int partition, Instant time) {
    return log.offsetForTime(name, partition, time);
  }

  @Override
  public void commitCursor(String name, String cursor, Map<Integer, Long> offsets) {
    log.commitCursor(name, cursor, offsets);
  }

  @Override
  public Map<Integer, Long> cursor(String name, String cursor) {
    return log.cursor(name, cursor);
  }

  @Override
  public List<String> cursorNames(String name) {
    return log.cursorNames(name);
  }

  @Override
  public void deleteCursor(String name, String cursor) {
    log.deleteCursor(name, cursor);
  }

  @Override
  public RetentionResult enforceRetention() {
    return log.enforceRetention();
  }

  @Override
  public RecoveryReport recoveryReport() {
    return log.recoveryReport();
  }

  @Override
  public long corruptBatches() {
    return log.corruptBatches();
  }

  @Override
  public List<LogIncident> incidents() {
    return log.incidents();
  }

  @Override
  public void close() {
    release(true);
    log.close();
  }
}

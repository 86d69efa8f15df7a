package io.sluice.lake;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lake's queries running now, numbered in the order they began, so that work which would break
 * a query already under way (moving the files a compaction replaced out of the table's directory,
 * where a query bound before the commit still opens them by name) waits until every such query has
 * ended. Thread-safe.
 */
final class RunningQueries {

  private static final Logger LOG = LoggerFactory.getLogger(RunningQueries.class);

  private final Executor deferred;
  private final TreeSet<Long> running = new TreeSet<>();
  private final List<Waiting> waiting = new ArrayList<>();
  private long last;

  private record Waiting(long upTo, Runnable action) {}

  /** {@code deferred}: where an action runs once the queries it waited for have ended. */
  RunningQueries(Executor deferred) {
    this.deferred = deferred;
  }

  /** A query begins (before it looks at any table); returns its number for {@link #end}. */
  synchronized long begin() {
    running.add(++last);
    return last;
  }

  /** The query numbered {@code n} has ended, whichever way. */
  void end(long n) {
    List<Runnable> due = new ArrayList<>();
    synchronized (this) {
      running.remove(n);
      long oldest = running.isEmpty() ? Long.MAX_VALUE : running.first();
      for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
        Waiting w = it.next();
        if (w.upTo() < oldest) {
          due.add(w.action());
          it.remove();
        }
      }
    }
    for (Runnable r : due) {
      try {
        deferred.execute(r);
      } catch (RejectedExecutionException stopping) {
        // the lake is closing: what the action would do is done when the table opens next
        LOG.debug("lake is closing; deferred work left for the next start");
      }
    }
  }

  /**
   * Runs {@code action} once no query that began before this call is running: at once, on this
   * thread, when none is; else on the deferred executor after the last of them ends.
   */
  void afterRunning(Runnable action) {
    synchronized (this) {
      if (!running.isEmpty()) {
        waiting.add(new Waiting(last, action));
        return;
      }
    }
    action.run();
  }
}

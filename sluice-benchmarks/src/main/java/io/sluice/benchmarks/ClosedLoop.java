package io.sluice.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;

/**
 * Runs {@code concurrency} threads that each call an operation back to back (a closed loop: the
 * next call starts when the previous one was acknowledged) for a warm-up and then a measured
 * period, recording every latency.
 */
public final class ClosedLoop {

  /** One synchronous operation (an append that returns once acknowledged). */
  @FunctionalInterface
  public interface Op {
    void run(int thread, long seq) throws Exception;
  }

  /** Throughput and latency of one run. */
  public record Result(
      String name, int concurrency, long ops, double seconds, Histogram latencyNanos) {
    public double opsPerSecond() {
      return ops / seconds;
    }

    public double p50Ms() {
      return latencyNanos.getValueAtPercentile(50) / 1e6;
    }

    public double p99Ms() {
      return latencyNanos.getValueAtPercentile(99) / 1e6;
    }

    public double maxMs() {
      return latencyNanos.getMaxValue() / 1e6;
    }
  }

  private ClosedLoop() {}

  public static Result run(String name, int concurrency, Duration warmup, Duration measure, Op op)
      throws InterruptedException {
    AtomicBoolean recording = new AtomicBoolean(false);
    AtomicBoolean stop = new AtomicBoolean(false);
    CountDownLatch done = new CountDownLatch(concurrency);
    List<Histogram> hists = new ArrayList<>();
    long[] counts = new long[concurrency];
    List<Thread> threads = new ArrayList<>();
    Throwable[] failure = new Throwable[1];
    for (int t = 0; t < concurrency; t++) {
      Histogram h = new Histogram(3);
      hists.add(h);
      int thread = t;
      Thread th =
          new Thread(
              () -> {
                long seq = 0;
                try {
                  while (!stop.get()) {
                    long t0 = System.nanoTime();
                    op.run(thread, seq++);
                    long dt = System.nanoTime() - t0;
                    if (recording.get()) {
                      h.recordValue(dt);
                      counts[thread]++;
                    }
                  }
                } catch (Throwable e) {
                  failure[0] = e;
                  stop.set(true);
                } finally {
                  done.countDown();
                }
              },
              name + "-" + t);
      th.setDaemon(true);
      threads.add(th);
      th.start();
    }
    Thread.sleep(warmup.toMillis());
    recording.set(true);
    long start = System.nanoTime();
    Thread.sleep(measure.toMillis());
    recording.set(false);
    long elapsed = System.nanoTime() - start;
    stop.set(true);
    done.await();
    if (failure[0] != null) {
      throw new IllegalStateException(name + " failed", failure[0]);
    }
    Histogram all = new Histogram(3);
    long ops = 0;
    for (int t = 0; t < concurrency; t++) {
      all.add(hists.get(t));
      ops += counts[t];
    }
    return new Result(name, concurrency, ops, elapsed / 1e9, all);
  }
}

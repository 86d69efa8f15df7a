package io.sluice.benchmarks.analytics;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Wall time, CPU time of the whole process (every thread: an engine's background threads count), GC
 * time, and heap used and resident set size sampled every 250 ms while it runs, so a result can say
 * whether memory stayed flat.
 */
public final class ProcessMeter implements AutoCloseable {

  /** What one measured stretch used. Memory "by quarter" is the largest sample in each quarter. */
  public record Usage(
      long wallNanos,
      long cpuNanos,
      long gcMillis,
      long peakHeapBytes,
      long peakRssBytes,
      long[] heapByQuarter,
      long[] liveHeapByQuarter,
      long[] rssByQuarter) {

    /** Cores busy on average: CPU time over wall time. */
    public double cores() {
      return wallNanos == 0 ? 0 : (double) cpuNanos / wallNanos;
    }
  }

  private static final long SAMPLE_MILLIS = 250;

  private final long startNanos;
  private final long startCpu;
  private final long startGc;
  private final List<long[]> samples = new ArrayList<>(); // {nanos, heap, rss, heap after gc}
  private final Thread sampler;
  private volatile boolean running = true;
  private Usage usage;

  private ProcessMeter() {
    startGc = gcMillis();
    startCpu = processCpuNanos();
    startNanos = System.nanoTime();
    sample();
    sampler =
        Thread.ofPlatform()
            .daemon()
            .name("process-meter")
            .start(
                () -> {
                  while (running) {
                    try {
                      Thread.sleep(SAMPLE_MILLIS);
                    } catch (InterruptedException e) {
                      return;
                    }
                    sample();
                  }
                });
  }

  public static ProcessMeter start() {
    return new ProcessMeter();
  }

  /** Stops measuring (the first call counts) and returns what was used since {@link #start}. */
  public synchronized Usage stop() {
    if (usage != null) {
      return usage;
    }
    long wall = System.nanoTime() - startNanos;
    long cpu = processCpuNanos() - startCpu;
    long gc = gcMillis() - startGc;
    running = false;
    sampler.interrupt();
    try {
      sampler.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sample();
    long[] heapQ = new long[4];
    long[] liveQ = new long[4];
    long[] rssQ = new long[4];
    long peakHeap = 0;
    long peakRss = 0;
    synchronized (samples) {
      for (long[] s : samples) {
        int q = (int) Math.min(3, Math.max(0, (s[0] - startNanos) * 4 / Math.max(1, wall)));
        heapQ[q] = Math.max(heapQ[q], s[1]);
        rssQ[q] = Math.max(rssQ[q], s[2]);
        liveQ[q] = Math.max(liveQ[q], s[3]);
        peakHeap = Math.max(peakHeap, s[1]);
        peakRss = Math.max(peakRss, s[2]);
      }
    }
    usage = new Usage(wall, cpu, gc, peakHeap, peakRss, heapQ, liveQ, rssQ);
    return usage;
  }

  @Override
  public void close() {
    stop();
  }

  private void sample() {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    long afterGc = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
        afterGc += pool.getCollectionUsage().getUsed();
      }
    }
    long[] s = {System.nanoTime(), mem.getHeapMemoryUsage().getUsed(), rssBytes(), afterGc};
    synchronized (samples) {
      samples.add(s);
    }
  }

  /** CPU time of every thread of this process so far, in nanoseconds (-1 if unknown). */
  public static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  private static long gcMillis() {
    long t = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      t += Math.max(0, gc.getCollectionTime());
    }
    return t;
  }

  /** The resident set size of this process ({@code VmRSS}), or 0 where there is no /proc. */
  public static long rssBytes() {
    return statusKb("VmRSS:") * 1024;
  }

  /** The largest resident set size this process has had ({@code VmHWM}), or 0. */
  public static long peakRssBytes() {
    return statusKb("VmHWM:") * 1024;
  }

  private static long statusKb(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return 0;
  }
}

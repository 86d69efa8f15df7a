package io.sluice.benchmarks.analytics;

import io.sluice.benchmarks.Args;
import io.sluice.benchmarks.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The toll query ({@link TollQuery}: tumbling one-minute windows, 10,000 stations, count and sum, a
 * reference join) over N JSON events: events/s, events/s per core (per second of the process's CPU
 * time) and memory, for Sluice ({@link SluiceSide}) and for Apache Flink SQL in a local
 * mini-cluster ({@link FlinkTollPeer}) in the same run, over the same file, each checked against
 * the exact answer the generator computed ({@link TollEvents}).
 *
 * <p>Usage: {@code ./sluice-benchmarks/run.sh analytics.TollBenchmark [--events 10000000]
 * [--stations 10000] [--seed 1] [--dir /tmp/toll] [--per-minute 150000] [--jitter-ms 3000]
 * [--parallelism 1,2] [--variants alerts,all] [--runs 1] [--regenerate] [--no-flink] [--explain]}.
 * The data is generated into {@code --dir} unless it is there already for the same options. Flink
 * needs the {@code --add-opens} flags that run.sh adds for this class.
 */
public final class TollBenchmark {

  private TollBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = Args.parse(args);
    TollEvents.Spec spec = TollEvents.spec(a);
    Path dir = Path.of(a.getOrDefault("dir", "/tmp/toll"));
    List<Integer> parallelism = Args.ints(a.getOrDefault("parallelism", "1"));
    List<TollQuery.Variant> variants = new ArrayList<>();
    for (String v : a.getOrDefault("variants", "alerts,all").split(",")) {
      variants.add(TollQuery.Variant.parse(v));
    }
    int runs = Integer.parseInt(a.getOrDefault("runs", "1"));
    long warmupEvents = Long.parseLong(a.getOrDefault("warmup-events", "1000000"));
    Map<String, String> flinkSettings = new java.util.TreeMap<>();
    for (String kv : a.getOrDefault("flink-set", "").split(";")) {
      if (!kv.isBlank()) {
        int eq = kv.indexOf('=');
        flinkSettings.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
      }
    }

    System.out.println("# TollBenchmark");
    System.out.println("machine: " + Machine.describe());
    System.out.printf(
        "settings: %,d events, %,d stations, seed %d, %,d events per minute of event time,"
            + " jitter up to %d ms, dir %s, parallelism %s, variants %s, %d run(s) after a warm-up"
            + " over %,d events%n",
        spec.events(),
        spec.stations(),
        spec.seed(),
        spec.perMinute(),
        spec.jitterMs(),
        dir.toAbsolutePath(),
        parallelism,
        variants,
        runs,
        warmupEvents);

    long t0 = System.nanoTime();
    TollEvents.Data data = TollEvents.ensure(dir, spec, a.containsKey("regenerate"));
    System.out.printf(
        "data: %s (%,d bytes), %s; %d one-minute windows; ready in %.1f s%n",
        data.events(),
        Files.size(data.events()),
        data.stations(),
        data.expected().windows(),
        (System.nanoTime() - t0) / 1e9);
    System.out.println("expected all:    " + data.expected().all());
    System.out.println("expected alerts: " + data.expected().alerts());
    System.out.println();

    List<TollRunner> runners = new ArrayList<>();
    Optional<TollRunner> sluice = SluiceSide.runner(a);
    sluice.ifPresentOrElse(
        runners::add, () -> System.out.println("sluice: no runner yet (SluiceSide), Flink only"));
    FlinkTollPeer flink = null;
    if (!a.containsKey("no-flink")) {
      int slots = parallelism.stream().mapToInt(Integer::intValue).max().orElse(1);
      flink = FlinkTollPeer.start(parallelism.get(0), slots);
      runners.add(flink);
      for (int p : parallelism.subList(1, parallelism.size())) {
        runners.add(flink.withParallelism(p));
      }
      if (!flinkSettings.isEmpty()) {
        for (int p : parallelism) {
          runners.add(flink.withParallelism(p).withSettings(flinkSettings));
        }
      }
      if (a.containsKey("explain")) {
        System.out.println(flink.explain(data, variants.get(0)));
      }
    }

    List<TollResult> results = new ArrayList<>();
    try {
      if (warmupEvents > 0) {
        // the same workload, smaller, in its own directory: every runner's code is compiled by
        // the JIT before the measured runs, as it would be in a server that has been up a while
        TollEvents.Data warm =
            TollEvents.ensure(
                dir.resolve("warmup"),
                new TollEvents.Spec(
                    warmupEvents,
                    spec.stations(),
                    spec.seed() + 1,
                    spec.perMinute(),
                    spec.jitterMs()),
                false);
        for (TollQuery.Variant variant : variants) {
          for (TollRunner runner : runners) {
            TollResult r = runner.run(warm, variant);
            System.out.printf(
                "warm-up %s %s: %,.0f events/s, %s%n",
                variant,
                r.name(),
                r.eventsPerSecond(),
                r.answer().equals(warm.expected().of(variant)) ? "correct" : "WRONG");
          }
        }
      }
      for (TollQuery.Variant variant : variants) {
        for (int run = 1; run <= runs; run++) {
          for (TollRunner runner : runners) {
            System.gc();
            TollResult r = runner.run(data, variant);
            results.add(r);
            print(r, data.expected().of(variant), run);
          }
        }
      }
    } finally {
      if (flink != null) {
        flink.close();
      }
    }
    System.out.println();
    table(results, data.expected());
    System.out.printf("process peak RSS (VmHWM): %d MiB%n", ProcessMeter.peakRssBytes() >> 20);
  }

  private static void print(TollResult r, TollEvents.Answer expected, int run) {
    ProcessMeter.Usage u = r.usage();
    System.out.printf(
        "RESULT toll variant=%s system=\"%s\" run=%d events=%d wall_s=%.3f events_per_s=%.0f"
            + " events_per_core_s=%.0f cpu_cores=%.2f gc_ms=%d rows=%d vehicles=%d revenue=%.2f"
            + " checksum=%d match=%s heap_peak_mib=%d rss_peak_mib=%d heap_by_quarter_mib=%s"
            + " heap_after_gc_by_quarter_mib=%s rss_by_quarter_mib=%s latency_p50_ms=%s"
            + " latency_p99_ms=%s loadavg_1m=%s%n  note: %s%n",
        r.variant(),
        r.name(),
        run,
        r.events(),
        u.wallNanos() / 1e9,
        r.eventsPerSecond(),
        r.eventsPerCoreSecond(),
        u.cores(),
        u.gcMillis(),
        r.answer().rows(),
        r.answer().vehicles(),
        r.answer().revenue(),
        r.answer().checksum(),
        r.answer().equals(expected) ? "yes" : "NO (expected " + expected + ")",
        u.peakHeapBytes() >> 20,
        u.peakRssBytes() >> 20,
        mib(u.heapByQuarter()),
        mib(u.liveHeapByQuarter()),
        mib(u.rssByQuarter()),
        ms(r.latencyP50Millis()),
        ms(r.latencyP99Millis()),
        loadAverage(),
        r.note());
  }

  private static void table(List<TollResult> results, TollEvents.Expected expected) {
    System.out.println(
        "| variant | system | events/s | events/s per core | cores busy | wall s | rows |"
            + " correct | heap peak MiB | heap after GC by quarter MiB | RSS peak MiB | RSS by"
            + " quarter MiB | alert p99 ms | events/s vs flink p=1 |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (TollResult r : results) {
      TollResult base =
          results.stream()
              .filter(b -> b.variant() == r.variant() && b.name().equals("flink p=1"))
              .findFirst()
              .orElse(null);
      ProcessMeter.Usage u = r.usage();
      System.out.printf(
          "| %s | %s | %,.0f | %,.0f | %.2f | %.2f | %,d | %s | %d | %s | %d | %s | %s | %s |%n",
          r.variant().name().toLowerCase(java.util.Locale.ROOT),
          r.name(),
          r.eventsPerSecond(),
          r.eventsPerCoreSecond(),
          u.cores(),
          u.wallNanos() / 1e9,
          r.answer().rows(),
          r.answer().equals(expected.of(r.variant())) ? "yes" : "NO",
          u.peakHeapBytes() >> 20,
          mib(u.liveHeapByQuarter()),
          u.peakRssBytes() >> 20,
          mib(u.rssByQuarter()),
          ms(r.latencyP99Millis()),
          base == null
              ? "-"
              : String.format("%.2f×", r.eventsPerSecond() / base.eventsPerSecond()));
    }
  }

  /**
   * The machine's one-minute load average after a run: above the number of cores, something else
   * (another build, another benchmark) was competing for them and the run's numbers are low.
   */
  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException | RuntimeException e) {
      return "?";
    }
  }

  private static String mib(long[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (long b : bytes) {
      sb.append(sb.isEmpty() ? "" : "/").append(b >> 20);
    }
    return sb.toString();
  }

  private static String ms(double v) {
    return Double.isNaN(v) ? "n/a" : String.format("%.1f", v);
  }
}

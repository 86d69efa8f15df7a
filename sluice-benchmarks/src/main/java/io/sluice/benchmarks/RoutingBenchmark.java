package io.sluice.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.rules.RuleSet;
import io.sluice.engine.EventMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import software.amazon.event.ruler.GenericMachine;

/**
 * Routing cost per event on one core: Sluice's router step ({@link EventMatcher#match}: the stored
 * event bytes in, the matched rules and the parsed envelope out) beside bare event-ruler ({@code
 * GenericMachine.rulesForJSONEvent(String)}) on the same events and the same rules, with 10, 100,
 * 1,000 and 10,000 rules of mixed operators ({@link RoutingWorkload}). JMH, one fork, one thread.
 *
 * <p>Usage: {@code ./sluice-benchmarks/run.sh RoutingBenchmark [--rules 10,100,1000,10000]
 * [--warmup 3] [--iterations 5] [--seconds 2] [--kinds]}; with {@code --kinds}, 1,000 rules of each
 * single kind instead, to see which operators cost most.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RoutingBenchmark {

  static final int EVENTS = 4096;

  @Param({"10", "100", "1000", "10000"})
  public int rules;

  /** -1: every kind of rule in turn; 0..13: only that kind ({@link RoutingWorkload#KINDS}). */
  @Param({"-1"})
  public int kind;

  byte[][] bytes;
  String[] texts;
  RuleSet ruleSet;
  GenericMachine<String> machine;
  int next;

  @Setup
  public void setup() throws Exception {
    RoutingWorkload w = new RoutingWorkload(42);
    Map<String, JsonNode> patterns = w.rules(rules, kind);
    bytes = new byte[EVENTS][];
    texts = new String[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
      bytes[i] = w.event();
      texts[i] = RoutingWorkload.text(bytes[i]);
    }
    ruleSet = RuleSet.compile(patterns);
    machine = GenericMachine.<String>builder().build();
    for (Map.Entry<String, JsonNode> e : patterns.entrySet()) {
      machine.addRule(e.getKey(), e.getValue().toString());
    }
  }

  @Benchmark
  public List<String> eventRuler() throws Exception {
    return machine.rulesForJSONEvent(texts[next++ & (EVENTS - 1)]);
  }

  @Benchmark
  public EventMatcher.Match sluiceRouter() throws Exception {
    return EventMatcher.match(ruleSet, bytes[next++ & (EVENTS - 1)]);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = Args.parse(args);
    boolean byKind = a.containsKey("kinds");
    String[] counts = a.getOrDefault("rules", byKind ? "1000" : "10,100,1000,10000").split(",");
    String[] kinds = new String[] {"-1"};
    if (byKind) {
      kinds = new String[RoutingWorkload.KINDS.length];
      for (int k = 0; k < kinds.length; k++) {
        kinds[k] = String.valueOf(k);
      }
    }
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "3"));
    int iterations = Integer.parseInt(a.getOrDefault("iterations", "5"));
    int seconds = Integer.parseInt(a.getOrDefault("seconds", "2"));
    System.out.println("# RoutingBenchmark");
    System.out.println("machine: " + Machine.describe());
    System.out.printf(
        "settings: JMH throughput, 1 fork, 1 thread, %d x %ds warm-up, %d x %ds measured, %d distinct events%n",
        warmup, seconds, iterations, seconds, EVENTS);
    Map<String, String> workload = new java.util.HashMap<>();
    for (String k : kinds) {
      for (String c : counts) {
        workload.put(k + "/" + c, check(Integer.parseInt(c.trim()), Integer.parseInt(k)));
      }
    }
    var opts =
        new OptionsBuilder()
            .include(RoutingBenchmark.class.getName() + "\\.")
            .forks(1)
            .threads(1)
            .warmupIterations(warmup)
            .warmupTime(TimeValue.seconds(seconds))
            .measurementIterations(iterations)
            .measurementTime(TimeValue.seconds(seconds))
            .param("rules", counts)
            .param("kind", kinds)
            .jvmArgs("-Xms1g", "-Xmx2g")
            .build();
    List<RunResult> results = new ArrayList<>(new Runner(opts).run());
    System.out.println();
    System.out.println(
        "| rules | kind | matched per event | event-ruler events/s | Sluice router events/s | router/event-ruler time |");
    System.out.println("|---:|---|---:|---:|---:|---:|");
    for (String k : kinds) {
      for (String c : counts) {
        double bare = score(results, "eventRuler", c, k);
        double router = score(results, "sluiceRouter", c, k);
        System.out.printf(
            "| %s | %s | %s | %,.0f | %,.0f | %.2f |%n",
            c,
            k.equals("-1") ? "mixed" : RoutingWorkload.KINDS[Integer.parseInt(k)],
            workload.get(k + "/" + c),
            bare,
            router,
            bare / router);
      }
    }
  }

  /**
   * Checks that the router and bare event-ruler match the same rules on every event of the
   * workload; returns the average number of matched rules per event.
   */
  private static String check(int rules, int kind) throws Exception {
    RoutingBenchmark b = new RoutingBenchmark();
    b.rules = rules;
    b.kind = kind;
    b.setup();
    long matches = 0;
    for (int i = 0; i < EVENTS; i++) {
      List<String> router = EventMatcher.match(b.ruleSet, b.bytes[i]).rules();
      List<String> bare = b.machine.rulesForJSONEvent(b.texts[i]);
      if (router.size() != bare.size() || !router.containsAll(bare)) {
        throw new IllegalStateException(
            "event " + i + ": router matched " + router + ", event-ruler " + bare);
      }
      matches += router.size();
    }
    return String.format("%.2f", (double) matches / EVENTS);
  }

  private static double score(List<RunResult> results, String method, String rules, String kind) {
    for (RunResult r : results) {
      if (r.getParams().getBenchmark().endsWith("." + method)
          && r.getParams().getParam("rules").equals(rules)
          && r.getParams().getParam("kind").equals(kind)) {
        return r.getPrimaryResult().getScore();
      }
    }
    return Double.NaN;
  }
}

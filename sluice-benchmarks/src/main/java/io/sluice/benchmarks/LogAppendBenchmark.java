package io.sluice.benchmarks;

import io.sluice.log.AppendResult;
import io.sluice.log.EmbeddedEventLog;
import io.sluice.log.LogRecord;
import io.sluice.log.LogSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Durable appends per second and append latency with 1, 10 and 100 concurrent appenders of
 * ~800-byte events: the embedded log with {@code fsync: always}, beside a single Kafka broker
 * (KRaft, from Kafka's jars) with {@code acks=all}, once with Kafka's default flush settings (no
 * fsync per write: durability comes from replication, here there is one replica) and once with
 * topic config {@code flush.messages=1} (fsync every write, the same promise Sluice makes).
 *
 * <p>Usage: {@code ./sluice-benchmarks/run.sh LogAppendBenchmark [--seconds 10] [--warmup 3]
 * [--partitions 1] [--concurrency 1,10,100] [--event-bytes 800] [--dir DIR] [--no-kafka]}
 */
public final class LogAppendBenchmark {

  private LogAppendBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = Args.parse(args);
    Duration measure = Duration.ofSeconds(Long.parseLong(a.getOrDefault("seconds", "10")));
    Duration warmup = Duration.ofSeconds(Long.parseLong(a.getOrDefault("warmup", "3")));
    int partitions = Integer.parseInt(a.getOrDefault("partitions", "1"));
    int eventBytes = Integer.parseInt(a.getOrDefault("event-bytes", "800"));
    List<Integer> concurrency = Args.ints(a.getOrDefault("concurrency", "1,10,100"));
    Path dir = Path.of(a.getOrDefault("dir", "target/bench-log"));
    boolean kafka = !a.containsKey("no-kafka");
    Files.createDirectories(dir);

    System.out.println("# LogAppendBenchmark");
    System.out.println("machine: " + Machine.describe());
    System.out.printf(
        "settings: %d s measured after %d s warm-up, %d partition(s), %d-byte events, dir %s%n%n",
        measure.toSeconds(), warmup.toSeconds(), partitions, eventBytes, dir.toAbsolutePath());

    List<ClosedLoop.Result> results = new ArrayList<>();
    KafkaBroker broker =
        kafka ? KafkaBroker.start(Files.createTempDirectory(dir, "kafka-"), Map.of()) : null;
    try {
      for (int c : concurrency) {
        Path logDir = Files.createTempDirectory(dir, "sluice-");
        try (EmbeddedEventLog log = EmbeddedEventLog.open(logDir, Clock.systemUTC())) {
          log.create("bench", LogSpec.defaults(partitions));
          ClosedLoop.Result r =
              ClosedLoop.run(
                  "sluice fsync=always",
                  c,
                  warmup,
                  measure,
                  (t, seq) -> {
                    AppendResult res =
                        log.append(
                                "bench",
                                List.of(LogRecord.of(BenchEvents.orderEvent(seq, eventBytes))))
                            .join()
                            .get(0);
                    if (!res.isOk()) {
                      throw res.error();
                    }
                  });
          results.add(r);
          print(r, "fsyncs: " + log.fsyncCount("bench"));
        }
        if (broker != null) {
          results.add(
              kafkaRun(
                  broker,
                  "kafka acks=all (default flush)",
                  c,
                  partitions,
                  eventBytes,
                  warmup,
                  measure,
                  Map.of()));
          results.add(
              kafkaRun(
                  broker,
                  "kafka acks=all flush.messages=1",
                  c,
                  partitions,
                  eventBytes,
                  warmup,
                  measure,
                  Map.of("flush.messages", "1")));
        }
      }
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
    System.out.println();
    System.out.println(
        "| concurrency | system | appends/s | p50 ms | p99 ms | ratio vs Kafka default |");
    System.out.println("|---|---|---|---|---|---|");
    for (ClosedLoop.Result r : results) {
      Optional<ClosedLoop.Result> peer =
          results.stream()
              .filter(
                  x ->
                      x.concurrency() == r.concurrency()
                          && x.name().startsWith("kafka acks=all (default"))
              .findFirst();
      System.out.printf(
          "| %d | %s | %,.0f | %.2f | %.2f | %s |%n",
          r.concurrency(),
          r.name(),
          r.opsPerSecond(),
          r.p50Ms(),
          r.p99Ms(),
          peer.map(p -> String.format("%.2f×", r.opsPerSecond() / p.opsPerSecond())).orElse("–"));
    }
  }

  private static ClosedLoop.Result kafkaRun(
      KafkaBroker broker,
      String name,
      int concurrency,
      int partitions,
      int eventBytes,
      Duration warmup,
      Duration measure,
      Map<String, String> topicConfig)
      throws Exception {
    String topic = "bench-" + concurrency + (topicConfig.isEmpty() ? "" : "-flush");
    Properties ap = new Properties();
    ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    try (Admin admin = Admin.create(ap)) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(topicConfig)))
          .all()
          .get();
    }
    Properties pp = new Properties();
    pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    pp.put(ProducerConfig.ACKS_CONFIG, "all");
    pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    pp.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
      ClosedLoop.Result r =
          ClosedLoop.run(
              name,
              concurrency,
              warmup,
              measure,
              (t, seq) ->
                  producer
                      .send(new ProducerRecord<>(topic, BenchEvents.orderEvent(seq, eventBytes)))
                      .get());
      print(r, "producer: acks=all, idempotent, linger.ms=0, other settings default");
      return r;
    }
  }

  private static void print(ClosedLoop.Result r, String note) {
    System.out.printf(
        "%-34s c=%-4d %,10.0f appends/s  p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms  (%s)%n",
        r.name(), r.concurrency(), r.opsPerSecond(), r.p50Ms(), r.p99Ms(), r.maxMs(), note);
  }
}

package io.sluice.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A single Apache Kafka broker in KRaft combined mode (broker and controller in one process),
 * started as a child JVM from Kafka's own jars on this module's classpath, exactly as {@code
 * kafka-storage.sh format} and {@code kafka-server-start.sh} would. No Docker.
 */
public final class KafkaBroker implements AutoCloseable {

  private final Process process;
  private final String bootstrap;
  private final Path dir;

  private KafkaBroker(Process process, String bootstrap, Path dir) {
    this.process = process;
    this.bootstrap = bootstrap;
    this.dir = dir;
  }

  public String bootstrapServers() {
    return bootstrap;
  }

  /** Formats storage under {@code dir} and starts the broker; returns once it answers. */
  public static KafkaBroker start(Path dir, Map<String, String> overrides) throws Exception {
    Files.createDirectories(dir);
    int port = freePort();
    int controllerPort = freePort();
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", dir.resolve("data").toString());
    p.put("num.partitions", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.putAll(overrides);
    Path config = dir.resolve("server.properties");
    StringBuilder text = new StringBuilder();
    p.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    Files.writeString(config, text);

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    Process format =
        new ProcessBuilder(
                java,
                "-cp",
                cp,
                "kafka.tools.StorageTool",
                "format",
                "--cluster-id",
                Uuid.randomUuid().toString(),
                "--config",
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("format.log").toFile())
            .start();
    if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
      throw new IllegalStateException(
          "kafka storage format failed: " + Files.readString(dir.resolve("format.log")));
    }
    List<String> cmd =
        new ArrayList<>(
            List.of(java, "-Xms1g", "-Xmx1g", "-cp", cp, "kafka.Kafka", config.toString()));
    Process broker =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("broker.log").toFile())
            .start();
    String bootstrap = "127.0.0.1:" + port;
    KafkaBroker b = new KafkaBroker(broker, bootstrap, dir);
    Properties ap = new Properties();
    ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      if (!broker.isAlive()) {
        throw new IllegalStateException(
            "kafka broker exited: " + Files.readString(dir.resolve("broker.log")));
      }
      try (Admin admin = Admin.create(ap)) {
        admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        return b;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          b.close();
          throw new IllegalStateException(
              "kafka broker did not come up in 120 s; see " + dir.resolve("broker.log"), e);
        }
        Thread.sleep(500);
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public Path dir() {
    return dir;
  }
}

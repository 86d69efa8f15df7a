package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.log.EmbeddedEventLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No response before fsync: one ordered log records each fsync (from the event log's writer thread,
 * after the fsync returned) and each response a client received. Every response's offset must be
 * covered by an fsync recorded before it.
 */
class DurabilityOrderTest {

  @TempDir Path dir;

  record Fsync(int partition, long endOffset) {}

  record Ack(int partition, long offset) {}

  @Test
  void everyAcknowledgedEventWasFsyncedBeforeItsResponseArrived() throws Exception {
    List<Object> order = new ArrayList<>();
    SluiceServer.Options options =
        SluiceServer.Options.DEFAULTS.withLog(
            EmbeddedEventLog.Options.DEFAULTS.withListener(
                (log, partition, endOffset, fsynced) -> {
                  if (fsynced) {
                    synchronized (order) {
                      order.add(new Fsync(partition, endOffset));
                    }
                  }
                }));
    try (ServerFixture s =
        ServerFixture.start(dir, "buses: [{name: default, partitions: 2}]", options)) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        fs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 25; i++) {
                    JsonNode body =
                        s.post(
                                "/buses/default/events",
                                "application/json",
                                "[{\"source\":\"s\",\"detail-type\":\"T\"},{\"source\":\"s\",\"detail-type\":\"T\"}]")
                            .json();
                    synchronized (order) {
                      for (JsonNode e : body.get("entries")) {
                        order.add(new Ack(e.get("partition").asInt(), e.get("offset").asLong()));
                      }
                    }
                  }
                }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      pool.shutdown();
    }

    long[] durable = new long[2];
    int acks = 0;
    for (Object o : order) {
      if (o instanceof Fsync f) {
        durable[f.partition()] = Math.max(durable[f.partition()], f.endOffset());
      } else if (o instanceof Ack a) {
        acks++;
        assertThat(a.offset())
            .as(
                "offset %d of partition %d was acknowledged before its fsync",
                a.offset(), a.partition())
            .isLessThan(durable[a.partition()]);
      }
    }
    assertThat(acks).isEqualTo(400);
  }
}

package io.sluice.benchmarks;

import java.nio.charset.StandardCharsets;

/** Realistic events for benchmarks: EventBridge envelopes of a chosen size. */
public final class BenchEvents {

  private BenchEvents() {}

  /** An order event of exactly {@code bytes} bytes (at least ~300). */
  public static byte[] orderEvent(long seq, int bytes) {
    String head =
        "{\"version\":\"0\",\"id\":\"6a7e8feb-b491-4cf7-a9f1-bf3703467718\",\"detail-type\":\"OrderPlaced\","
            + "\"source\":\"shop.orders\",\"account\":\"123456789012\",\"time\":\"2026-11-23T10:00:00Z\","
            + "\"region\":\"eu-west-1\",\"resources\":[],\"detail\":{\"orderId\":\"o-"
            + seq
            + "\",\"customer\":{\"id\":\"c-"
            + (seq % 9973)
            + "\",\"tier\":\"gold\"},\"amount\":"
            + (seq % 500)
            + ".25,\"currency\":\"EUR\",\"items\":[{\"sku\":\"sku-1\",\"qty\":2}],\"note\":\"";
    String tail = "\"}}";
    int pad = Math.max(0, bytes - head.length() - tail.length());
    return (head + "x".repeat(pad) + tail).getBytes(StandardCharsets.UTF_8);
  }
}

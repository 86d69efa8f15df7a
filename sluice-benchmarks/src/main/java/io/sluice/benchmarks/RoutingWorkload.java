package io.sluice.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Rules of mixed EventBridge operators and events drawn from the same value distributions, so that
 * each event matches a few rules and fails most of the others at different depths. Seeded: the same
 * arguments give the same rules and events.
 *
 * <p>Events look like an online shop's: an EventBridge envelope (about 700 bytes) with a source out
 * of 50, a detail-type out of 12, resources, and a detail with numbers, nested objects, an array of
 * objects, an IP address and an optional field. Each rule names its source (as teams' rules do; one
 * kind by prefix) and adds one or two of: equals, prefix, suffix, equals-ignore-case, wildcard,
 * anything-but (plain and prefix), numeric ranges over common thresholds, exists, null, cidr,
 * {@code $or} and conditions inside arrays.
 */
final class RoutingWorkload {

  static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final String[] TYPES = {
    "OrderPlaced", "OrderPaid", "OrderShipped", "OrderCancelled", "OrderReturned", "CartUpdated",
    "CustomerCreated", "CustomerUpdated", "PaymentFailed", "StockLow", "PriceChanged", "ReviewAdded"
  };
  static final String[] REGIONS = {
    "eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1"
  };
  static final String[] CURRENCIES = {"EUR", "USD", "GBP", "CHF", "JPY"};
  static final String[] TIERS = {"bronze", "silver", "gold", "platinum"};
  static final String[] STATUS = {"new", "paid", "packed", "shipped", "delivered", "cancelled"};
  static final String[] DOMAINS = {"example.com", "example.org", "mail.test", "shop.test"};

  /** Thresholds people write: amounts in the event are 0.00 to 999.99. */
  static final int[] THRESHOLDS = {10, 25, 50, 100, 200, 250, 500, 750, 900};

  final Random random;

  RoutingWorkload(long seed) {
    this.random = new Random(seed);
  }

  static String source(int i) {
    return "com.shop.service" + i;
  }

  private int threshold() {
    return THRESHOLDS[random.nextInt(THRESHOLDS.length)];
  }

  private <T> T pick(T[] values) {
    return values[random.nextInt(values.length)];
  }

  /** One event as its stored JSON bytes. */
  byte[] event() {
    ObjectNode e = F.objectNode();
    e.put("version", "0");
    e.put("id", UUID.randomUUID().toString());
    e.put("detail-type", pick(TYPES));
    e.put("source", source(random.nextInt(50)));
    e.put("account", "123456789012");
    e.put("time", Instant.ofEpochSecond(1_790_000_000L + random.nextInt(1_000_000)).toString());
    String region = pick(REGIONS);
    e.put("region", region);
    int order = random.nextInt(1_000_000);
    e.putArray("resources").add("arn:aws:shop:" + region + ":123456789012:order/" + order);
    ObjectNode d = e.putObject("detail");
    d.put("orderId", "ord-" + (char) ('a' + random.nextInt(26)) + order);
    d.put("amount", BigDecimal.valueOf(random.nextInt(100_000), 2));
    d.put("currency", random.nextBoolean() ? pick(CURRENCIES) : pick(CURRENCIES).toLowerCase());
    d.put("status", pick(STATUS));
    d.put("ip", "10." + random.nextInt(4) + "." + random.nextInt(256) + "." + random.nextInt(256));
    if (random.nextInt(4) == 0) {
      d.put("coupon", "SAVE" + random.nextInt(50));
    }
    if (random.nextInt(3) == 0) {
      d.putNull("note");
    } else {
      d.put("note", "leave at the door");
    }
    ObjectNode c = d.putObject("customer");
    c.put("id", "cus-" + random.nextInt(100_000));
    c.put("tier", pick(TIERS));
    c.put("email", "user" + random.nextInt(10_000) + "@" + pick(DOMAINS));
    c.put("newsletter", random.nextBoolean());
    ArrayNode items = d.putArray("items");
    for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
      ObjectNode item = items.addObject();
      item.put("sku", "SKU-" + random.nextInt(200));
      item.put("qty", 1 + random.nextInt(5));
      item.put("price", BigDecimal.valueOf(100 + random.nextInt(20_000), 2));
    }
    d.putArray("tags").add(pick(TIERS)).add(pick(STATUS));
    return e.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** What each kind of rule adds to its source condition. */
  static final String[] KINDS = {
    "detail-type equals",
    "source prefix + numeric range",
    "suffix",
    "equals-ignore-case",
    "wildcard with 3 stars",
    "anything-but",
    "exists false + numeric",
    "cidr",
    "$or of equals and numeric",
    "equals inside an array of objects",
    "null",
    "anything-but prefix",
    "wildcard with 1 inner star",
    "detail-type + array + boolean"
  };

  /** {@code count} rules by name, cycling through the kinds ({@code kind} -1), or of one kind. */
  Map<String, JsonNode> rules(int count, int kind) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      out.put("rule-" + i, rule(kind < 0 ? i % KINDS.length : kind));
    }
    return out;
  }

  private JsonNode rule(int kind) {
    ObjectNode p = F.objectNode();
    ObjectNode d = F.objectNode();
    String source = source(random.nextInt(50));
    switch (kind) {
      case 0 -> {
        p.putArray("source").add(source);
        p.putArray("detail-type").add(pick(TYPES)).add(pick(TYPES));
      }
      case 1 -> {
        p.putArray("source").addObject().put("prefix", source(10 + random.nextInt(40)));
        d.putArray("amount")
            .addObject()
            .putArray("numeric")
            .add(">=")
            .add(THRESHOLDS[random.nextInt(4)])
            .add("<")
            .add(THRESHOLDS[4 + random.nextInt(5)]);
      }
      case 2 -> {
        p.putArray("source").add(source);
        d.putObject("customer").putArray("email").addObject().put("suffix", "@" + pick(DOMAINS));
      }
      case 3 -> {
        p.putArray("source").add(source);
        d.putArray("currency").addObject().put("equals-ignore-case", pick(CURRENCIES));
      }
      case 4 -> {
        p.putArray("source").add(source);
        p.putArray("resources")
            .addObject()
            .put("wildcard", "arn:aws:shop:" + pick(REGIONS).substring(0, 3) + "*:*:order/*");
      }
      case 5 -> {
        p.putArray("source").add(source);
        d.putArray("status")
            .addObject()
            .putArray("anything-but")
            .add(pick(STATUS))
            .add(pick(STATUS));
      }
      case 6 -> {
        p.putArray("source").add(source);
        d.putArray("coupon").addObject().put("exists", false);
        d.putArray("amount").addObject().putArray("numeric").add(">").add(threshold());
      }
      case 7 -> {
        p.putArray("source").add(source);
        d.putArray("ip").addObject().put("cidr", "10." + random.nextInt(4) + ".0.0/16");
      }
      case 8 -> {
        p.putArray("source").add(source);
        ArrayNode or = d.putArray("$or");
        or.addObject().putObject("customer").putArray("tier").add(pick(TIERS));
        or.addObject()
            .putArray("amount")
            .addObject()
            .putArray("numeric")
            .add(">=")
            .add(threshold());
      }
      case 9 -> {
        p.putArray("source").add(source);
        d.putObject("items").putArray("sku").add("SKU-" + random.nextInt(200));
      }
      case 10 -> {
        p.putArray("source").add(source);
        d.putArray("note").addNull();
      }
      case 11 -> {
        p.putArray("source").add(source);
        d.putArray("orderId")
            .addObject()
            .putObject("anything-but")
            .put("prefix", "ord-" + (char) ('a' + random.nextInt(26)));
      }
      case 12 -> {
        p.putArray("source").add(source);
        p.putArray("detail-type").addObject().put("wildcard", "Order*" + pick(TYPES).substring(5));
      }
      default -> {
        p.putArray("source").add(source);
        p.putArray("detail-type").add(pick(TYPES));
        d.putArray("tags").add(pick(TIERS));
        d.putObject("customer").putArray("newsletter").add(true);
      }
    }
    if (!d.isEmpty()) {
      p.set("detail", d);
    }
    return p;
  }

  static String text(byte[] json) {
    return new String(json, StandardCharsets.UTF_8);
  }

  static JsonNode tree(byte[] json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

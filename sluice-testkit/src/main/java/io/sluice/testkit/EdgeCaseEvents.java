package io.sluice.testkit;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Events as JSON text, the way a hostile or careless client writes them: edge-case strings (lone
 * and paired surrogates as escapes, NUL, control characters, BOM, right-to-left marks, very long),
 * numbers (huge integers, exponents beyond double, negative zero), times (the edges of years
 * 0000-9999, years beyond, offsets, nine fractional digits, non-times), and field names (the lake's
 * envelope columns in any case, {@code detail_} prefixes, empty, over 255 characters, duplicates).
 * Text is built by hand, not by a JSON library, so it can hold what a library would refuse to
 * write. Each event is one line (for NDJSON).
 *
 * <p>Every generated event must end up either refused with a 4xx or stored; a stored one must
 * become a lake row or an entry at the lake's error location.
 */
public final class EdgeCaseEvents {

  private EdgeCaseEvents() {}

  /** One event object as a line of JSON text (it may be invalid on purpose). */
  public static Arbitrary<String> events() {
    Arbitrary<String> source =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(
                12, Arbitraries.of("\"shop\"", "\"iot.sensors\"", "\"a/b\"", "\"..\"", "\" \"")),
            net.jqwik.api.Tuple.of(2, strings()));
    Arbitrary<String> detailType =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(
                12, Arbitraries.of("\"Order\"", "\"Odd\"", "\"Scheduled Event\"")),
            net.jqwik.api.Tuple.of(2, strings()));
    Arbitrary<String> time = times().injectNull(0.5);
    Arbitrary<String> detail = objects(2);
    Arbitrary<String> extra =
        Combinators.combine(fieldNames(), values(1)).as((k, v) -> k + ":" + v).injectNull(0.7);
    return Combinators.combine(source, detailType, time, detail, extra)
        .as(
            (s, t, tm, d, x) -> {
              StringBuilder b = new StringBuilder("{\"source\":").append(s);
              b.append(",\"detail-type\":").append(t);
              if (tm != null) {
                b.append(",\"time\":").append(tm);
              }
              b.append(",\"detail\":").append(d);
              if (x != null) {
                b.append(',').append(x);
              }
              return b.append('}').toString();
            });
  }

  /** JSON string literals (with their quotes), escapes written as a client could write them. */
  public static Arbitrary<String> strings() {
    Arbitrary<String> plain =
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(20).map(EdgeCaseEvents::quote);
    Arbitrary<String> unicode =
        Arbitraries.strings().all().ofMaxLength(12).map(EdgeCaseEvents::escapeAll);
    Arbitrary<String> edges =
        Arbitraries.of(
            "\"\"",
            "\"\\ud800\"",
            "\"a\\udc00b\"",
            "\"\\ud83d\\ude00\"",
            "\"\\ud83d\"",
            "\"x\\udbff\\udfff\"",
            "\"\\u0000\"",
            "\"nul\\u0000inside\"",
            "\"\\ufeffbom\"",
            "\"\\u202eright-to-left\"",
            "\"\\uffff\"",
            "\"\\t\\r\\n\\b\\f\"",
            "\"\\\\\"",
            "\"\\\"quoted\\\"\"",
            "\"é\"",
            "\"日本語\"",
            "\"😀\"",
            "\"" + "x".repeat(300) + "\"",
            "\"" + "é".repeat(70_000) + "\"",
            "\"2026-11-30T10:00:00Z\"",
            "\"__HIVE_DEFAULT_PARTITION__\"",
            "\"a/b\"",
            "\"../..\"",
            "\"=\"");
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, plain),
        net.jqwik.api.Tuple.of(1, unicode),
        net.jqwik.api.Tuple.of(3, edges));
  }

  /** Time values: mostly strings near the edges, sometimes not strings at all. */
  public static Arbitrary<String> times() {
    Arbitrary<String> edges =
        Arbitraries.of(
            "\"2026-11-30T10:00:00Z\"",
            "\"2026-11-30T10:00:00.123456789Z\"",
            "\"0000-01-01T00:00:00Z\"",
            "\"0001-01-01T00:00:00Z\"",
            "\"9999-12-31T23:59:59.999999999Z\"",
            "\"9999-12-31T23:59:59-00:01\"",
            "\"0000-01-01T00:00:00+00:01\"",
            "\"+99999-01-01T00:00:00Z\"",
            "\"+10000-01-01T00:00:00Z\"",
            "\"10000-01-01T00:00:00Z\"",
            "\"-0001-01-01T00:00:00Z\"",
            "\"2026-02-29T00:00:00Z\"",
            "\"2024-02-29T23:59:60Z\"",
            "\"2026-11-30T10:00:00+23:59\"",
            "\"2026-11-30T10:00:00-18:00\"",
            "\"2026-11-30 10:00:00Z\"",
            "\"yesterday\"",
            "\"\"",
            "1700000000",
            "null",
            "{}");
    Arbitrary<String> random =
        Combinators.combine(
                Arbitraries.integers().between(0, 9999),
                Arbitraries.integers().between(1, 12),
                Arbitraries.integers().between(1, 28),
                Arbitraries.integers().between(0, 23),
                Arbitraries.integers().between(-14 * 60, 14 * 60))
            .as(
                (y, mo, d, h, off) ->
                    String.format(
                        "\"%04d-%02d-%02dT%02d:00:00%s\"",
                        y,
                        mo,
                        d,
                        h,
                        off == 0
                            ? "Z"
                            : String.format(
                                "%s%02d:%02d",
                                off < 0 ? "-" : "+", Math.abs(off) / 60, Math.abs(off) % 60)));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, edges), net.jqwik.api.Tuple.of(2, random));
  }

  /** Field names: the lake's own column names in several cases, prefixes, edge strings. */
  public static Arbitrary<String> fieldNames() {
    Arbitrary<String> reserved =
        Arbitraries.of(
            "\"offset\"",
            "\"detail_offset\"",
            "\"detail_detail_offset\"",
            "\"OFFSET\"",
            "\"Detail_Offset\"",
            "\"partition\"",
            "\"id\"",
            "\"ID\"",
            "\"time\"",
            "\"ingestion_time\"",
            "\"detail_type\"",
            "\"detail-type\"",
            "\"bus\"",
            "\"replay_name\"",
            "\"_extra\"",
            "\"source\"",
            "\"src\"",
            "\"k\"",
            "\"K\"",
            "\"a.b\"",
            "\"a b\"",
            "\"\"",
            "\"\\u0000\"",
            "\"" + "n".repeat(300) + "\"",
            "\"" + "n".repeat(248) + "\"");
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, reserved), net.jqwik.api.Tuple.of(3, strings()));
  }

  /** Any JSON value, nesting at most {@code depth} more levels. */
  public static Arbitrary<String> values(int depth) {
    Arbitrary<String> numbers =
        Arbitraries.of(
            "0",
            "-0",
            "1",
            "-1",
            "0.1",
            "0.10000000000000001",
            "1e308",
            "1e309",
            "-1e-400",
            "1E+2",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234567890",
            "1e999999",
            "2.5",
            "true",
            "false",
            "null");
    List<net.jqwik.api.Tuple.Tuple2<Integer, Arbitrary<? extends String>>> choices =
        new java.util.ArrayList<>();
    choices.add(net.jqwik.api.Tuple.of(4, strings()));
    choices.add(net.jqwik.api.Tuple.of(3, numbers));
    choices.add(net.jqwik.api.Tuple.of(1, Arbitraries.integers().map(String::valueOf)));
    if (depth > 0) {
      choices.add(net.jqwik.api.Tuple.of(1, objects(depth - 1)));
      choices.add(
          net.jqwik.api.Tuple.of(
              1, values(depth - 1).list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]")));
    }
    @SuppressWarnings("unchecked")
    net.jqwik.api.Tuple.Tuple2<Integer, Arbitrary<? extends String>>[] array =
        choices.toArray(net.jqwik.api.Tuple.Tuple2[]::new);
    return Arbitraries.frequencyOf(array);
  }

  /**
   * A JSON object of up to five fields; one in ten may repeat a name (a duplicate key, which ingest
   * must refuse).
   */
  public static Arbitrary<String> objects(int depth) {
    Arbitrary<java.util.List<net.jqwik.api.Tuple.Tuple2<String, String>>> fields =
        Combinators.combine(fieldNames(), values(depth))
            .as(net.jqwik.api.Tuple::of)
            .list()
            .ofMaxSize(5);
    Arbitrary<java.util.List<net.jqwik.api.Tuple.Tuple2<String, String>>> unique =
        fields.map(
            l -> {
              java.util.Map<String, net.jqwik.api.Tuple.Tuple2<String, String>> byName =
                  new java.util.LinkedHashMap<>();
              l.forEach(f -> byName.putIfAbsent(f.get1(), f));
              return java.util.List.copyOf(byName.values());
            });
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(9, unique), net.jqwik.api.Tuple.of(1, fields))
        .map(
            l -> {
              StringBuilder b = new StringBuilder("{");
              for (var f : l) {
                if (b.length() > 1) {
                  b.append(',');
                }
                b.append(f.get1()).append(':').append(f.get2());
              }
              return b.append('}').toString();
            });
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** Every character as a \\uXXXX escape: chars of any kind, surrogates alone included. */
  private static String escapeAll(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      b.append(String.format("\\u%04x", (int) s.charAt(i)));
    }
    return b.append('"').toString();
  }
}

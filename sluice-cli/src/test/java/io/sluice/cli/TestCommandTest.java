package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice test}: a whole config over sample events, offline, with expected results. */
class TestCommandTest {

  static final Path EXAMPLE = Path.of("../examples/sports-events");
  static final String CONFIG = EXAMPLE.resolve("sluice.yaml").toString();
  static final String EVENTS = EXAMPLE.resolve("test-events.ndjson").toString();
  static final String EXPECTED = EXAMPLE.resolve("test-expected.ndjson").toString();

  static final String ORDERS =
      """
      buses: [{name: orders}, {name: audit}]
      rules:
        - name: big-orders
          bus: orders
          pattern: {source: [shop], detail: {amount: [{numeric: [">", 100]}]}}
          targets:
            - id: hook
              http: {url: "http://localhost:9/hook", headers: {Authorization: "Bearer ${env:SLUICE_TEST_NEVER_SET}"}}
              inputTransformer:
                inputPathsMap: {amount: $.detail.amount, id: $.id}
                inputTemplate: '{"order": <id>, "amount": <amount>, "at": <sluice.event.ingestion-time>}'
            - id: note
              log: {}
              inputTransformer: {inputPathsMap: {amount: $.detail.amount}, inputTemplate: 'big order of <amount>'}
            - id: vip
              bus: audit
              jq: 'select(.detail.vip) | {source: "shop.vip", "detail-type": "VIP Order", detail: {amount: .detail.amount}}'
            - id: per-item
              file: {dir: out}
              jq: '.detail.amount / .detail.items'
        - name: paused
          bus: orders
          enabled: false
          pattern: {source: [shop]}
          targets: [{id: print, log: {}}]
        - name: audit-all
          bus: audit
          pattern: {source: [shop.vip]}
          targets: [{id: print, log: {}}]
      """;

  static final String ORDER_EVENTS =
      """
      {"source":"shop","detail-type":"OrderPlaced","id":"o-1","time":"2026-11-23T10:00:00Z","detail":{"amount":250,"items":5,"vip":true}}

      {"source":"shop","detail-type":"OrderPlaced","detail":{"amount":120,"items":0}}
      {"source":"shop","detail-type":"OrderPlaced","detail":{"amount":5}}
      """;

  @TempDir Path dir;

  static LogCommandTest.Run run(String... args) {
    return LogCommandTest.run(args);
  }

  Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void theSportsExampleCarriesItsOwnTestAndPassesIt() {
    LogCommandTest.Run r =
        run("test", CONFIG, "--bus", "databus", "--events", EVENTS, "--expect", EXPECTED);
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).isEqualTo("5 events as expected in " + EXPECTED + "\n");
    assertThat(r.exit()).isZero();
  }

  @Test
  void aFunctionTransformIsShownWithWhatItsFunctionGetsSinceItRunsOnlyOnAServer() {
    LogCommandTest.Run r = run("test", CONFIG, "--bus", "databus", "--events", EVENTS);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines().filter(l -> l.contains("matches-lambda →")))
        .containsExactly(
            "  matches-lambda → cat1-lambda (lake) through function firehose-transform (not run"
                + " offline), which gets {\"version\":\"0\",\"id\":\"M-101-scheduled\",\"detail-type\":"
                + "\"Match Scheduled\",\"source\":\"sports.feed\",\"account\":\"000000000000\",\"time\":"
                + "\"2026-11-28T12:00:00Z\",\"region\":\"local\",\"resources\":[],\"detail\":{\"match_id\":"
                + "\"M-101\",\"sport\":\"football\",\"home_team\":\"Brighton\",\"away_team\":\"Chelsea\","
                + "\"tickets_sold\":31053,\"ticket_price\":119.37}}",
            "  matches-lambda → cat1-lambda (lake) through function firehose-transform (not run"
                + " offline), which gets {\"version\":\"0\",\"id\":\"test-4\",\"detail-type\":"
                + "\"Match Scheduled\",\"source\":\"sports.feed\",\"account\":\"000000000000\",\"time\":"
                + "\"1970-01-01T00:00:00Z\",\"region\":\"local\",\"resources\":[],\"detail\":{\"match_id\":"
                + "\"M-102\",\"sport\":\"cricket\",\"home_team\":\"Mumbai\",\"away_team\":\"Perth\","
                + "\"tickets_sold\":0,\"ticket_price\":45}}");
    assertThat(r.out())
        .endsWith(
            "5 events on bus databus: 3 matched a rule, 2 matched none; 5 deliveries, 0 skipped, 0"
                + " dead-lettered\n");
  }

  @Test
  void theBaselineIsWhatFormatJsonPrints() throws Exception {
    LogCommandTest.Run r =
        run("test", CONFIG, "--bus", "databus", "--events", EVENTS, "--format", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(Files.readString(Path.of(EXPECTED)));
  }

  @Test
  void aChangedExpectationFailsWithTheFirstDifferencesOfEachEvent() throws Exception {
    List<String> lines = Files.readAllLines(Path.of(EXPECTED));
    String changed =
        String.join(
            "\n",
            lines.get(0).replace("\"revenue\":3706796.6100000003", "\"revenue\":3706796.61"),
            lines.get(1).replace("\"id\":\"test-2\",\"bus\"", "\"id\":\"s-2\",\"bus\""),
            lines
                .get(2)
                .replace(
                    "\"matched\":[]",
                    "\"matched\":[{\"rule\":\"scores\",\"targets\":[{\"target\":\"cat2\",\"kind\":\"lake\",\"payload\":{}}]}]"),
            lines.get(3).replace("\"revenue\":0", "\"revenue\":0.0"),
            "{\"event\":6,\"line\":6,\"id\":\"test-6\",\"bus\":\"databus\",\"matched\":[]}");
    Path expected = write("expected.ndjson", changed + "\n");

    LogCommandTest.Run r =
        run(
            "test",
            CONFIG,
            "--bus",
            "databus",
            "--events",
            EVENTS,
            "--expect",
            expected.toString());

    assertThat(r.out())
        .isEqualTo(
            """
            event 1 (line 1, id M-101-scheduled):
              rule matches → target cat1: payload differs at /revenue: expected 3706796.61, got 3706796.6100000003
            event 2 (line 2, id test-2):
              id: expected "s-2", got "test-2"
            event 3 (line 3, id test-3):
              rule scores: expected to match, did not: ✗ /detail-type ["Score Update"] did not match "Weather Report"
            event 5 (line 5, id test-5):
              not in %s; it matched no rule
            event 6 (line 5 of %s):
              is expected, but the events file has no event 6
            """
                .formatted(expected, expected));
    assertThat(r.err()).isEqualTo("sluice: 5 of 6 events differ from " + expected + "\n");
    assertThat(r.exit()).isEqualTo(1);
  }

  @Test
  void targetDifferencesSayWhatEachSideHas() throws Exception {
    Path config = write("sluice.yaml", ORDERS);
    Path events = write("events.ndjson", ORDER_EVENTS);
    LogCommandTest.Run baseline =
        run(
            "test",
            config.toString(),
            "--bus",
            "orders",
            "--events",
            events.toString(),
            "--format",
            "json");
    List<ObjectNode> docs = new ArrayList<>();
    for (String line : baseline.out().lines().toList()) {
      docs.add((ObjectNode) Json.MAPPER.readTree(line));
    }
    ArrayNode targets = (ArrayNode) docs.get(0).get("matched").get(0).get("targets");
    targets.remove(1); // note
    ObjectNode vip = (ObjectNode) targets.get(1);
    vip.remove("payload");
    vip.put("skipped", "no vip");
    ((ObjectNode) targets.get(2)).put("kind", "http");
    ArrayNode matched2 = docs.get(1).putArray("matched");
    ObjectNode paused = matched2.addObject().put("rule", "paused");
    paused.putArray("targets").addObject().put("target", "print").put("kind", "log");
    StringBuilder text = new StringBuilder();
    docs.forEach(d -> text.append(d).append('\n'));
    Path expected = write("expected.ndjson", text.toString());

    LogCommandTest.Run r =
        run(
            "test",
            config.toString(),
            "--bus",
            "orders",
            "--events",
            events.toString(),
            "--expect",
            expected.toString());

    assertThat(r.out())
        .isEqualTo(
            """
            event 1 (line 1, id o-1):
              rule big-orders → target vip: expected skipped (no vip), got payload {"source":"shop.vip","detail-type":"VIP Order","detail":{"amount":250},"id":"o-1","time":"2026-11-23T10:00:00Z","resourc…(169 chars)
              rule big-orders → target per-item: kind: expected "http", got "file"
              rule big-orders → target note: receives text "big order of 250", not expected
            event 2 (line 3, id test-2):
              rule paused: expected to match, did not: disabled (enabled: false)
              rule big-orders: matched, not expected
            """);
    assertThat(r.err()).endsWith("sluice: 2 of 3 events differ from " + expected + "\n");
    assertThat(r.exit()).isEqualTo(1);
  }

  @Test
  void textOutputShowsTheRulesEachEventMatchedAndWhatEachTargetReceives() throws Exception {
    Path config = write("sluice.yaml", ORDERS);
    Path events = write("events.ndjson", ORDER_EVENTS);

    LogCommandTest.Run r =
        run(
            "test",
            config.toString(),
            "--bus",
            "orders",
            "--events",
            events.toString(),
            "--explain");

    assertThat(r.out())
        .isEqualTo(
            """
            event 1 (line 1, id o-1): matched big-orders
              big-orders → hook (http) receives {"order":"o-1","amount":250,"at":"2026-11-23T10:00:00Z"}
              big-orders → note (log) receives text "big order of 250"
              big-orders → vip (bus) receives {"source":"shop.vip","detail-type":"VIP Order","detail":{"amount":250},"id":"o-1","time":"2026-11-23T10:00:00Z","resources":[],"account":"000000000000","region":"local"}
              big-orders → per-item (file) receives 50
              paused did not match: disabled (enabled: false)
            event 2 (line 3, id test-2): matched big-orders
              big-orders → hook (http) receives {"order":"test-2","amount":120,"at":"1970-01-01T00:00:00Z"}
              big-orders → note (log) receives text "big order of 120"
              big-orders → vip (bus) skipped: jq select(.detail.vip) | {source: "shop.vip", "detail-type": "VIP Order", detail: {amount: .detail.amount}} produced no value
              big-orders → per-item (file) dead-lettered: transform failed: jq .detail.amount / .detail.items failed: number (120) and number (0) cannot be divided because the divisor is zero
              paused did not match: disabled (enabled: false)
            event 3 (line 4, id test-3): no rule matched
              big-orders did not match: ✗ /detail/amount [{"numeric":[">",100]}] did not match 5
              paused did not match: disabled (enabled: false)
            3 events on bus orders: 2 matched a rule, 1 matched none; 6 deliveries, 1 skipped, 1 dead-lettered
            """);
    assertThat(r.err())
        .isEqualTo(
            "sluice test: ${env:SLUICE_TEST_NEVER_SET} is not set, so it reads as empty here"
                + " (sluice run and sluice validate need it)\n");
    assertThat(r.exit()).isZero();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("offline: no data directory, no file target output")
          .containsExactlyInAnyOrder("sluice.yaml", "events.ndjson");
    }
  }

  @Test
  void jsonOutputIsOneDocumentPerEventInAStableKeyOrder() throws Exception {
    Path config = write("sluice.yaml", ORDERS);
    Path events = write("events.ndjson", ORDER_EVENTS);

    LogCommandTest.Run r =
        run(
            "test",
            config.toString(),
            "--bus",
            "orders",
            "--events",
            events.toString(),
            "--format",
            "json",
            "--explain");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines())
        .containsExactly(
            "{\"event\":1,\"line\":1,\"id\":\"o-1\",\"bus\":\"orders\",\"matched\":[{\"rule\":\"big-orders\",\"targets\":["
                + "{\"target\":\"hook\",\"kind\":\"http\",\"payload\":{\"order\":\"o-1\",\"amount\":250,\"at\":\"2026-11-23T10:00:00Z\"}},"
                + "{\"target\":\"note\",\"kind\":\"log\",\"text\":\"big order of 250\"},"
                + "{\"target\":\"vip\",\"kind\":\"bus\",\"payload\":{\"source\":\"shop.vip\",\"detail-type\":\"VIP Order\",\"detail\":{\"amount\":250},\"id\":\"o-1\",\"time\":\"2026-11-23T10:00:00Z\",\"resources\":[],\"account\":\"000000000000\",\"region\":\"local\"}},"
                + "{\"target\":\"per-item\",\"kind\":\"file\",\"payload\":50}]}],"
                + "\"unmatched\":[{\"rule\":\"paused\",\"reason\":\"disabled (enabled: false)\"}]}",
            "{\"event\":2,\"line\":3,\"id\":\"test-2\",\"bus\":\"orders\",\"matched\":[{\"rule\":\"big-orders\",\"targets\":["
                + "{\"target\":\"hook\",\"kind\":\"http\",\"payload\":{\"order\":\"test-2\",\"amount\":120,\"at\":\"1970-01-01T00:00:00Z\"}},"
                + "{\"target\":\"note\",\"kind\":\"log\",\"text\":\"big order of 120\"},"
                + "{\"target\":\"vip\",\"kind\":\"bus\",\"skipped\":\"jq select(.detail.vip) | {source: \\\"shop.vip\\\", \\\"detail-type\\\": \\\"VIP Order\\\", detail: {amount: .detail.amount}} produced no value\"},"
                + "{\"target\":\"per-item\",\"kind\":\"file\",\"error\":\"transform failed: jq .detail.amount / .detail.items failed: number (120) and number (0) cannot be divided because the divisor is zero\"}]}],"
                + "\"unmatched\":[{\"rule\":\"paused\",\"reason\":\"disabled (enabled: false)\"}]}",
            "{\"event\":3,\"line\":4,\"id\":\"test-3\",\"bus\":\"orders\",\"matched\":[],"
                + "\"unmatched\":[{\"rule\":\"big-orders\",\"reason\":\"✗ /detail/amount [{\\\"numeric\\\":[\\\">\\\",100]}] did not match 5\"},"
                + "{\"rule\":\"paused\",\"reason\":\"disabled (enabled: false)\"}]}");
  }

  @Test
  void eachBusRunsOnlyItsOwnRules() throws Exception {
    Path config = write("sluice.yaml", ORDERS);
    Path events =
        write(
            "audit.json",
            """
            [
              {"source":"shop.vip","detail-type":"VIP Order","id":"v-1","time":"2026-11-23T10:00:00Z","detail":{"amount":250}},
              {"source":"shop","detail-type":"OrderPlaced","id":"o-9","time":"2026-11-23T10:00:00Z","detail":{"amount":900}}
            ]
            """);

    LogCommandTest.Run r =
        run("test", config.toString(), "--bus", "audit", "--events", events.toString());

    assertThat(r.out())
        .isEqualTo(
            """
            event 1 (line 2, id v-1): matched audit-all
              audit-all → print (log) receives {"version":"0","id":"v-1","detail-type":"VIP Order","source":"shop.vip","account":"000000000000","time":"2026-11-23T10:00:00Z","region":"local","resources":[],"detail":{"amount":250}}
            event 2 (line 3, id o-9): no rule matched
            2 events on bus audit: 1 matched a rule, 1 matched none; 1 delivery, 0 skipped, 0 dead-lettered
            """);
    assertThat(r.exit()).isZero();
  }

  @Test
  void invalidEventsAreReportedWithTheirLineAndIngestsMessages() throws Exception {
    Path events =
        write(
            "events.ndjson",
            """
            {"source":"sports.feed","detail-type":"Score Update","detail":{}}
            {"detail-type":"Score Update","detail":{}}
            {"source":"sports.feed","detail-type":

            {"source":"sports.feed","detail-type":"Score Update","time":"yesterday","detail":[1]}
            """);

    LogCommandTest.Run r = run("test", CONFIG, "--bus", "databus", "--events", events.toString());

    assertThat(r.err())
        .isEqualTo(
            "sluice: "
                + events
                + " has 3 invalid events (ingest would refuse them):\n"
                + "  line 2: INVALID_EVENT /source: is required: a non-empty string\n"
                + "  line 3: MALFORMED_JSON: malformed JSON at line 1, column 39: Unexpected"
                + " end-of-input within/between Object entries\n"
                + "  line 5: INVALID_EVENT /time: expected an RFC 3339 timestamp like 2026-11-23T10:00:00Z, got string \"yesterday\"\n"
                + "  line 5: INVALID_EVENT /detail: expected a JSON object, got array [1]\n");
    assertThat(r.out()).isEmpty();
    assertThat(r.exit()).isEqualTo(1);
  }

  @Test
  void anInvalidEventInAJsonArrayIsReportedWithTheLineItStartsOn() throws Exception {
    Path events =
        write(
            "events.json",
            """
            [
              {"source": "sports.feed", "detail-type": "Score Update"},
              {
                "source": "sports.feed",
                "detail-type": ""
              }
            ]
            """);
    LogCommandTest.Run r = run("test", CONFIG, "--bus", "databus", "--events", events.toString());
    assertThat(r.err())
        .isEqualTo(
            "sluice: "
                + events
                + " has 1 invalid event (ingest would refuse it):\n"
                + "  line 3: INVALID_EVENT /detail-type: expected a non-empty string, got \"\"\n");
    assertThat(r.exit()).isEqualTo(1);

    Path broken = write("broken.json", "[\n {\"source\": \"a\"},\n {\"source\": \n]\n");
    LogCommandTest.Run b = run("test", CONFIG, "--bus", "databus", "--events", broken.toString());
    assertThat(b.err())
        .isEqualTo(
            "sluice: /events: "
                + broken
                + " starts with [ but is not a JSON array of events: malformed JSON at line 4, column"
                + " 1: Unexpected character (']' (code 93)): expected a valid value (JSON String,"
                + " Number, Array, Object or token 'null', 'true' or 'false')\n");
    assertThat(b.exit()).isEqualTo(1);
  }

  @Test
  void anInvalidConfigListsEveryProblem() throws Exception {
    Path config =
        write(
            "sluice.yaml",
            """
            buses: [{name: orders, retention: seven}]
            rules:
              - name: r
                bus: orders
                pattern: {source: shop}
                targets: [{id: t, log: {}, jq: '.['}]
            """);
    Path events = write("events.ndjson", "{\"source\":\"shop\",\"detail-type\":\"T\"}\n");

    LogCommandTest.Run r =
        run("test", config.toString(), "--bus", "orders", "--events", events.toString());

    assertThat(r.err())
        .isEqualTo(
            "sluice: "
                + config
                + " has 3 problems\n"
                + "  /buses/0/retention: expected a duration like 7d or 12h, got \"seven\"\n"
                + "  /rules/0/pattern/source: expected an array of match conditions (like"
                + " [\"shop\"]) or a nested object, got string \"shop\"\n"
                + "  /rules/0/targets/0/jq: jq expression does not compile: Cannot compile query:"
                + " .[\n");
    assertThat(r.out()).isEmpty();
    assertThat(r.exit()).isEqualTo(1);
  }

  @Test
  void missingFilesAreNamed() throws Exception {
    Path events = write("events.ndjson", "{\"source\":\"shop\",\"detail-type\":\"T\"}\n");
    String missing = dir.resolve("nope.yaml").toString();
    LogCommandTest.Run noConfig = run("test", missing, "--events", events.toString());
    assertThat(noConfig.err()).isEqualTo("sluice: config file " + missing + " does not exist\n");
    assertThat(noConfig.exit()).isEqualTo(1);

    String noEventsFile = dir.resolve("none.ndjson").toString();
    LogCommandTest.Run noEvents = run("test", CONFIG, "--bus", "databus", "--events", noEventsFile);
    assertThat(noEvents.err())
        .isEqualTo("sluice: /events: events file " + noEventsFile + " does not exist\n");
    assertThat(noEvents.exit()).isEqualTo(1);

    String noExpect = dir.resolve("none-expected.ndjson").toString();
    LogCommandTest.Run noExpected =
        run("test", CONFIG, "--bus", "databus", "--events", EVENTS, "--expect", noExpect);
    assertThat(noExpected.err())
        .isEqualTo("sluice: /expect: expected-results file " + noExpect + " does not exist\n");
    assertThat(noExpected.exit()).isEqualTo(1);
  }

  @Test
  void aMalformedExpectFileNamesEveryBadLine() throws Exception {
    Path expected =
        write(
            "expected.ndjson",
            """
            {"event":1,"line":1,"id":"M-101-scheduled","bus":"databus","matched":[]}
            {"event":2,"line":2,
            [1,2]

            {"event":0,"id":"x","bus":"databus","matched":[]}
            {"event":3,"id":"x","bus":"databus","matched":[{"rule":"r","targets":[{"kind":"log"}]}]}
            {"event":1,"id":"x","bus":"databus","matched":[]}
            """);

    LogCommandTest.Run r =
        run(
            "test",
            CONFIG,
            "--bus",
            "databus",
            "--events",
            EVENTS,
            "--expect",
            expected.toString());

    assertThat(r.err())
        .isEqualTo(
            "sluice: "
                + expected
                + " is not a results file of sluice test --format json (5 problems):\n"
                + "  line 2: malformed JSON at column 21: Unexpected end-of-input within/between"
                + " Object entries\n"
                + "  line 3: expected a result object {\"event\":…,\"id\":…,\"bus\":…,\"matched\":[…]}, got array [1,2]\n"
                + "  line 5: /event: expected the event's number, an integer from 1, got number 0\n"
                + "  line 6: /matched/0/targets/0/target: expected a target id, got nothing\n"
                + "  line 7: event 1 is already expected on line 1\n");
    assertThat(r.out()).isEmpty();
    assertThat(r.exit()).isEqualTo(1);
  }

  @Test
  void anUnknownBusIsRefusedWithTheConfiguredOnes() {
    LogCommandTest.Run r = run("test", CONFIG, "--events", EVENTS);
    assertThat(r.err())
        .isEqualTo(
            "sluice: /bus: names bus \"default\", which is not configured in "
                + CONFIG
                + " (buses: databus); pass --bus with one of them\n");
    assertThat(r.exit()).isEqualTo(1);
  }

  @Test
  void commandLineMistakesExit2() {
    LogCommandTest.Run noEvents = run("test", CONFIG);
    assertThat(noEvents.err()).startsWith("Missing required option: '--events=FILE'\n");
    assertThat(noEvents.exit()).isEqualTo(2);

    LogCommandTest.Run badFormat =
        run("test", CONFIG, "--bus", "databus", "--events", EVENTS, "--format", "yaml");
    assertThat(badFormat.err())
        .startsWith("Invalid value for option '--format': expected text or json, got \"yaml\"\n");
    assertThat(badFormat.exit()).isEqualTo(2);

    LogCommandTest.Run both =
        run(
            "test",
            CONFIG,
            "--bus",
            "databus",
            "--events",
            EVENTS,
            "--format",
            "json",
            "--expect",
            EXPECTED);
    assertThat(both.err())
        .startsWith(
            "--format json prints results and --expect compares them with a file: give one of"
                + " them\n");
    assertThat(both.exit()).isEqualTo(2);
  }
}

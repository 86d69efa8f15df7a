package io.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.Problem;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionKeyTest {

  static final String EVENT =
      "{\"id\":\"1\",\"source\":\"shop/eu\",\"time\":\"2026-11-30T23:59:59+02:00\","
          + "\"detail\":{\"region\":\"eu-west\",\"n\":7,\"path\":\"../../etc\",\"dots\":\"..\","
          + "\"empty\":\"\",\"nested\":{\"x\":1},\"unicode\":\"é ü\",\"long\":\""
          + "x".repeat(300)
          + "\"}}";

  static PartitionKey key(String spec) {
    List<Problem> problems = new ArrayList<>();
    PartitionKey k = PartitionKey.compile(spec, "/p", problems);
    assertThat(problems).as(spec).isEmpty();
    return k;
  }

  static String render(String spec) {
    return key(spec).render(PartitionKey.parse(EVENT), 1_764_547_200_000L);
  }

  static List<String> problems(String spec) {
    List<Problem> problems = new ArrayList<>();
    assertThat(PartitionKey.compile(spec, "/p", problems)).isNull();
    return problems.stream().map(Problem::toString).toList();
  }

  @Test
  void rendersTimesFieldsAndJq() {
    assertThat(render("dt=${time:yyyy-MM-dd}")).isEqualTo("2026-11-30"); // 21:59:59 UTC
    assertThat(render("hour=${time:yyyy-MM-dd-HH}")).isEqualTo("2026-11-30-21");
    assertThat(render("day=${ingestion_time:yyyyMMdd}")).isEqualTo("20251201");
    assertThat(render("region=${detail.region}")).isEqualTo("eu-west");
    assertThat(render("n=${detail.n}")).isEqualTo("7");
    assertThat(render("r=x-${detail.region}-${detail.n}")).isEqualTo("x-eu-west-7");
    assertThat(render("len=${jq:.detail.region | length}")).isEqualTo("7");
    assertThat(render("k=literal")).isEqualTo("literal");
  }

  @Test
  void missingValuesGoToTheDefaultPartition() {
    assertThat(render("r=${detail.nope}")).isEqualTo(PartitionKey.DEFAULT_VALUE);
    assertThat(render("r=${detail.nested}")).isEqualTo(PartitionKey.DEFAULT_VALUE);
    assertThat(render("r=${detail.empty}")).isEqualTo(PartitionKey.DEFAULT_VALUE);
    assertThat(render("r=${jq:.detail.nope}")).isEqualTo(PartitionKey.DEFAULT_VALUE);
    assertThat(key("dt=${time:yyyy}").render(PartitionKey.parse("{}"), 0))
        .isEqualTo(PartitionKey.DEFAULT_VALUE);
  }

  @Test
  void pathUnsafeCharactersAreEscaped() {
    assertThat(render("s=${source}")).isEqualTo("shop%2Feu");
    assertThat(render("p=${detail.path}")).isEqualTo("%2E.%2F..%2Fetc"); // one segment
    assertThat(render("d=${detail.dots}")).isEqualTo("%2E.");
    assertThat(render("u=${detail.unicode}")).isEqualTo("%C3%A9%20%C3%BC");
    assertThat(PartitionKey.escape("a=b%c")).isEqualTo("a%3Db%25c");
    assertThatThrownBy(() -> render("l=${detail.long}"))
        .hasMessageStartingWith(
            "partition key l renders a value of 300 characters, more than the limit of 200");
  }

  @Test
  void badSpecsAreProblemsNamingTheValue() {
    assertThat(problems("dt"))
        .containsExactly(
            "/p: expected a partition key like dt=${time:yyyy-MM-dd} or region=${detail.region}, got \"dt\"");
    assertThat(problems("Dt=${time:yyyy}").get(0))
        .startsWith("/p: expected a partition key name of 1-64 characters a-z 0-9 _");
    assertThat(problems("dt=")).containsExactly("/p: expected a template after dt=, got nothing");
    assertThat(problems("dt=${time:}").get(0))
        .startsWith("/p: expected a date-time pattern such as yyyy-MM-dd after time:");
    assertThat(problems("dt=${time:bbbb}").get(0))
        .startsWith("/p: expected a date-time pattern such as yyyy-MM-dd after time:");
    assertThat(problems("r=${jq:.[}").get(0)).startsWith("/p: jq expression does not compile");
    assertThat(problems("r=${what ever}").get(0))
        .startsWith("/p: expected ${time:PATTERN}, ${ingestion_time:PATTERN}, ${jq:EXPRESSION}");
    assertThat(problems("r=${detail.x").get(0))
        .startsWith("/p: has an unterminated ${ in its template");
  }

  @Test
  void fastTimeParsingAgreesWithTheJdk() {
    for (String t :
        List.of(
            "2026-11-30T10:00:00Z",
            "2026-11-30T10:00:00.5Z",
            "2026-11-30T10:00:00.123456789Z",
            "2026-02-28T23:59:59-08:00",
            "2026-12-31T23:30:00+05:30",
            "2024-02-29T12:00:00Z",
            "2026-01-31t00:00:00z",
            "1999-12-31T23:59:59.999+00:00")) {
      assertThat(PartitionKey.parseTime(t))
          .as(t)
          .isEqualTo(java.time.OffsetDateTime.parse(t.toUpperCase()).toInstant());
    }
    assertThat(PartitionKey.parseTime("2026-02-30T10:00:00Z")).isNull();
    assertThat(PartitionKey.parseTime("2026-11-30T25:00:00Z")).isNull();
    assertThat(PartitionKey.parseTime("2026-11-30 10:00:00")).isNull();
    assertThat(PartitionKey.parseTime("yesterday")).isNull();
  }
}

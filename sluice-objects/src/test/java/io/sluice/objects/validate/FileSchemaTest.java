package io.sluice.objects.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.objects.validate.FileSchema.Column;
import io.sluice.objects.validate.FileSchema.Type;
import java.math.BigDecimal;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FileSchemaTest {

  static Column col(Type t, String min, String max) {
    return new Column(
        "c",
        t,
        true,
        min == null ? null : new BigDecimal(min),
        max == null ? null : new BigDecimal(max),
        null,
        null,
        null);
  }

  @Test
  void numbersIntegersAndRanges() {
    Column i = col(Type.INTEGER, "30", "220");
    assertThat(i.check("30")).isNull();
    assertThat(i.check(" 220 ")).isNull();
    assertThat(i.check("+72")).isNull();
    assertThat(i.check("72.0")).isNull();
    assertThat(i.check("72.5")).isEqualTo("c: expected an integer, got \"72.5\"");
    assertThat(i.check("29")).isEqualTo("c: expected at least 30, got \"29\"");
    assertThat(i.check("221")).isEqualTo("c: expected at most 220, got \"221\"");
    assertThat(i.check("1e2")).isNull(); // 100, as BigDecimal reads it
    assertThat(i.check("abc")).isEqualTo("c: expected an integer, got \"abc\"");
    assertThat(i.check("-")).isEqualTo("c: expected an integer, got \"-\"");
    assertThat(i.check("1.2.3")).isEqualTo("c: expected an integer, got \"1.2.3\"");
    assertThat(i.check("99999999999999999999999"))
        .isEqualTo("c: expected an integer of at most 64 bits, got \"99999999999999999999999\"");
    Column unbounded = col(Type.INTEGER, null, null);
    assertThat(unbounded.check("9223372036854775807")).isNull();
    assertThat(unbounded.check("9223372036854775808"))
        .isEqualTo("c: expected an integer of at most 64 bits, got \"9223372036854775808\"");
    Column n = col(Type.NUMBER, "34", "42");
    assertThat(n.check("36.6")).isNull();
    assertThat(n.check(".5")).isEqualTo("c: expected at least 34, got \".5\"");
    assertThat(n.check("42.01")).isEqualTo("c: expected at most 42, got \"42.01\"");
    assertThat(n.check("-40")).isEqualTo("c: expected at least 34, got \"-40\"");
    assertThat(n.check("")).isEqualTo("c: is required, got an empty value");
  }

  @Test
  void timestampsDatesBooleansEnumsPatternsAndLengths() {
    Column ts = col(Type.TIMESTAMP, null, null);
    assertThat(ts.check("2026-11-30T08:00:00Z")).isNull();
    assertThat(ts.check("2026-11-30T08:00:00.5+01:00")).isNull();
    assertThat(ts.check("2026-11-30 08:00")).startsWith("c: expected an ISO-8601 timestamp");
    assertThat(ts.check("2026-02-30T08:00:00Z")).startsWith("c: expected an ISO-8601 timestamp");
    Column d =
        new Column(
            "d", Type.DATE, false, null, null, null, null, FileSchema.DatePattern.of("dd/MM/yyyy"));
    assertThat(d.check("30/11/2026")).isNull();
    assertThat(d.check("")).isNull();
    assertThat(d.check("2026-11-30"))
        .isEqualTo("d: expected a date like 30/11/2026 (dd/MM/yyyy), got \"2026-11-30\"");
    // read strictly: no day 31 of February becomes the 28th
    assertThat(d.check("31/02/2026"))
        .isEqualTo("d: expected a date like 30/11/2026 (dd/MM/yyyy), got \"31/02/2026\"");
    assertThat(d.datePattern().parse("29/02/2028")).isEqualTo(java.time.LocalDate.of(2028, 2, 29));
    assertThat(FileSchema.DatePattern.of("uuuu.MM.dd").parse("2026.11.30"))
        .isEqualTo(java.time.LocalDate.of(2026, 11, 30));
    Column iso = col(Type.DATE, null, null);
    assertThat(iso.check("2026-02-29"))
        .isEqualTo("c: expected a date like 2026-11-30 (yyyy-MM-dd), got \"2026-02-29\"");
    Column b = col(Type.BOOLEAN, null, null);
    assertThat(b.check("TRUE")).isNull();
    assertThat(b.check("yes")).isEqualTo("c: expected true or false, got \"yes\"");
    Column e =
        new Column(
            "ward", Type.STRING, false, null, null, Set.of("ICU"), Pattern.compile("[A-Z]+"), null);
    assertThat(e.check("ICU")).isNull();
    assertThat(e.check("ER")).isEqualTo("ward: expected one of ICU, got \"ER\"");
    Column p =
        new Column(
            "id",
            Type.STRING,
            true,
            BigDecimal.ONE,
            BigDecimal.valueOf(4),
            null,
            Pattern.compile("P[0-9]+"),
            null);
    assertThat(p.check("P12")).isNull();
    assertThat(p.check("P12345")).isEqualTo("id: expected at most 4 characters, got \"P12345\"");
    assertThat(p.check("X1")).isEqualTo("id: expected to match P[0-9]+, got \"X1\"");
  }
}

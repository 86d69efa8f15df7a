package io.sluice.objects.validate;

import io.sluice.core.Problem;
import io.sluice.lake.PartitionKey;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The columns a validated file must have, and the rule for each value. A row is valid when every
 * column passes; a failing value is reported as {@code column: rule, got "value"}.
 *
 * @param version a number the user bumps when the schema changes (kept in each manifest)
 */
public record FileSchema(int version, List<Column> columns) {

  public FileSchema {
    columns = List.copyOf(columns);
  }

  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  /**
   * How the dates of a DATE column are written: {@link DateTimeFormatter} letters such as {@code
   * dd/MM/yyyy}, read strictly (31/02/2026 is no date, where a lenient reading would make it
   * 28/02/2026), in {@link Locale#ROOT}.
   */
  public record DatePattern(String pattern, DateTimeFormatter formatter) {

    /** The default: ISO {@code yyyy-MM-dd}. */
    public static final DatePattern ISO =
        new DatePattern("yyyy-MM-dd", DateTimeFormatter.ISO_LOCAL_DATE);

    private static final LocalDate SAMPLE = LocalDate.of(2026, 11, 30);

    /**
     * @throws IllegalArgumentException when {@code pattern} is not a pattern, or not one of a whole
     *     date (year, month and day), saying why
     */
    public static DatePattern of(String pattern) {
      DateTimeFormatter f =
          new DateTimeFormatterBuilder()
              .appendPattern(pattern)
              .parseDefaulting(ChronoField.ERA, 1) // yyyy is the year of an era: ours
              .toFormatter(Locale.ROOT)
              .withResolverStyle(ResolverStyle.STRICT);
      try {
        if (LocalDate.parse(f.format(SAMPLE), f).equals(SAMPLE)) {
          return new DatePattern(pattern, f);
        }
      } catch (DateTimeException e) {
        // below
      }
      throw new IllegalArgumentException(
          "it needs a year, a month and a day, as dd/MM/yyyy has them");
    }

    /** The date {@code text} is. */
    public LocalDate parse(String text) {
      return LocalDate.parse(text, formatter);
    }

    /** 30 November 2026 in this pattern. */
    String example() {
      return formatter.format(SAMPLE);
    }
  }

  /** Value types. */
  public enum Type {
    STRING,
    INTEGER,
    NUMBER,
    BOOLEAN,
    TIMESTAMP,
    DATE
  }

  /**
   * One column.
   *
   * @param min for numbers, the smallest allowed value; for strings, the shortest length
   * @param max for numbers, the largest; for strings, the longest length
   * @param allowed the only values allowed (enum), or null
   * @param pattern a regular expression the whole value must match, or null
   * @param dateFormat for DATE, how dates are written (null: ISO {@code yyyy-MM-dd}); TIMESTAMP is
   *     ISO-8601 with an offset
   */
  public record Column(
      String name,
      Type type,
      boolean required,
      BigDecimal min,
      BigDecimal max,
      Set<String> allowed,
      Pattern pattern,
      DatePattern dateFormat) {

    /** Plain decimals (digits, one dot, a sign) without BigDecimal's general parser; else null. */
    private static BigDecimal fastDecimal(String v) {
      int n = v.length();
      if (n == 0 || n > 18) {
        return null;
      }
      long unscaled = 0;
      int scale = -1;
      int i = 0;
      boolean negative = false;
      if (v.charAt(0) == '-' || v.charAt(0) == '+') {
        negative = v.charAt(0) == '-';
        i = 1;
      }
      if (i == n) {
        return null;
      }
      for (; i < n; i++) {
        char c = v.charAt(i);
        if (c == '.' && scale < 0) {
          scale = 0;
        } else if (c >= '0' && c <= '9') {
          unscaled = unscaled * 10 + (c - '0');
          if (scale >= 0) {
            scale++;
          }
        } else {
          return null;
        }
      }
      if (scale == 0) {
        return null; // "12." : let the general parser decide
      }
      return BigDecimal.valueOf(negative ? -unscaled : unscaled, Math.max(scale, 0));
    }

    /** How this column's dates are written: {@link #dateFormat}, or ISO. */
    public DatePattern datePattern() {
      return dateFormat == null ? DatePattern.ISO : dateFormat;
    }

    /** Null when {@code raw} is fine; else why not, naming the column, the rule and the value. */
    public String check(String raw) {
      Problem p = verdict(raw);
      return p == null ? null : Reasons.text(p);
    }

    /**
     * Null when {@code raw} is fine; else the problem, at the column's name, with the rule and the
     * value ({@code "hr": expected at most 220, got "250"}).
     */
    public Problem verdict(String raw) {
      if (raw == null || raw.isEmpty()) {
        return required ? Problem.of(name, "is required, got an empty value") : null;
      }
      String v = raw.strip();
      String problem = problem(v);
      return problem == null
          ? null
          : Problem.of(name, problem + ", got " + Problem.render(raw), Problem.render(raw));
    }

    /** What is wrong with a non-empty value, without the column name and the value; or null. */
    private String problem(String v) {
      switch (type) {
        case INTEGER, NUMBER -> {
          BigDecimal n = fastDecimal(v);
          if (n == null) {
            try {
              n = new BigDecimal(v);
            } catch (NumberFormatException e) {
              return "expected " + (type == Type.INTEGER ? "an integer" : "a number");
            }
          }
          if (type == Type.INTEGER && n.scale() > 0 && n.stripTrailingZeros().scale() > 0) {
            return "expected an integer";
          }
          if (type == Type.INTEGER && (n.compareTo(LONG_MIN) < 0 || n.compareTo(LONG_MAX) > 0)) {
            return "expected an integer of at most 64 bits";
          }
          if (min != null && n.compareTo(min) < 0) {
            return "expected at least " + min.toPlainString();
          }
          if (max != null && n.compareTo(max) > 0) {
            return "expected at most " + max.toPlainString();
          }
        }
        case BOOLEAN -> {
          if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            return "expected true or false";
          }
        }
        case TIMESTAMP -> {
          if (PartitionKey.parseTime(v) == null) {
            return "expected an ISO-8601 timestamp with offset like 2026-11-30T10:00:00Z";
          }
        }
        case DATE -> {
          DatePattern d = datePattern();
          try {
            d.parse(v);
          } catch (DateTimeParseException e) {
            return "expected a date like " + d.example() + " (" + d.pattern() + ")";
          }
        }
        case STRING -> {
          int len = v.codePointCount(0, v.length());
          if (min != null && len < min.intValue()) {
            return "expected at least " + min.intValue() + " characters";
          }
          if (max != null && len > max.intValue()) {
            return "expected at most " + max.intValue() + " characters";
          }
        }
      }
      if (allowed != null && !allowed.contains(v)) {
        return "expected one of " + String.join(", ", allowed);
      }
      if (pattern != null && !pattern.matcher(v).matches()) {
        return "expected to match " + pattern.pattern();
      }
      return null;
    }
  }
}

package io.sluice.core.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as people write them in config. Units are binary: {@code KB} and {@code KiB} both mean 1024
 * bytes ({@code 256KB} = 262144, the EventBridge event limit), {@code MB} 1024², {@code GB} 1024³;
 * a plain number is bytes.
 */
public final class ByteSizes {

  private static final Pattern SIZE =
      Pattern.compile("(\\d{1,15})\\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?");

  private ByteSizes() {}

  /** The size in bytes, or -1 when {@code s} is not a size. */
  public static long parse(String s) {
    Matcher m = SIZE.matcher(s.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return -1;
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    int shift =
        switch (unit) {
          case "kb", "kib" -> 10;
          case "mb", "mib" -> 20;
          case "gb", "gib" -> 30;
          case "tb", "tib" -> 40;
          default -> 0;
        };
    if (shift > 0 && n > (Long.MAX_VALUE >> shift)) {
      return -1;
    }
    return n << shift;
  }

  public static String format(long bytes) {
    if (bytes >= (1L << 30) && bytes % (1L << 30) == 0) {
      return (bytes >> 30) + "GB";
    }
    if (bytes >= (1L << 20) && bytes % (1L << 20) == 0) {
      return (bytes >> 20) + "MB";
    }
    if (bytes >= 1024 && bytes % 1024 == 0) {
      return (bytes >> 10) + "KB";
    }
    return bytes + "B";
  }
}

package io.sluice.core;

/**
 * Strict UTF-8 (RFC 3629) and Unicode checks, the one definition of "valid text" used at every
 * door: bytes are refused when they hold an overlong form ({@code C0 AF} for {@code /}), an encoded
 * surrogate ({@code ED A0 80}), a code point above U+10FFFF, a stray continuation byte or a cut
 * sequence; strings are refused when they hold a surrogate without its pair (what a JSON {@code
 * \ud800} escape produces). Jackson's parser decodes overlong forms without complaint, so bodies
 * are checked here before they are parsed.
 *
 * <p>Stateless and thread-safe.
 */
public final class Utf8 {

  private Utf8() {}

  /** The index of the first byte that does not start a valid sequence, or -1 when all is valid. */
  public static int firstInvalid(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end) {
      // ASCII runs are the common case: 8 bytes at a time while none has the high bit
      while (i + 8 <= end
          && (b[i] | b[i + 1] | b[i + 2] | b[i + 3] | b[i + 4] | b[i + 5] | b[i + 6] | b[i + 7])
              >= 0) {
        i += 8;
      }
      if (i >= end) {
        break;
      }
      int c = b[i] & 0xff;
      if (c < 0x80) {
        i++;
        continue;
      }
      int n = sequenceLength(b, i, end);
      if (n < 0) {
        return i;
      }
      i += n;
    }
    return -1;
  }

  /** {@link #firstInvalid(byte[], int, int)} over the whole array. */
  public static int firstInvalid(byte[] b) {
    return firstInvalid(b, 0, b.length);
  }

  /** Length of the valid multi-byte sequence at {@code i}, or -1. */
  private static int sequenceLength(byte[] b, int i, int end) {
    int c = b[i] & 0xff;
    if (c >= 0xc2 && c <= 0xdf) {
      return i + 1 < end && cont(b[i + 1]) ? 2 : -1;
    }
    if (c >= 0xe0 && c <= 0xef) {
      if (i + 2 >= end) {
        return -1;
      }
      int c1 = b[i + 1] & 0xff;
      int lo = c == 0xe0 ? 0xa0 : 0x80; // E0 80..9F would be overlong
      int hi = c == 0xed ? 0x9f : 0xbf; // ED A0..BF would be a surrogate
      return c1 >= lo && c1 <= hi && cont(b[i + 2]) ? 3 : -1;
    }
    if (c >= 0xf0 && c <= 0xf4) {
      if (i + 3 >= end) {
        return -1;
      }
      int c1 = b[i + 1] & 0xff;
      int lo = c == 0xf0 ? 0x90 : 0x80; // F0 80..8F would be overlong
      int hi = c == 0xf4 ? 0x8f : 0xbf; // F4 90.. would be above U+10FFFF
      return c1 >= lo && c1 <= hi && cont(b[i + 2]) && cont(b[i + 3]) ? 4 : -1;
    }
    return -1; // 80..C1 (continuation or overlong lead) and F5..FF never start a sequence
  }

  private static boolean cont(byte x) {
    return (x & 0xc0) == 0x80;
  }

  /** What is wrong at {@code at}: for messages, e.g. "an overlong form C0 AF". */
  public static String describe(byte[] b, int at, int end) {
    int c = b[at] & 0xff;
    StringBuilder hex = new StringBuilder();
    boolean lead = c >= 0xc0 && c <= 0xf4; // C0, C1: overlong leads, shown with what follows
    for (int k = at; k < Math.min(end, lead ? at + 4 : at + 1); k++) {
      if (k > at && (k >= end || (b[k] & 0xc0) != 0x80)) {
        break;
      }
      if (k > at) {
        hex.append(' ');
      }
      hex.append(String.format("%02X", b[k] & 0xff));
    }
    String what;
    if (c >= 0x80 && c <= 0xbf) {
      what = "a continuation byte without a lead byte";
    } else if (c == 0xc0
        || c == 0xc1
        || (c == 0xe0 && at + 1 < end && (b[at + 1] & 0xff) < 0xa0)
        || (c == 0xf0 && at + 1 < end && (b[at + 1] & 0xff) < 0x90)) {
      what = "an overlong form";
    } else if (c == 0xed && at + 1 < end && (b[at + 1] & 0xff) >= 0xa0) {
      what = "an encoded surrogate";
    } else if (c >= 0xf8) {
      return "a byte UTF-8 never uses (" + hex + ")";
    } else if (c >= 0xf5 || (c == 0xf4 && at + 1 < end && (b[at + 1] & 0xff) >= 0x90)) {
      what = "a code point above U+10FFFF";
    } else {
      what = "a cut or malformed sequence";
    }
    return what + " " + hex;
  }

  /**
   * The index of the first surrogate char of {@code s} that is not part of a high-low pair, or -1
   * when {@code s} is valid Unicode text.
   */
  public static int firstLoneSurrogate(CharSequence s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE) {
        continue;
      }
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
        continue;
      }
      return i;
    }
    return -1;
  }

  /** "a lone surrogate U+D800 at character 3": for messages. */
  public static String describeLoneSurrogate(CharSequence s, int at) {
    return "a lone surrogate U+"
        + String.format("%04X", (int) s.charAt(at))
        + " at character "
        + at
        + " (a \\u"
        + String.format("%04x", (int) s.charAt(at))
        + " escape needs its pair)";
  }
}

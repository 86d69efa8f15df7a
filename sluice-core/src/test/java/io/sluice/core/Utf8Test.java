package io.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Utf8Test {

  private static byte[] hex(String h) {
    return HexFormat.of().parseHex(h.replace(" ", ""));
  }

  @ParameterizedTest
  @CsvSource({
    "'', -1",
    "41 42 43, -1",
    "C3 A9, -1",
    "E2 82 AC, -1",
    "F0 9F 98 80, -1",
    "F4 8F BF BF, -1",
    "ED 9F BF, -1",
    "EE 80 80, -1",
    "41 C0 AF, 1",
    "C1 BF, 0",
    "E0 80 AF, 0",
    "E0 9F BF, 0",
    "F0 80 80 AF, 0",
    "F0 8F BF BF, 0",
    "ED A0 80, 0",
    "ED BF BF, 0",
    "F4 90 80 80, 0",
    "F5 80 80 80, 0",
    "FF, 0",
    "41 80, 1",
    "C3, 0",
    "E2 82, 0",
    "F0 9F 98, 0",
    "C3 41, 0",
    "41 41 41 41 41 41 41 41 41 FF, 9"
  })
  void findsTheFirstByteThatIsNotStrictUtf8(String bytes, int expected) {
    byte[] b = hex(bytes);
    assertThat(Utf8.firstInvalid(b)).isEqualTo(expected);
  }

  @Test
  void agreesWithTheJdksStrictDecoderOnRandomBytes() {
    Random r = new Random(42);
    var decoder = StandardCharsets.UTF_8.newDecoder();
    for (int i = 0; i < 20_000; i++) {
      byte[] b = new byte[r.nextInt(12)];
      for (int k = 0; k < b.length; k++) {
        b[k] = (byte) (r.nextInt(4) == 0 ? r.nextInt(128) : 0x80 + r.nextInt(128));
      }
      boolean jdk;
      try {
        decoder.reset().decode(java.nio.ByteBuffer.wrap(b));
        jdk = true;
      } catch (java.nio.charset.CharacterCodingException e) {
        jdk = false;
      }
      assertThat(Utf8.firstInvalid(b) < 0).as(HexFormat.of().formatHex(b)).isEqualTo(jdk);
    }
  }

  @Test
  void describesWhatIsWrong() {
    byte[] b = hex("41 C0 AF");
    assertThat(Utf8.describe(b, 1, b.length)).isEqualTo("an overlong form C0 AF");
    b = hex("ED A0 80");
    assertThat(Utf8.describe(b, 0, b.length)).isEqualTo("an encoded surrogate ED A0 80");
    b = hex("FF");
    assertThat(Utf8.describe(b, 0, b.length)).isEqualTo("a byte UTF-8 never uses (FF)");
    b = hex("80");
    assertThat(Utf8.describe(b, 0, b.length))
        .isEqualTo("a continuation byte without a lead byte 80");
  }

  @Test
  void findsLoneSurrogatesInStrings() {
    assertThat(Utf8.firstLoneSurrogate("abc")).isEqualTo(-1);
    assertThat(Utf8.firstLoneSurrogate("a😀b")).isEqualTo(-1);
    assertThat(Utf8.firstLoneSurrogate("a\ud800")).isEqualTo(1);
    assertThat(Utf8.firstLoneSurrogate("\udc00\ud800")).isEqualTo(0);
    assertThat(Utf8.firstLoneSurrogate("x\ud83d\ude00\ude00")).isEqualTo(3);
  }
}

package io.sluice.objects.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReaderTest {

  static List<CsvReader.Record> read(byte[] bytes, long max) throws Exception {
    List<CsvReader.Record> out = new ArrayList<>();
    try (CsvReader r = new CsvReader(new ByteArrayInputStream(bytes), max)) {
      CsvReader.Record rec;
      while ((rec = r.next()) != null) {
        out.add(rec);
      }
    }
    return out;
  }

  static List<CsvReader.Record> read(String s) throws Exception {
    return read(s.getBytes(StandardCharsets.UTF_8), 1000);
  }

  @Test
  void quotedCommasNewlinesEscapesBomAndLineEnds() throws Exception {
    List<CsvReader.Record> rs =
        read("\uFEFFa,b,c\r\n\"x, y\",\"line1\nline2\",\"say \"\"hi\"\"\"\r\n1,,3\r4,5,6\n");
    assertThat(rs).hasSize(4);
    assertThat(rs.get(0).fields()).containsExactly("a", "b", "c");
    assertThat(rs.get(1).fields()).containsExactly("x, y", "line1\nline2", "say \"hi\"");
    assertThat(rs.get(1).line()).isEqualTo(2);
    assertThat(rs.get(2).fields()).containsExactly("1", "", "3");
    assertThat(rs.get(2).line()).isEqualTo(4);
    assertThat(rs.get(3).fields()).containsExactly("4", "5", "6");
    assertThat(rs).allSatisfy(r -> assertThat(r.error()).isNull());
  }

  @Test
  void raggedRowsKeepTheirFieldsForTheValidatorToJudge() throws Exception {
    List<CsvReader.Record> rs = read("a,b,c\n1,2\n1,2,3,4\n");
    assertThat(rs.get(1).fields()).containsExactly("1", "2");
    assertThat(rs.get(2).fields()).containsExactly("1", "2", "3", "4");
  }

  @Test
  void malformedRecordsAreErrorsAndReadingGoesOn() throws Exception {
    List<CsvReader.Record> rs = read("a,b\n\"x\"y,2\n3,4\n5,\"open\n6,7\n");
    assertThat(rs.get(1).error()).isEqualTo("unexpected character \"y\" after a closing quote");
    assertThat(rs.get(2).fields()).containsExactly("3", "4");
    assertThat(rs.get(3).error())
        .isEqualTo("unterminated quoted field (the quote opened on line 4 never closes)");
    assertThat(rs).hasSize(4);
  }

  @Test
  void aHugeLineIsAnErrorRecordWithoutHoldingIt() throws Exception {
    String huge = "x".repeat(5000);
    List<CsvReader.Record> rs =
        read(("a,b\n" + huge + ",1\n2,3\n").getBytes(StandardCharsets.UTF_8), 100);
    assertThat(rs.get(1).error())
        .isEqualTo("the record is longer than the limit of 100 characters");
    assertThat(rs.get(1).fields().get(0)).isEmpty();
    assertThat(rs.get(2).fields()).containsExactly("2", "3");
  }

  @Test
  void emptyInputHasNoRecordsAndBadUtf8IsRefused() throws Exception {
    assertThat(read("")).isEmpty();
    assertThat(read("\uFEFF")).isEmpty();
    byte[] latin1 = "a,b\nM\u00fcller,1\n".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> read(latin1, 1000))
        .isInstanceOf(CsvReader.InvalidEncodingException.class)
        .hasMessage("the file is not valid UTF-8 (a malformed byte sequence near line 1)");
  }
}

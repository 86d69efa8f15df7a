package io.sluice.analyses;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventFieldsTest {

  @Test
  void readsValuesAtPathsWithoutATree() throws Exception {
    EventFields f = new EventFields("detail.at", "time", "detail.s.x", "source", "detail.o");
    String[] v =
        f.read(
            ("{\"source\":\"s\",\"time\":\"2026-12-01T00:00:00Z\",\"detail\":{\"a\":{\"at\":1},"
                    + "\"at\":\"2026-12-01T10:00:00.5+01:00\",\"s\":{\"x\":3.5},\"o\":{\"k\":[1]}}}")
                .getBytes(StandardCharsets.UTF_8));
    assertThat(v)
        .containsExactly(
            "2026-12-01T10:00:00.5+01:00", "2026-12-01T00:00:00Z", "3.5", "s", "{\"k\":[1]}");
    assertThat(f.read("{\"detail\":null}".getBytes(StandardCharsets.UTF_8))).containsOnlyNulls();
  }

  @Test
  void timeTextIsReadAsTheFormatterReadsIt() {
    for (String s :
        new String[] {
          "2026-12-01T10:00:00Z",
          "2026-12-01T10:00:00.123Z",
          "2026-12-01T10:00:00.1234567Z",
          "2026-12-01t10:00:00z",
          "2026-02-28T23:59:59-05:30",
          "2024-02-29T00:00:00+14:00",
          "0001-01-01T00:00:00Z",
        }) {
      Instant i = EventCodec.parseTime(s);
      assertThat(EventFields.time(s)).as(s).isEqualTo(i == null ? null : i.toEpochMilli());
    }
    assertThat(EventFields.time("1764583200123")).isEqualTo(1764583200123L);
    for (String bad :
        new String[] {
          "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-12-01T24:00:00Z",
          "2026-12-01 10:00:00Z", "2026-12-01T10:00:00", "yesterday",
          "2026-12-01T10:00:00+1:00"
        }) {
      assertThat(EventFields.time(bad)).as(bad).isNull();
    }
  }
}

package io.sluice.core.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReceiptTest {

  @Test
  void aSenderThatOnlySendsReportsEveryItemDeliveredAndANegativeCountIsRefused() throws Exception {
    Sender plain = items -> {};
    assertThat(plain.sendAsync(List.of()).get()).isEqualTo(Receipt.DELIVERED);
    assertThat(Receipt.DELIVERED.errors()).isZero();
    assertThat(new Receipt(3).errors()).isEqualTo(3);
    assertThatThrownBy(() -> new Receipt(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("errors: expected 0 or more, got -1");
  }
}

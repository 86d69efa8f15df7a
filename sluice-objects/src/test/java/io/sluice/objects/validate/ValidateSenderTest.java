package io.sluice.objects.validate;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.Json;
import io.sluice.core.targets.DeliveryException;
import io.sluice.core.targets.Outbound;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValidateSenderTest {

  @Test
  void aValidateTargetRefusesAnEventThatNamesNoObject() throws Exception {
    var spec =
        new ValidateTarget(
            FileFormat.CSV,
            new FileSchema(1, List.of()),
            "processed/",
            "rejected/",
            null,
            1024,
            null);
    var sender = new ValidateSender(null, spec);
    var event = Json.MAPPER.readTree("{\"detail-type\":\"Order\",\"detail\":{\"n\":1}}");
    var out = new Outbound("b", "r", "1", null, null, event, 0, 0, false, false, 0);
    assertThatThrownBy(() -> sender.send(List.of(out)))
        .isInstanceOf(DeliveryException.class)
        .hasMessage(
            "expected an Object Created event with detail.bucket.name and detail.object.key, got"
                + " detail-type \"Order\" with detail object {\"n\":1}")
        .matches(e -> !((DeliveryException) e).retryable());
  }
}

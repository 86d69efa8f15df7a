package io.sluice.objects.validate;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.targets.DeliveryException;
import io.sluice.core.targets.Outbound;
import io.sluice.core.targets.Sender;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;

/**
 * The {@code validate} target: each delivery is an {@code Object Created} event; the object it
 * names is validated. A delivery that names no object, or a deleted one, is not retried (it goes to
 * the dead letters with the reason); an I/O failure is retried.
 */
final class ValidateSender implements Sender {

  private final FileValidator validator;
  private final ValidateTarget spec;

  ValidateSender(FileValidator validator, ValidateTarget spec) {
    this.validator = validator;
    this.spec = spec;
  }

  @Override
  public void send(List<Outbound> items) throws DeliveryException {
    for (Outbound o : items) {
      JsonNode d = o.event() == null ? null : o.event().path("detail");
      String bucket = d == null ? null : d.path("bucket").path("name").asText(null);
      String key = d == null ? null : d.path("object").path("key").asText(null);
      if (bucket == null || key == null) {
        throw DeliveryException.permanent(
            "expected an Object Created event with detail.bucket.name and detail.object.key, got"
                + " detail-type "
                + io.sluice.core.Problem.render(
                    o.event() == null ? null : o.event().path("detail-type").asText(null))
                + " with detail "
                + io.sluice.core.Json.describe(d));
      }
      try {
        validator.validate(spec, bucket, key);
      } catch (FileNotFoundException e) {
        throw DeliveryException.permanent(e.getMessage());
      } catch (io.sluice.core.InvalidInputException e) {
        throw DeliveryException.permanent(e.getMessage());
      } catch (IOException | RuntimeException e) {
        throw DeliveryException.retryable("validating " + bucket + "/" + key + " failed: " + e);
      }
    }
  }
}

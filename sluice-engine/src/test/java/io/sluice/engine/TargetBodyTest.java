package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.transform.JqTransform;
import io.sluice.core.transform.Transform;
import io.sluice.core.transform.TransformInput;
import io.sluice.core.transform.TransformOutput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetBodyTest {

  static final String EVENT =
      "{\"version\":\"0\",\"id\":\"e-1\",\"detail-type\":\"T\",\"source\":\"shop\",\"detail\":{\"n\":2}}";

  static TransformInput input(String replayName) throws Exception {
    JsonNode tree = Json.MAPPER.readTree(EVENT);
    return new TransformInput(
        tree, EVENT.getBytes(StandardCharsets.UTF_8), "orders", "r", "t", 0, replayName);
  }

  static Transform jq(String expression) {
    List<Problem> problems = new ArrayList<>();
    JqTransform t = JqTransform.compile(expression, "/jq", problems);
    assertThat(problems).isEmpty();
    return t;
  }

  static String json(TargetBody b) {
    assertThat(b).isInstanceOf(TargetBody.Send.class);
    TransformOutput body = ((TargetBody.Send) b).body();
    return new String(body.bytes(), StandardCharsets.UTF_8);
  }

  @Test
  void withoutTransformTheStoredEventIsSentAsItIs() throws Exception {
    assertThat(json(TargetBody.of(Transform.IDENTITY, input(null)))).isEqualTo(EVENT);
  }

  @Test
  void aReplayedEventIsMarkedForTheTransformAndWithoutOneInWhatIsSent() throws Exception {
    assertThat(json(TargetBody.of(Transform.IDENTITY, input("again"))))
        .isEqualTo(EVENT.substring(0, EVENT.length() - 1) + ",\"replay-name\":\"again\"}");
    assertThat(json(TargetBody.of(jq(".[\"replay-name\"]"), input("again"))))
        .isEqualTo("\"again\"");
    assertThat(json(TargetBody.of(jq(".[\"replay-name\"]"), input(null)))).isEqualTo("null");
  }

  @Test
  void aTransformWithoutOutputSkipsAndOneThatFailsSaysWhyForTheDeadLetter() throws Exception {
    assertThat(TargetBody.of(jq("select(.detail.n > 5)"), input(null)))
        .isEqualTo(new TargetBody.Skip("jq select(.detail.n > 5) produced no value"));
    assertThat(TargetBody.of(jq(".detail.n / 0"), input(null)))
        .isEqualTo(
            new TargetBody.Fail(
                "transform failed: jq .detail.n / 0 failed: number (2) and number (0) cannot be"
                    + " divided because the divisor is zero"));
  }
}

package io.sluice.core.transform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import net.thisptr.jackson.jq.BuiltinFunctionLoader;
import net.thisptr.jackson.jq.JsonQuery;
import net.thisptr.jackson.jq.Scope;
import net.thisptr.jackson.jq.Versions;
import net.thisptr.jackson.jq.exception.JsonQueryException;

/**
 * A jq expression (jackson-jq, jq 1.6 semantics) applied to the event envelope. One result is
 * delivered as it is; several are delivered as a JSON array; none means the delivery is skipped
 * (and counted). The variables {@code $rule}, {@code $bus} and {@code $target} are set.
 */
public final class JqTransform implements Transform {

  private static final Scope ROOT = rootScope();

  private final JsonQuery query;
  private final String expression;

  private JqTransform(JsonQuery query, String expression) {
    this.query = query;
    this.expression = expression;
  }

  private static Scope rootScope() {
    Scope s = Scope.newEmptyScope();
    BuiltinFunctionLoader.getInstance().loadFunctions(Versions.JQ_1_6, s);
    return s;
  }

  /** Compiles an expression; a problem at {@code path} and {@code null} if it does not compile. */
  public static JqTransform compile(String expression, String path, List<Problem> problems) {
    if (expression == null || expression.isBlank()) {
      problems.add(Problem.of(path, "is required: a jq expression such as .detail"));
      return null;
    }
    try {
      return new JqTransform(JsonQuery.compile(expression, Versions.JQ_1_6), expression);
    } catch (JsonQueryException e) {
      problems.add(
          Problem.of(
              path,
              "jq expression does not compile: " + e.getMessage(),
              Problem.render(expression)));
      return null;
    }
  }

  @Override
  public TransformOutput apply(TransformInput in) {
    Scope scope = Scope.newChildScope(ROOT);
    var f = Json.MAPPER.getNodeFactory();
    scope.setValue("rule", f.textNode(in.rule()));
    scope.setValue("bus", f.textNode(in.bus()));
    scope.setValue("target", f.textNode(in.target()));
    List<JsonNode> out = new ArrayList<>(1);
    try {
      query.apply(scope, in.event(), out::add);
    } catch (JsonQueryException e) {
      throw new TransformException("jq " + expression + " failed: " + e.getMessage(), e);
    }
    JsonNode result;
    if (out.isEmpty()) {
      return new TransformOutput.Skip("jq " + expression + " produced no value");
    } else if (out.size() == 1) {
      result = out.get(0);
    } else {
      ArrayNode arr = f.arrayNode();
      out.forEach(arr::add);
      result = arr;
    }
    try {
      return new TransformOutput.Json(result, Json.MAPPER.writeValueAsBytes(result));
    } catch (IOException e) {
      throw new TransformException("jq result is not serializable: " + e.getMessage(), e);
    }
  }
}

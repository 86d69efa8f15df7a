package io.sluice.functions.target;

import io.sluice.core.config.TargetConfig.TargetSpec;

/**
 * Call a declared function: {@code function: enrich} or {@code function: {name: enrich, onSuccess:
 * {bus: results}, onFailure: {bus: failures}}}.
 *
 * @param onSuccess the bus the function's result goes to as events, or {@code null} (dropped after
 *     a successful call: the call itself was the point)
 * @param onFailure the bus a permanent failure goes to as a {@code Function Failed} event, or
 *     {@code null} (the delivery is dead-lettered)
 */
public record FunctionTarget(String name, String onSuccess, String onFailure)
    implements TargetSpec {
  @Override
  public String kind() {
    return FunctionTargetKind.NAME;
  }
}

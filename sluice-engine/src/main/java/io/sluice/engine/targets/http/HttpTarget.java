package io.sluice.engine.targets.http;

import io.sluice.core.config.TargetConfig.TargetSpec;
import java.util.Map;

/**
 * POST (or another method) the event, or the transformed result, to a URL. Header values may use
 * {@code ${env:NAME}}, resolved when the config is read.
 */
public record HttpTarget(String url, String method, Map<String, String> headers)
    implements TargetSpec {
  @Override
  public String kind() {
    return HttpTargetKind.NAME;
  }
}

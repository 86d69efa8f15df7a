package io.sluice.engine.targets.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Problem;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.kinds.ReadContext;
import io.sluice.core.kinds.Schemas;
import io.sluice.core.kinds.TargetContext;
import io.sluice.core.kinds.TargetKind;
import io.sluice.core.targets.Sender;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code http: {url, method, headers}}: an HTTP endpoint; batches with {@code batch}. */
public final class HttpTargetKind implements TargetKind<HttpTarget> {

  static final String NAME = "http";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Class<HttpTarget> specType() {
    return HttpTarget.class;
  }

  @Override
  public boolean batches() {
    return true;
  }

  @Override
  public HttpTarget read(ConfigNode n, ReadContext context) {
    if (!n.isObject(true, "a mapping with url, method, headers")) {
      return null;
    }
    n.allowOnly("url", "method", "headers");
    String url = n.field("url").requiredString("an http:// or https:// URL");
    if (url != null) {
      try {
        URI u = URI.create(url);
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
            || u.getHost() == null) {
          throw new IllegalArgumentException("scheme");
        }
      } catch (IllegalArgumentException e) {
        n.field("url").problem("expected an http:// or https:// URL, got " + Problem.render(url));
      }
    }
    String method = n.field("method").oneOf("POST", "POST", "PUT", "PATCH");
    Map<String, String> headers = new LinkedHashMap<>();
    ConfigNode h = n.field("headers");
    if (h.isObject(false, "a mapping of header names to values")) {
      for (Map.Entry<String, JsonNode> e : h.raw().properties()) {
        ConfigNode hv = h.field(e.getKey());
        String value = hv.string(null);
        if (value == null) {
          continue;
        }
        headers.put(e.getKey(), context.resolveEnv(hv, value));
      }
    }
    return new HttpTarget(url, method, headers);
  }

  @Override
  public ObjectNode schema() {
    return Schemas.resource(HttpTargetKind.class, "http.schema.json");
  }

  @Override
  public Sender sender(HttpTarget spec, TargetContext context) {
    return new HttpSender(
        spec, context.target().timeout(), context.target().batch() != null, context.clock());
  }
}

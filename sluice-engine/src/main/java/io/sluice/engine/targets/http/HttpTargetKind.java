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
    checkUrl(n.field("url"), url);
    String method = n.field("method").oneOf("POST", "POST", "PUT", "PATCH");
    return new HttpTarget(url, method, headers(n.field("headers"), context, name -> null));
  }

  /**
   * Whether {@code url} (null: nothing to check) is an http:// or https:// URL with a host;
   * otherwise a problem on {@code field}. For every kind that posts to a URL.
   */
  public static boolean checkUrl(ConfigNode field, String url) {
    if (url == null) {
      return true;
    }
    try {
      URI u = URI.create(url);
      if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
        return true;
      }
    } catch (IllegalArgumentException notAUri) {
      // the problem below
    }
    field.problem("expected an http:// or https:// URL, got " + Problem.render(url));
    return false;
  }

  /**
   * A {@code headers} mapping of names to values ({@code ${env:…}} resolved); a name for which
   * {@code refused} gives a reason is a problem with that reason and is left out.
   */
  public static Map<String, String> headers(
      ConfigNode h, ReadContext context, java.util.function.Function<String, String> refused) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (h.isObject(false, "a mapping of header names to values")) {
      for (Map.Entry<String, JsonNode> e : h.raw().properties()) {
        ConfigNode hv = h.field(e.getKey());
        String value = hv.string(null);
        if (value == null) {
          continue;
        }
        String why = refused.apply(e.getKey());
        if (why != null) {
          hv.problem(why);
          continue;
        }
        headers.put(e.getKey(), context.resolveEnv(hv, value));
      }
    }
    return headers;
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

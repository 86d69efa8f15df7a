package io.sluice.notify.targets.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Problem;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.kinds.ReadContext;
import io.sluice.core.kinds.Schemas;
import io.sluice.core.kinds.TargetContext;
import io.sluice.core.kinds.TargetKind;
import io.sluice.core.targets.Sender;
import io.sluice.engine.targets.http.HttpTargetKind;
import io.sluice.notify.Templates;
import java.util.Locale;
import java.util.Map;

/**
 * {@code webhook: {url, secret, format: standard | slack | raw, text, headers}}: one signed POST
 * per event (Standard Webhooks), a Slack message, or the raw payload.
 */
public final class WebhookTargetKind implements TargetKind<WebhookTarget> {

  static final String NAME = "webhook";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Class<WebhookTarget> specType() {
    return WebhookTarget.class;
  }

  @Override
  public WebhookTarget read(ConfigNode n, ReadContext context) {
    if (!n.isObject(true, "a mapping with url, secret, format, text, headers")) {
      return null;
    }
    n.allowOnly("url", "secret", "format", "text", "headers");
    String url = n.field("url").requiredString("an http:// or https:// URL");
    if (!HttpTargetKind.checkUrl(n.field("url"), url)) {
      url = null;
    }
    String f = n.field("format").oneOf("standard", "standard", "slack", "raw");
    WebhookTarget.Format format = WebhookTarget.Format.valueOf(f.toUpperCase(Locale.ROOT));
    ConfigNode s = n.field("secret");
    String secret = null;
    if (s.isMissing()) {
      requireSecret(s, format);
    } else if (format == WebhookTarget.Format.SLACK) {
      s.problems()
          .add(
              Problem.of(
                  s.path(),
                  "is set with format slack: Slack webhooks are not signed (the URL is the"
                      + " secret)"));
    } else {
      int before = s.problems().size();
      String raw = s.string(null);
      boolean fromEnv = raw != null && raw.contains("${env:");
      secret = context.resolveEnv(s, raw);
      if (secret == null || secret.isBlank()) {
        // empty (or an empty variable) is no secret; an unset variable is its own problem
        secret = null;
        if (s.problems().size() == before) {
          requireSecret(s, format);
        }
      } else if (WebhookSigner.key(secret) == null) {
        // the value is not repeated: it is a secret
        s.problems()
            .add(
                Problem.of(
                    s.path(),
                    "expected a Standard Webhooks secret whsec_<base64 of the key>"
                        + (fromEnv ? " in " + raw : "")
                        + ", got a value that is not"));
        secret = null;
      }
    }
    ConfigNode t = n.field("text");
    String text = t.string(null);
    if (text != null && format != WebhookTarget.Format.SLACK) {
      t.problem("is only used with format slack (the message text)");
      text = null;
    } else if (text != null) {
      String problem = Templates.problem(text);
      if (problem != null) {
        t.problem(problem);
        text = null;
      }
    }
    Map<String, String> headers =
        HttpTargetKind.headers(
            n.field("headers"),
            context,
            name ->
                name.toLowerCase(Locale.ROOT).startsWith("webhook-")
                    ? "is a header the webhook target sets itself (webhook-id, -timestamp,"
                        + " -signature)"
                    : null);
    if (url == null) {
      return null;
    }
    return new WebhookTarget(url, secret, format, text, headers);
  }

  private static void requireSecret(ConfigNode s, WebhookTarget.Format format) {
    if (format == WebhookTarget.Format.STANDARD) {
      s.problems()
          .add(
              Problem.of(
                  s.path(),
                  "is required with format standard: the signing secret whsec_<base64>, e.g."
                      + " ${env:WEBHOOK_SECRET}"));
    }
  }

  @Override
  public ObjectNode schema() {
    return Schemas.resource(WebhookTargetKind.class, "webhook.schema.json");
  }

  @Override
  public Sender sender(WebhookTarget spec, TargetContext context) {
    return new WebhookSender(spec, context.target().timeout(), context.clock());
  }
}

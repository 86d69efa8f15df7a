package io.sluice.notify.targets.webhook;

import io.sluice.core.config.TargetConfig.TargetSpec;
import java.util.Map;

/**
 * POST each event to a webhook receiver.
 *
 * @param url the receiver
 * @param secret the {@code whsec_<base64>} signing secret ({@code ${env:…}} resolved), or null
 * @param format how the request looks
 * @param text the Slack text template ({@code slack} only), or null for a one-line summary
 * @param headers more request headers, {@code ${env:…}} resolved
 */
public record WebhookTarget(
    String url, String secret, Format format, String text, Map<String, String> headers)
    implements TargetSpec {

  /** The Slack text when none is set: a one-line summary of the event. */
  public static final String DEFAULT_SLACK_TEXT =
      "{{detail-type}} from {{source}} ({{id}}, {{time}})";

  /** The shape of a webhook request. */
  public enum Format {
    /**
     * Standard Webhooks: the event (or transformed payload) as the body, signed with {@code
     * webhook-id}, {@code webhook-timestamp} and {@code webhook-signature}.
     */
    STANDARD,
    /** A Slack incoming webhook: {@code {"text": …}}. */
    SLACK,
    /** The payload as it is, with its content type (signed too when a secret is set). */
    RAW;

    public String configName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public WebhookTarget {
    headers = Map.copyOf(headers);
  }

  @Override
  public String kind() {
    return WebhookTargetKind.NAME;
  }

  @Override
  public String toString() {
    return "WebhookTarget[url="
        + url
        + ", secret="
        + (secret == null ? "none" : "(set)")
        + ", format="
        + format.configName()
        + ", text="
        + text
        + ", headers="
        + headers.keySet()
        + "]";
  }
}

package io.sluice.notify.targets.webhook;

import io.sluice.core.config.TargetConfig.TargetSpec;
import java.net.URI;
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

  /**
   * The URL as errors, logs and dead letters show it: scheme, host (and port) and the first path
   * segment, the rest as {@code …} (e.g. {@code https://hooks.slack.com/services/…}): the path of a
   * Slack webhook URL is its secret, and others may carry a token in the path or query too.
   */
  public String redactedUrl() {
    return redact(url);
  }

  /** As {@link #redactedUrl()}, for any URL. */
  public static String redact(String url) {
    URI u;
    try {
      u = URI.create(url);
    } catch (IllegalArgumentException e) {
      return "(an invalid URL)";
    }
    if (u.getScheme() == null || u.getHost() == null) {
      return "(a URL)";
    }
    StringBuilder b = new StringBuilder(u.getScheme()).append("://").append(u.getHost());
    if (u.getPort() >= 0) {
      b.append(':').append(u.getPort());
    }
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    String rest = path.startsWith("/") ? path.substring(1) : path;
    int slash = rest.indexOf('/');
    String first = slash < 0 ? rest : rest.substring(0, slash);
    if (!first.isEmpty()) {
      b.append('/').append(first);
    }
    if (slash >= 0 && slash < rest.length() - 1) {
      b.append("/…");
    } else if (slash >= 0) {
      b.append('/');
    }
    if (u.getRawQuery() != null || u.getRawFragment() != null) {
      b.append("?…");
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return "WebhookTarget[url="
        + redactedUrl()
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

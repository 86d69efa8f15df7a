package io.sluice.notify.targets.email;

import io.sluice.core.config.TargetConfig.TargetSpec;
import java.util.List;

/**
 * Mail each matched event through the node's SMTP server ({@code smtp:}). Recipients, subject and
 * body are Mustache templates over the event ({@link io.sluice.notify.Templates}).
 *
 * @param to recipient templates (at least one); a rendered value may hold several addresses
 *     separated by commas
 * @param cc copy recipient templates (may be empty)
 * @param subject the subject template
 * @param body the body template (from {@code body}, or the file {@code bodyTemplate} read when the
 *     config is read), or null for the event as pretty JSON
 * @param bodyTemplate the file the body came from, or null
 * @param html whether the body is an HTML template (a text alternative is derived from it)
 */
public record EmailTarget(
    List<String> to,
    List<String> cc,
    String subject,
    String body,
    String bodyTemplate,
    boolean html)
    implements TargetSpec {

  /** The subject when none is set. */
  public static final String DEFAULT_SUBJECT = "{{detail-type}} from {{source}}";

  public EmailTarget {
    to = List.copyOf(to);
    cc = List.copyOf(cc);
  }

  @Override
  public String kind() {
    return EmailTargetKind.NAME;
  }
}

package io.sluice.notify;

import java.util.List;
import java.util.Objects;

/**
 * One email as Sluice sends it: recipients, a subject, a text/plain body and optionally an HTML
 * alternative, images the HTML shows inline ({@code <img src="cid:ID">}) and attachments. The
 * sender address is the {@code smtp.from} of the config unless {@code from} is set.
 *
 * @param from the From address, or null for {@code smtp.from}
 * @param to at least one address
 * @param cc copies (may be empty)
 * @param subject the subject (one line)
 * @param text the text/plain part (always sent: mail clients that show no HTML show it)
 * @param html the text/html alternative, or null
 * @param inline images referenced from the HTML by content id
 * @param attachments files attached to the mail
 */
public record MailMessage(
    String from,
    List<String> to,
    List<String> cc,
    String subject,
    String text,
    String html,
    List<Part> inline,
    List<Part> attachments) {

  public MailMessage {
    Objects.requireNonNull(to, "to");
    if (to.isEmpty()) {
      throw new IllegalArgumentException("a mail needs at least one recipient (to)");
    }
    cc = cc == null ? List.of() : List.copyOf(cc);
    to = List.copyOf(to);
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(text, "text");
    inline = inline == null ? List.of() : List.copyOf(inline);
    attachments = attachments == null ? List.of() : List.copyOf(attachments);
  }

  /**
   * An inline image or an attachment.
   *
   * @param name the content id of an inline image (without {@code <>}), or the file name of an
   *     attachment
   * @param contentType e.g. {@code image/png}, {@code text/csv}
   * @param bytes the content
   */
  public record Part(String name, String contentType, byte[] bytes) {}
}

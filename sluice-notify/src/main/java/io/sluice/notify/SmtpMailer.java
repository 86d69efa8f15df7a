package io.sluice.notify;

import io.sluice.core.config.SmtpConfig;
import io.sluice.core.targets.DeliveryException;
import jakarta.activation.DataHandler;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends mail through the node's SMTP server with Angus Mail: a text/plain body, with an HTML
 * alternative {@code multipart/alternative}, inline images with it in {@code multipart/related}
 * (each with its {@code Content-ID}, shown by {@code <img src="cid:ID">}), attachments around it in
 * {@code multipart/mixed}. Connect, read and write are each limited by {@code smtp.timeout}.
 *
 * <p>Failures: a 5xx reply (to the greeting, the login, MAIL FROM, RCPT TO or DATA) is permanent
 * with the server's reply; a 4xx reply, a refused or timed-out connection, an unknown host are
 * retryable. Once the server accepted the mail, a failed QUIT is logged (debug) and ignored: the
 * mail is delivered, and retrying would send it twice. One mailer per node; thread-safe (one SMTP
 * connection per message).
 */
public final class SmtpMailer implements Mailer {

  private static final Logger LOG = LoggerFactory.getLogger(SmtpMailer.class);

  /** A reply at the start of a message: a refused login ("535 5.7.8 …"). */
  private static final Pattern REPLY = Pattern.compile("^\\s*([2-5]\\d\\d)\\b");

  /**
   * A reply quoted in a message: "Got bad greeting from SMTP host: h, port: p, response: 554 …".
   */
  private static final Pattern QUOTED_REPLY = Pattern.compile("response: (([2-5]\\d\\d)\\b.*)");

  private final SmtpConfig config;
  private final Session session;
  private final String protocol;
  private final InternetAddress defaultFrom;

  public SmtpMailer(SmtpConfig config) {
    this.config = config;
    this.protocol = config.tls() == SmtpConfig.Tls.IMPLICIT ? "smtps" : "smtp";
    String p = "mail." + protocol + ".";
    String ms = Long.toString(config.timeout().toMillis());
    Properties props = new Properties();
    props.setProperty("mail.transport.protocol", protocol);
    props.setProperty(p + "host", config.host());
    props.setProperty(p + "port", Integer.toString(config.port()));
    props.setProperty(p + "connectiontimeout", ms);
    props.setProperty(p + "timeout", ms);
    props.setProperty(p + "writetimeout", ms);
    props.setProperty(p + "auth", Boolean.toString(config.username() != null));
    if (config.tls() == SmtpConfig.Tls.STARTTLS) {
      props.setProperty(p + "starttls.enable", "true");
      props.setProperty(p + "starttls.required", "true");
    }
    if (config.tls() != SmtpConfig.Tls.NONE) {
      props.setProperty(p + "ssl.checkserveridentity", "true");
    }
    this.session = Session.getInstance(props);
    try {
      this.defaultFrom = new InternetAddress(config.from(), true);
    } catch (AddressException e) {
      throw new IllegalArgumentException("smtp.from is not an address: " + config.from(), e);
    }
  }

  /** The server this mailer sends through. */
  public SmtpConfig config() {
    return config;
  }

  @Override
  public void send(MailMessage message) throws DeliveryException {
    MimeMessage mime;
    try {
      mime = mime(message);
    } catch (AddressException e) {
      throw new DeliveryException(
          false, "not a mail address: " + e.getRef() + " (" + e.getMessage() + ")", null, e);
    } catch (MessagingException e) {
      throw new DeliveryException(false, "cannot build the mail: " + e.getMessage(), null, e);
    }
    String where = config.host() + ":" + config.port();
    Transport t;
    try {
      t = session.getTransport(protocol);
    } catch (MessagingException e) {
      throw classify(e, where);
    }
    try {
      t.connect(config.host(), config.port(), config.username(), config.password());
      t.sendMessage(mime, mime.getAllRecipients());
    } catch (MessagingException e) {
      closeQuietly(t, where);
      throw classify(e, where);
    }
    // the server accepted the mail: a failed QUIT must not make it retried (and sent twice)
    closeQuietly(t, where);
  }

  private static void closeQuietly(Transport t, String where) {
    try {
      t.close();
    } catch (MessagingException e) {
      LOG.debug("closing the SMTP connection to {} failed: {}", where, e.getMessage());
    }
  }

  /** The message as MIME, for tests and for {@link #send}. */
  MimeMessage mime(MailMessage m) throws MessagingException {
    MimeMessage mime = new MimeMessage(session);
    mime.setFrom(m.from() == null ? defaultFrom : new InternetAddress(m.from(), true));
    mime.setRecipients(Message.RecipientType.TO, addresses(m.to()));
    if (!m.cc().isEmpty()) {
      mime.setRecipients(Message.RecipientType.CC, addresses(m.cc()));
    }
    mime.setSubject(m.subject().replaceAll("[\\r\\n]+", " "), "UTF-8");
    mime.setSentDate(new Date());

    if (m.html() == null && m.attachments().isEmpty()) {
      mime.setText(m.text(), "UTF-8", "plain");
      mime.saveChanges();
      return mime;
    }
    MimeBodyPart text = new MimeBodyPart();
    text.setText(m.text(), "UTF-8", "plain");
    MimeMultipart content = null;
    if (m.html() != null) {
      content = new MimeMultipart("alternative");
      content.addBodyPart(text);
      MimeBodyPart html = new MimeBodyPart();
      html.setText(m.html(), "UTF-8", "html");
      content.addBodyPart(html);
      if (!m.inline().isEmpty()) {
        MimeMultipart related = new MimeMultipart("related");
        related.addBodyPart(wrap(content));
        for (MailMessage.Part img : m.inline()) {
          MimeBodyPart p = part(img);
          p.setContentID("<" + img.name() + ">");
          p.setDisposition(Part.INLINE);
          related.addBodyPart(p);
        }
        content = related;
      }
    }
    if (!m.attachments().isEmpty()) {
      MimeMultipart mixed = new MimeMultipart("mixed");
      mixed.addBodyPart(content == null ? text : wrap(content));
      for (MailMessage.Part a : m.attachments()) {
        MimeBodyPart p = part(a);
        p.setDisposition(Part.ATTACHMENT);
        p.setFileName(a.name());
        mixed.addBodyPart(p);
      }
      content = mixed;
    }
    mime.setContent(content);
    mime.saveChanges();
    return mime;
  }

  private static MimeBodyPart wrap(MimeMultipart multipart) throws MessagingException {
    MimeBodyPart p = new MimeBodyPart();
    p.setContent(multipart);
    return p;
  }

  private static MimeBodyPart part(MailMessage.Part part) throws MessagingException {
    MimeBodyPart p = new MimeBodyPart();
    p.setDataHandler(new DataHandler(new ByteArrayDataSource(part.bytes(), part.contentType())));
    // base64 keeps the bytes as they are (text/* would otherwise get CRLF line ends)
    p.setHeader("Content-Transfer-Encoding", "base64");
    return p;
  }

  private static Address[] addresses(List<String> list) throws AddressException {
    List<Address> out = new ArrayList<>();
    for (String s : list) {
      for (InternetAddress a : InternetAddress.parse(s, true)) {
        out.add(a);
      }
    }
    return out.toArray(Address[]::new);
  }

  /**
   * A failed SMTP exchange as a delivery failure: the reply code of the server when there is one
   * (5xx permanent, 4xx retryable, with the reply text), else retryable (connection, timeout).
   */
  static DeliveryException classify(MessagingException e, String where) {
    int code = -1;
    String reply = null;
    for (Exception x = e; x != null; ) {
      if (x instanceof SMTPSendFailedException f && f.getReturnCode() > 0) {
        code = f.getReturnCode();
        reply = f.getMessage();
      } else if (x instanceof SMTPAddressFailedException f && f.getReturnCode() > 0) {
        code = f.getReturnCode();
        reply = f.getMessage();
      } else if (x instanceof SMTPSenderFailedException f && f.getReturnCode() > 0) {
        code = f.getReturnCode();
        reply = f.getMessage();
      }
      if (code > 0) {
        break;
      }
      x = x instanceof MessagingException me ? me.getNextException() : null;
    }
    if (code < 0) {
      // a refused greeting ("Got bad greeting from SMTP host: h, port: p, response: 554 5.7.1 go
      // away") or login ("535 5.7.8 bad credentials"): the reply is in the message
      for (Throwable t = e; t != null && code < 0; t = t.getCause()) {
        String m = t.getMessage();
        if (m == null || t instanceof IOException) {
          continue;
        }
        Matcher q = QUOTED_REPLY.matcher(m);
        Matcher r = REPLY.matcher(m);
        if (q.find()) {
          code = Integer.parseInt(q.group(2));
          reply = q.group(1).trim();
        } else if (r.find()) {
          code = Integer.parseInt(r.group(1));
          reply = m.trim();
        }
      }
    }
    if (code >= 500) {
      return new DeliveryException(
          false, "the SMTP server " + where + " refused the mail: " + oneLine(reply), null, e);
    }
    if (code >= 400) {
      return new DeliveryException(
          true, "the SMTP server " + where + " deferred the mail: " + oneLine(reply), null, e);
    }
    if (e instanceof AuthenticationFailedException) {
      return new DeliveryException(
          false,
          "the SMTP server " + where + " refused the login: " + oneLine(e.getMessage()),
          null,
          e);
    }
    if (e instanceof SendFailedException sf
        && sf.getInvalidAddresses() != null
        && sf.getInvalidAddresses().length > 0) {
      return new DeliveryException(
          false, "invalid recipients: " + List.of(sf.getInvalidAddresses()), null, e);
    }
    return new DeliveryException(
        true, "cannot send through the SMTP server " + where + ": " + reason(e), null, e);
  }

  private static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return "connection refused";
      }
      if (t instanceof SocketTimeoutException) {
        return "no answer within the timeout";
      }
      if (t instanceof UnknownHostException) {
        return "unknown host " + t.getMessage();
      }
    }
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : oneLine(m);
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}

package io.sluice.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.sluice.core.config.SmtpConfig;
import io.sluice.core.targets.DeliveryException;
import io.sluice.testkit.SmtpRefuser;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SmtpMailer against a real SMTP server (GreenMail), one that refuses, and one that is down. */
class SmtpMailerTest {

  static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};

  GreenMail mail;

  @BeforeEach
  void start() {
    mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    mail.start();
  }

  @AfterEach
  void stop() {
    mail.stop();
  }

  static SmtpConfig config(int port) {
    return new SmtpConfig(
        "127.0.0.1",
        port,
        SmtpConfig.Tls.NONE,
        null,
        null,
        "Sluice <sluice@example.com>",
        Duration.ofSeconds(10));
  }

  @Test
  void textHtmlInlineImageAndAttachmentArriveAsOneMail() throws Exception {
    SmtpMailer mailer = new SmtpMailer(config(mail.getSmtp().getPort()));
    mailer.send(
        new MailMessage(
            null,
            List.of("ops@example.com"),
            List.of("Boss <boss@example.com>"),
            "Daily report ✓",
            "Total: 42",
            "<p>Total: <b>42</b></p><img src=\"cid:chart\">",
            List.of(new MailMessage.Part("chart", "image/png", PNG)),
            List.of(
                new MailMessage.Part(
                    "orders.csv",
                    "text/csv",
                    "id,amount\n1,42\n".getBytes(StandardCharsets.UTF_8)))));

    assertThat(mail.waitForIncomingEmail(10_000, 2)).isTrue(); // to and cc
    MimeMessage m = mail.getReceivedMessages()[0];
    assertThat(m.getSubject()).isEqualTo("Daily report ✓");
    assertThat(m.getFrom()[0].toString()).isEqualTo("Sluice <sluice@example.com>");
    assertThat(m.getRecipients(Message.RecipientType.TO)[0].toString())
        .isEqualTo("ops@example.com");
    assertThat(m.getRecipients(Message.RecipientType.CC)[0].toString())
        .isEqualTo("Boss <boss@example.com>");
    assertThat(m.getContentType()).startsWith("multipart/mixed");

    Multipart mixed = (Multipart) m.getContent();
    assertThat(mixed.getCount()).isEqualTo(2);
    BodyPart relatedPart = mixed.getBodyPart(0);
    assertThat(relatedPart.getContentType()).startsWith("multipart/related");
    Multipart related = (Multipart) relatedPart.getContent();
    Multipart alternative = (Multipart) related.getBodyPart(0).getContent();
    assertThat(related.getBodyPart(0).getContentType()).startsWith("multipart/alternative");
    assertThat(alternative.getBodyPart(0).getContentType()).startsWith("text/plain");
    assertThat(alternative.getBodyPart(0).getContent().toString().trim()).isEqualTo("Total: 42");
    assertThat(alternative.getBodyPart(1).getContentType()).startsWith("text/html");
    assertThat(alternative.getBodyPart(1).getContent().toString()).contains("cid:chart");

    BodyPart image = related.getBodyPart(1);
    assertThat(image.getContentType()).startsWith("image/png");
    assertThat(image.getHeader("Content-ID")).containsExactly("<chart>");
    assertThat(image.getDisposition()).isEqualTo(Part.INLINE);
    assertThat(image.getInputStream().readAllBytes()).isEqualTo(PNG);

    BodyPart attachment = mixed.getBodyPart(1);
    assertThat(attachment.getDisposition()).isEqualTo(Part.ATTACHMENT);
    assertThat(attachment.getFileName()).isEqualTo("orders.csv");
    assertThat(attachment.getContentType()).startsWith("text/csv");
    assertThat(new String(attachment.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo("id,amount\n1,42\n");
  }

  @Test
  void aTextOnlyMailIsPlainText() throws Exception {
    new SmtpMailer(config(mail.getSmtp().getPort()))
        .send(
            new MailMessage(
                "other@example.com",
                List.of("a@example.com"),
                null,
                "s",
                "hello",
                null,
                null,
                null));
    assertThat(mail.waitForIncomingEmail(10_000, 1)).isTrue();
    MimeMessage m = mail.getReceivedMessages()[0];
    assertThat(m.getContentType()).startsWith("text/plain");
    assertThat(m.getFrom()[0].toString()).isEqualTo("other@example.com");
    assertThat(m.getContent().toString().trim()).isEqualTo("hello");
  }

  @Test
  void aServerThatRefusesIsPermanentWithItsReply() throws Exception {
    try (SmtpRefuser refuser = SmtpRefuser.start("550 5.1.1 <ops@example.com>: no such mailbox")) {
      SmtpMailer mailer = new SmtpMailer(config(refuser.port()));
      assertThatThrownBy(() -> mailer.send(simple()))
          .isInstanceOfSatisfying(
              DeliveryException.class,
              e -> {
                assertThat(e.retryable()).isFalse();
                assertThat(e.getMessage())
                    .contains("refused")
                    .contains("550 5.1.1 <ops@example.com>: no such mailbox");
              });
    }
  }

  @Test
  void aServerThatDefersIsRetryable() throws Exception {
    try (SmtpRefuser refuser = SmtpRefuser.start("451 4.3.0 try again later")) {
      SmtpMailer mailer = new SmtpMailer(config(refuser.port()));
      assertThatThrownBy(() -> mailer.send(simple()))
          .isInstanceOfSatisfying(
              DeliveryException.class,
              e -> {
                assertThat(e.retryable()).isTrue();
                assertThat(e.getMessage()).contains("451 4.3.0 try again later");
              });
    }
  }

  @Test
  void aRefusingGreetingIsPermanentWithItsReply() throws Exception {
    try (SmtpRefuser refuser = SmtpRefuser.greeting("554 5.7.1 go away")) {
      SmtpMailer mailer = new SmtpMailer(config(refuser.port()));
      assertThatThrownBy(() -> mailer.send(simple()))
          .isInstanceOfSatisfying(
              DeliveryException.class,
              e -> {
                assertThat(e.retryable()).isFalse();
                assertThat(e.getMessage()).contains("refused").contains("554 5.7.1 go away");
              });
    }
  }

  @Test
  void aDeferringGreetingIsRetryable() throws Exception {
    try (SmtpRefuser refuser = SmtpRefuser.greeting("421 4.3.2 busy, try later")) {
      SmtpMailer mailer = new SmtpMailer(config(refuser.port()));
      assertThatThrownBy(() -> mailer.send(simple()))
          .isInstanceOfSatisfying(
              DeliveryException.class,
              e -> {
                assertThat(e.retryable()).isTrue();
                assertThat(e.getMessage()).contains("deferred").contains("421 4.3.2 busy");
              });
    }
  }

  @Test
  void aMailRefusedAfterItsDataIsPermanent() throws Exception {
    try (SmtpRefuser refuser = SmtpRefuser.data("554 5.6.0 message content rejected")) {
      SmtpMailer mailer = new SmtpMailer(config(refuser.port()));
      assertThatThrownBy(() -> mailer.send(simple()))
          .isInstanceOfSatisfying(
              DeliveryException.class,
              e -> {
                assertThat(e.retryable()).isFalse();
                assertThat(e.getMessage()).contains("554 5.6.0 message content rejected");
              });
      assertThat(refuser.accepted()).isZero();
    }
  }

  @Test
  void aFailedQuitAfterTheMailWasAcceptedIsASuccess() throws Exception {
    try (SmtpRefuser refuser = SmtpRefuser.resetAtQuit()) {
      SmtpMailer mailer = new SmtpMailer(config(refuser.port()));
      mailer.send(simple()); // no exception: a retry would send the mail a second time
      assertThat(refuser.accepted()).isEqualTo(1);
    }
  }

  @Test
  void aServerThatIsDownIsRetryable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    SmtpMailer mailer = new SmtpMailer(config(port));
    assertThatThrownBy(() -> mailer.send(simple()))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> {
              assertThat(e.retryable()).isTrue();
              assertThat(e.getMessage()).contains("127.0.0.1:" + port);
            });
  }

  @Test
  void sendsFromSeveralThreadsAtOnce() throws Exception {
    SmtpMailer mailer = new SmtpMailer(config(mail.getSmtp().getPort()));
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 8; i++) {
      int n = i;
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      mailer.send(
                          new MailMessage(
                              null,
                              List.of("a@example.com"),
                              null,
                              "m" + n,
                              "t",
                              null,
                              null,
                              null));
                    } catch (Throwable e) {
                      errors.add(e);
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join(30_000);
    }
    assertThat(errors).isEmpty();
    assertThat(mail.waitForIncomingEmail(10_000, 8)).isTrue();
  }

  static MailMessage simple() {
    return new MailMessage(
        null, List.of("ops@example.com"), null, "subject", "text", null, null, null);
  }
}

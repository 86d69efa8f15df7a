package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.sluice.testkit.Await;
import io.sluice.testkit.SmtpRefuser;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The email target end to end: an event posted to a running server matches a rule, and its mail
 * reaches a real SMTP server (GreenMail); a server that refuses leads to a dead letter with its
 * reply; one that is down leads to retries, then delivery once it is up.
 */
class EmailTargetTest {

  @TempDir Path dir;

  static String config(int port, String retry) {
    return """
        smtp: {host: 127.0.0.1, port: %d, tls: none, from: "Sluice <sluice@example.com>", timeout: 5s}
        rules:
          - name: orders
            pattern: {source: [shop]}
            targets:
              - id: mail
                retry: %s
                email:
                  to: [ops@example.com, "{{detail.owner}}"]
                  cc: audit@example.com
                  subject: "Order {{detail.id}}: {{detail.amount}} EUR"
                  html: true
                  body: "<h1>Order {{detail.id}}</h1><p>Customer: {{detail.customer}}</p>"
        """
        .formatted(port, retry);
  }

  static final String EVENT =
      "{\"source\":\"shop\",\"detail-type\":\"Order Placed\",\"detail\":{\"id\":\"o-7\","
          + "\"amount\":42,\"owner\":\"anna@example.com\",\"customer\":\"Smith & <Sons>\"}}";

  static GreenMail greenMail(int port) {
    GreenMail g = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    g.start();
    return g;
  }

  @Test
  void aMatchedEventIsMailedWithSubjectRecipientsTextAndHtmlFromTheEvent() throws Exception {
    GreenMail mail = greenMail(0);
    try (ServerFixture s =
        ServerFixture.start(dir, config(mail.getSmtp().getPort(), "{maxAttempts: 3}"))) {
      var put = s.post("/buses/default/events", "application/json", EVENT);
      assertThat(put.status()).as(put.body()).isEqualTo(200);
      awaitMails(s, mail, 3); // to (2) and cc
      MimeMessage m = mail.getReceivedMessages()[0];
      assertThat(m.getSubject()).isEqualTo("Order o-7: 42 EUR");
      assertThat(Arrays.stream(m.getRecipients(Message.RecipientType.TO)).map(Object::toString))
          .containsExactly("ops@example.com", "anna@example.com");
      assertThat(Arrays.stream(m.getRecipients(Message.RecipientType.CC)).map(Object::toString))
          .containsExactly("audit@example.com");
      assertThat(m.getFrom()[0].toString()).isEqualTo("Sluice <sluice@example.com>");
      Multipart alternative = (Multipart) m.getContent();
      assertThat(m.getContentType()).startsWith("multipart/alternative");
      assertThat(alternative.getBodyPart(0).getContent().toString().replace("\r\n", "\n").trim())
          .isEqualTo("Order o-7\nCustomer: Smith & <Sons>");
      assertThat(alternative.getBodyPart(1).getContent().toString().trim())
          .isEqualTo("<h1>Order o-7</h1><p>Customer: Smith &amp; &lt;Sons&gt;</p>");
    } finally {
      mail.stop();
    }
  }

  @Test
  void aServerThatRefusesTheMailLeadsToADeadLetterWithItsReply() throws Exception {
    try (SmtpRefuser refuser = SmtpRefuser.start("550 5.1.1 <ops@example.com>: no such mailbox");
        ServerFixture s = ServerFixture.start(dir, config(refuser.port(), "{maxAttempts: 50}"))) {
      assertThat(s.post("/buses/default/events", "application/json", EVENT).status())
          .isEqualTo(200);
      Await.until(
          Duration.ofSeconds(30),
          () -> s.get("/dead-letters").json().path("deadLetters").size() == 1,
          () -> s.get("/dead-letters").body());
      JsonNode d = s.get("/dead-letters").json().path("deadLetters").get(0);
      assertThat(d.path("error").asText())
          .contains("refused the mail")
          .contains("550 5.1.1 <ops@example.com>: no such mailbox");
      // permanent: one attempt, not 50
      assertThat(counter(s, "sluice_target_failed_total")).isEqualTo(1.0);
    }
  }

  @Test
  void aServerThatIsDownGetsTheMailOnceItIsBack() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    try (ServerFixture s =
        ServerFixture.start(
            dir, config(port, "{maxAttempts: 1000, initialBackoff: 100ms, maxBackoff: 300ms}"))) {
      assertThat(s.post("/buses/default/events", "application/json", EVENT).status())
          .isEqualTo(200);
      Await.until(
          Duration.ofSeconds(30),
          () -> counter(s, "sluice_target_failed_total") >= 2,
          () -> "failed attempts: " + counter(s, "sluice_target_failed_total"));
      GreenMail mail = greenMail(port);
      try {
        awaitMails(s, mail, 3);
        assertThat(mail.getReceivedMessages()[0].getSubject()).isEqualTo("Order o-7: 42 EUR");
        assertThat(s.get("/dead-letters").json().path("deadLetters")).isEmpty();
      } finally {
        mail.stop();
      }
    }
  }

  static void awaitMails(ServerFixture s, GreenMail mail, int n) {
    Await.until(
        Duration.ofSeconds(30),
        () -> mail.getReceivedMessages().length >= n,
        () ->
            mail.getReceivedMessages().length
                + " mails; failed attempts "
                + counter(s, "sluice_target_failed_total")
                + "; health "
                + s.get("/health").body());
  }

  /** A counter of the mail target from /metrics, 0 when it is not there yet. */
  static double counter(ServerFixture s, String name) {
    Pattern p = Pattern.compile("^" + name + "\\{([^}]*)}\\s+([0-9.eE+-]+)$", Pattern.MULTILINE);
    Matcher m = p.matcher(s.get("/metrics").body());
    double sum = 0;
    while (m.find()) {
      if (m.group(1).contains("target=\"mail\"")) {
        sum += Double.parseDouble(m.group(2));
      }
    }
    return sum;
  }
}

package io.sluice.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SmtpConfig;
import io.sluice.core.kinds.Kinds;
import io.sluice.engine.targets.EngineTargets;
import io.sluice.notify.targets.email.EmailTarget;
import io.sluice.notify.targets.webhook.WebhookTarget;
import io.sluice.testkit.ConfigProblems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smtp section and the email and webhook targets: what is read, every problem with its path.
 */
class NotifyConfigTest {

  static final Kinds KINDS = Kinds.of(EngineTargets.kinds(), NotifyTargets.kinds(null));

  static List<String> problems(String yaml) {
    return ConfigProblems.of(yaml, KINDS);
  }

  static String rule(String target) {
    return "rules: [{name: r, pattern: {source: [a]}, targets: [{id: t, " + target + "}]}]";
  }

  @Test
  void smtpDefaultsFollowTls() {
    var c =
        ConfigLoader.parse(
            "smtp: {host: mail.example.com, from: a@example.com}", "t", Path.of("/"), KINDS);
    assertThat(c.smtp())
        .isEqualTo(
            new SmtpConfig(
                "mail.example.com",
                587,
                SmtpConfig.Tls.STARTTLS,
                null,
                null,
                "a@example.com",
                Duration.ofSeconds(30)));
    assertThat(
            ConfigLoader.parse(
                    "smtp: {host: h, from: a@b.c, tls: implicit}", "t", Path.of("/"), KINDS)
                .smtp()
                .port())
        .isEqualTo(465);
    assertThat(
            ConfigLoader.parse("smtp: {host: h, from: a@b.c, tls: none}", "t", Path.of("/"), KINDS)
                .smtp()
                .port())
        .isEqualTo(25);
    assertThat(ConfigLoader.parse("rules: []", "t", Path.of("/"), KINDS).smtp()).isNull();
  }

  @Test
  void badSmtpSettingsAreEachAProblemWithItsPath() {
    assertThat(
            problems(
                "smtp: {host: 'bad host', port: 70000, tls: ssl, username: '', password: hunter2,"
                    + " from: nobody, timeout: forever, colour: red}"))
        .containsExactlyInAnyOrder(
            "/smtp/colour: unknown field; expected one of host, port, tls, username, password,"
                + " from, timeout",
            "/smtp/host: expected a host name such as smtp.example.com, got \"bad host\"" + "",
            "/smtp/tls: expected one of starttls, implicit, none, got \"ssl\"",
            "/smtp/port: expected an integer 1..65535, got number 70000",
            "/smtp/username: expected a user name, got \"\" (leave username out for no login)" + "",
            "/smtp/password: is set without username: a server that needs a login needs both",
            "/smtp/from: expected an address like sluice@example.com or \"Sluice"
                + " <sluice@example.com>\", got \"nobody\"",
            "/smtp/timeout: expected a duration like 7d or 12h, got \"forever\"");
    assertThat(problems("smtp: {port: 25}"))
        .containsExactlyInAnyOrder(
            "/smtp/host: is required: the SMTP server's host name",
            "/smtp/from: is required: the sender address, e.g. Sluice <sluice@example.com>");
    assertThat(problems("smtp: {host: h, from: a@b.c, username: u}"))
        .containsExactly(
            "/smtp/password: is required with username: the password, e.g."
                + " ${env:SMTP_PASSWORD}");
    assertThat(
            problems("smtp: {host: h, from: a@b.c, username: u, password: '${env:SLUICE_NOPE_X}'}"))
        .containsExactly(
            "/smtp/password: uses environment variable SLUICE_NOPE_X, which is not set" + "");
    assertThat(problems("smtp: [a]"))
        .containsExactly(
            "/smtp: expected a mapping with host, port, tls, username, password, from, timeout,"
                + " got array [\"a\"]");
  }

  @Test
  void anEmailTargetWithoutSmtpIsAProblemNamingIt() {
    assertThat(problems(rule("email: {to: ops@example.com}")))
        .containsExactly(
            "/rules/0/targets/0/email: email targets need the smtp: section at the top of the"
                + " config, which is not configured");
  }

  @Test
  void anEmailTargetIsRead(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("body.mustache"), "<p>{{detail.id}}</p>");
    var c =
        ConfigLoader.parse(
            "smtp: {host: h, from: a@b.c}\n"
                + rule(
                    "email: {to: [ops@example.com, '{{detail.owner}}'], cc: 'Boss <b@example.com>',"
                        + " subject: 'Order {{detail.id}}', bodyTemplate: body.mustache, html: true}"),
            "t",
            dir,
            KINDS);
    assertThat(c.rules().get(0).targets().get(0).spec())
        .isEqualTo(
            new EmailTarget(
                List.of("ops@example.com", "{{detail.owner}}"),
                List.of("Boss <b@example.com>"),
                "Order {{detail.id}}",
                "<p>{{detail.id}}</p>",
                "body.mustache",
                true));
  }

  @Test
  void badEmailSettingsAreEachAProblemWithItsPath() {
    String smtp = "smtp: {host: h, from: a@b.c}\n";
    assertThat(
            problems(
                smtp
                    + rule(
                        "email: {to: [nobody, '{{#x}}'], cc: 5, subject: '{{#a}}', body: b,"
                            + " bodyTemplate: f, html: yes please, colour: red}")))
        .containsExactlyInAnyOrder(
            "/rules/0/targets/0/email/colour: unknown field; expected one of to, cc, subject,"
                + " body, bodyTemplate, html",
            "/rules/0/targets/0/email/to/0: expected an address such as ops@example.com (or a"
                + " {{template}}), got \"nobody\"",
            "/rules/0/targets/0/email/to/1: not a valid Mustache template (Failed to close 'x'"
                + " tag on line 1): {{#x}}",
            "/rules/0/targets/0/email/cc: expected an address or a list of addresses, got"
                + " number 5",
            "/rules/0/targets/0/email/subject: not a valid Mustache template (Failed to close 'a'"
                + " tag on line 1): {{#a}}",
            "/rules/0/targets/0/email/html: expected true or false, got string \"yes please\"",
            "/rules/0/targets/0/email/bodyTemplate: is set with body: give the body inline (body)"
                + " or in a file (bodyTemplate), not both");
    assertThat(problems(smtp + rule("email: {subject: s}")))
        .containsExactly(
            "/rules/0/targets/0/email/to: is required: an address or a list of addresses"
                + " (templates allowed)");
    assertThat(problems(smtp + rule("email: {to: a@b.c, bodyTemplate: missing.mustache}")))
        .containsExactly(
            "/rules/0/targets/0/email/bodyTemplate: cannot read the template file"
                + " /srv/sluice/missing.mustache: NoSuchFileException");
    assertThat(problems(smtp + rule("email: {to: a@b.c}, batch: {size: 5}"))).hasSize(1);
  }

  @Test
  void aWebhookTargetIsRead() {
    var c =
        ConfigLoader.parse(
            rule(
                "webhook: {url: 'https://h.example.com/in', secret: whsec_AAECAwQ=, headers:"
                    + " {X-Team: ops}}"),
            "t",
            Path.of("/"),
            KINDS);
    WebhookTarget w = (WebhookTarget) c.rules().get(0).targets().get(0).spec();
    assertThat(w.url()).isEqualTo("https://h.example.com/in");
    assertThat(w.format()).isEqualTo(WebhookTarget.Format.STANDARD);
    assertThat(w.secret()).isEqualTo("whsec_AAECAwQ=");
    assertThat(w.headers()).containsEntry("X-Team", "ops");
    assertThat(w.toString()).doesNotContain("AAECAwQ");
  }

  @Test
  void badWebhookSettingsAreEachAProblemWithItsPath() {
    assertThat(
            problems(
                rule(
                    "webhook: {url: 'ftp://x', format: teams, secret: hunter2, text: hi, headers:"
                        + " {webhook-id: x, X-Key: '${env:SLUICE_NOPE_Y}'}, colour: red}")))
        .containsExactlyInAnyOrder(
            "/rules/0/targets/0/webhook/colour: unknown field; expected one of url, secret,"
                + " format, text, headers",
            "/rules/0/targets/0/webhook/url: expected an http:// or https:// URL, got \"ftp://x\""
                + "",
            "/rules/0/targets/0/webhook/format: expected one of standard, slack, raw, got"
                + " \"teams\"",
            "/rules/0/targets/0/webhook/secret: expected a Standard Webhooks secret"
                + " whsec_<base64 of the key>, got a value that is not",
            "/rules/0/targets/0/webhook/text: is only used with format slack (the message text)"
                + "",
            "/rules/0/targets/0/webhook/headers/webhook-id: is a header the webhook target sets"
                + " itself (webhook-id, -timestamp, -signature)",
            "/rules/0/targets/0/webhook/headers/X-Key: uses environment variable SLUICE_NOPE_Y,"
                + " which is not set");
    assertThat(problems(rule("webhook: {url: 'http://x'}")))
        .containsExactly(
            "/rules/0/targets/0/webhook/secret: is required with format standard: the signing"
                + " secret whsec_<base64>, e.g. ${env:WEBHOOK_SECRET}");
    assertThat(problems(rule("webhook: {url: 'http://x', format: slack, secret: whsec_AAAA}")))
        .containsExactly(
            "/rules/0/targets/0/webhook/secret: is set with format slack: Slack webhooks are not"
                + " signed (the URL is the secret)");
    assertThat(problems(rule("webhook: {url: 'http://x', format: slack, text: '{{#a}}'}")))
        .containsExactly(
            "/rules/0/targets/0/webhook/text: not a valid Mustache template (Failed to close 'a'"
                + " tag on line 1): {{#a}}");
    assertThat(problems(rule("webhook: {url: 'http://x', format: raw}"))).isEmpty();
  }

  @Test
  void anEmptyWebhookSecretIsMissingWithItsPath(@TempDir Path dir) throws Exception {
    String required =
        "/rules/0/targets/0/webhook/secret: is required with format standard: the signing"
            + " secret whsec_<base64>, e.g. ${env:WEBHOOK_SECRET}";
    assertThat(problems(rule("webhook: {url: 'http://x', secret: ''}"))).containsExactly(required);
    // an environment variable that is set, but empty
    Path file = dir.resolve("sluice.yaml");
    Files.writeString(file, rule("webhook: {url: 'http://x', secret: '${env:WEBHOOK_SECRET}'}"));
    assertThatThrownBy(
            () -> ConfigLoader.load(file, KINDS, name -> "WEBHOOK_SECRET".equals(name) ? "" : null))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            e ->
                assertThat(e.problems().stream().map(Problem::toString).toList())
                    .containsExactly(required));
    // raw: an empty secret is no secret (unsigned), not a signer that fails on every event
    Files.writeString(
        file, rule("webhook: {url: 'http://x', format: raw, secret: '${env:WEBHOOK_SECRET}'}"));
    var config = ConfigLoader.load(file, KINDS, name -> "WEBHOOK_SECRET".equals(name) ? "" : null);
    assertThat(((WebhookTarget) config.rules().get(0).targets().get(0).spec()).secret()).isNull();
  }
}

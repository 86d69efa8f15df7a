package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.config.SmtpConfig;
import io.sluice.notify.targets.email.EmailTarget;
import io.sluice.notify.targets.webhook.WebhookTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Email and webhooks" configs are read as the README says. */
class ReadmeNotifyTest {

  @TempDir Path dir;

  static List<String> yamlBlocks() throws Exception {
    String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf("### Email and webhooks");
    String part = readme.substring(start, readme.indexOf("\n### ", start + 10));
    List<String> blocks = new ArrayList<>();
    for (int i = part.indexOf("```yaml\n"); i >= 0; i = part.indexOf("```yaml\n", i + 1)) {
      blocks.add(part.substring(i + 8, part.indexOf("```", i + 8)));
    }
    return blocks;
  }

  SluiceConfig load(String yaml) throws Exception {
    Path f = dir.resolve("sluice.yaml");
    Files.writeString(f, yaml, StandardCharsets.UTF_8);
    Map<String, String> env =
        Map.of(
            "SMTP_PASSWORD", "s3cret",
            "WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    return ConfigLoader.load(f, SluiceKinds.forReading(), env::get);
  }

  @Test
  void theReadmeConfigsAreValidAndMeanWhatTheySay() throws Exception {
    List<String> blocks = yamlBlocks();
    assertThat(blocks).hasSize(2);
    SluiceConfig c = load(blocks.get(0));
    assertThat(c.smtp().tls()).isEqualTo(SmtpConfig.Tls.STARTTLS);
    assertThat(c.smtp().port()).isEqualTo(587);
    assertThat(c.smtp().password()).isEqualTo("s3cret");
    var targets = c.rules().get(0).targets();
    EmailTarget mail = (EmailTarget) targets.get(0).spec();
    assertThat(mail.to()).containsExactly("sales@example.com", "{{detail.owner}}");
    assertThat(mail.html()).isTrue();
    WebhookTarget hook = (WebhookTarget) targets.get(1).spec();
    assertThat(hook.format()).isEqualTo(WebhookTarget.Format.STANDARD);
    assertThat(hook.secret()).isEqualTo("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    assertThat(((WebhookTarget) targets.get(2).spec()).format())
        .isEqualTo(WebhookTarget.Format.SLACK);

    SmtpConfig sink = load(blocks.get(1)).smtp();
    assertThat(sink.port()).isEqualTo(1025);
    assertThat(sink.tls()).isEqualTo(SmtpConfig.Tls.NONE);
  }
}

package io.sluice.notify;

import io.sluice.core.kinds.TargetKind;
import io.sluice.notify.targets.email.EmailTargetKind;
import io.sluice.notify.targets.webhook.WebhookTargetKind;
import java.util.List;

/** The target kinds this module implements: {@code email} and {@code webhook}. */
public final class NotifyTargets {

  private NotifyTargets() {}

  /**
   * @param mailer the node's mailer; null when {@code smtp:} is not configured or for kinds that
   *     only read config
   */
  public static List<TargetKind<?>> kinds(Mailer mailer) {
    return List.of(new EmailTargetKind(mailer), new WebhookTargetKind());
  }
}

package io.sluice.notify;

import io.sluice.core.targets.DeliveryException;

/**
 * Sends mail through the node's SMTP server ({@code smtp:} in the config). One mailer per node; the
 * email target kind and reports share it.
 */
public interface Mailer {

  /**
   * Sends {@code message} and returns once the SMTP server accepted it; otherwise throws: a 5xx
   * reply is {@link DeliveryException#permanent permanent} (the server will never take it), a 4xx
   * reply, a connection that fails or times out is {@link DeliveryException#retryable retryable}.
   */
  void send(MailMessage message) throws DeliveryException;
}

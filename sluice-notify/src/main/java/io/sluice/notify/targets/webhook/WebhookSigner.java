package io.sluice.notify.targets.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature: {@code v1,} and the base64 HMAC-SHA256 of {@code
 * "{webhook-id}.{webhook-timestamp}.{body}"}, keyed with the base64-decoded part of the {@code
 * whsec_} secret.
 */
final class WebhookSigner {

  static final String PREFIX = "whsec_";

  private final byte[] key;

  WebhookSigner(String secret) {
    this.key = key(secret);
    if (key == null) {
      throw new IllegalArgumentException("not a whsec_<base64> secret");
    }
  }

  /** The HMAC key of a {@code whsec_<base64>} secret, or null when it is not one. */
  static byte[] key(String secret) {
    if (secret == null || !secret.startsWith(PREFIX) || secret.length() == PREFIX.length()) {
      return null;
    }
    try {
      return Base64.getDecoder().decode(secret.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The {@code webhook-signature} header value. */
  String sign(String id, long timestampSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}

package io.cheenhub.sfu.signaling;

import io.cheenhub.sfu.config.TurnSettings;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-limited TURN credentials as coturn's {@code use-auth-secret} checks them (the TURN REST API,
 * draft-uberti-behave-turn-rest-00 §2.2): the username is {@code <expiry>:<user>} with the expiry
 * in Unix seconds, and the password is {@code base64(HMAC-SHA1(secret, username))}. The TURN server
 * recomputes the password from the username alone, so nothing is shared per client.
 */
final class TurnCredentials {

  private static final String HMAC = "HmacSHA1";

  private final TurnSettings settings;

  TurnCredentials(TurnSettings settings) {
    this.settings = settings;
  }

  /** The {@code iceServers} for {@code participantId} joining at {@code now}, or null if none. */
  List<Message.IceServer> iceServers(String participantId, Instant now) {
    if (!settings.enabled()) {
      return null;
    }
    String username = now.plus(settings.ttl()).getEpochSecond() + ":" + participantId;
    return List.of(
        new Message.IceServer(settings.urls(), username, password(settings.secret(), username)));
  }

  /** {@code base64(HMAC-SHA1(secret, username))}, coturn's REST API password. */
  static String password(String secret, String username) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC));
      return Base64.getEncoder()
          .encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is required of every Java platform", e);
    }
  }
}

package io.cheenhub.sfu.transport.relay;

import io.cheenhub.sfu.transport.srtp.DtlsRole;
import io.cheenhub.sfu.transport.srtp.SrtpProfile;
import io.cheenhub.sfu.transport.srtp.SrtpSession;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SRTP keys of a cascade relay, derived without a handshake: every instance draws a random
 * secret at start and publishes it in its load entry on the Data Grid (a private network, like the
 * grid itself: docs/deployment.md). The key of one direction of one room's relay is
 *
 * <pre>HMAC-SHA256(secret of the sender, "cheenhub-sfu relay v1" | room | sender | sender's span |
 * receiver | receiver's span)</pre>
 *
 * cut into an AES-128-GCM key and salt. A <em>span</em> is a random token an instance draws each
 * time it opens the room: a relay between the same two instances for the same room that ends and
 * starts again gets new keys, so no (key, SSRC, index) is ever used twice, even though each
 * publisher's relay SSRC stays the same.
 */
public final class RelayKeys {

  /** Bytes of an instance's relay secret. */
  public static final int SECRET_BYTES = 32;

  /** The relay's SRTP profile: AEAD (one pass), the one the native OpenSSL path is fastest at. */
  public static final SrtpProfile PROFILE = SrtpProfile.AEAD_AES_128_GCM;

  private static final String LABEL = "cheenhub-sfu relay v1";

  private RelayKeys() {}

  /** One end of a room's relay: an instance, its secret and its span of the room. */
  public record End(String instance, byte[] secret, String span) {
    public End {
      if (secret.length != SECRET_BYTES) {
        throw new IllegalArgumentException("a relay secret has " + SECRET_BYTES + " bytes");
      }
      secret = secret.clone();
    }
  }

  /**
   * The SRTP session of room {@code room}'s relay as seen from {@code self}: it encrypts with the
   * key of self → peer and decrypts with the key of peer → self. The peer builds the mirror image.
   */
  public static SrtpSession session(String room, End self, End peer) {
    byte[] mine = derive(room, self, peer);
    byte[] theirs = derive(room, peer, self);
    int keyBytes = PROFILE.keyBytes();
    int saltBytes = PROFILE.saltBytes();
    // RFC 5764 §4.2's layout, with this side as the DTLS client: its key and salt come first.
    byte[] material = new byte[PROFILE.keyingMaterialBytes()];
    System.arraycopy(mine, 0, material, 0, keyBytes);
    System.arraycopy(theirs, 0, material, keyBytes, keyBytes);
    System.arraycopy(mine, keyBytes, material, 2 * keyBytes, saltBytes);
    System.arraycopy(theirs, keyBytes, material, 2 * keyBytes + saltBytes, saltBytes);
    try {
      return new SrtpSession(PROFILE, material, DtlsRole.CLIENT);
    } finally {
      Arrays.fill(mine, (byte) 0);
      Arrays.fill(theirs, (byte) 0);
      Arrays.fill(material, (byte) 0);
    }
  }

  /** The key and salt (32 bytes, of which 28 are used) of direction {@code from} → {@code to}. */
  static byte[] derive(String room, End from, End to) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(from.secret, "HmacSHA256"));
      String info =
          String.join("\n", LABEL, room, from.instance(), from.span(), to.instance(), to.span());
      return mac.doFinal(info.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }
}

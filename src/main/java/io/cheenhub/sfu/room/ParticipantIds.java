package io.cheenhub.sfu.room;

import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable participant ids: 128 bits from {@link SecureRandom}, base64url without padding. */
final class ParticipantIds {

  private static final int ID_BYTES = 16;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private ParticipantIds() {}

  static String next() {
    byte[] bytes = new byte[ID_BYTES];
    RANDOM.nextBytes(bytes);
    return ENCODER.encodeToString(bytes);
  }
}

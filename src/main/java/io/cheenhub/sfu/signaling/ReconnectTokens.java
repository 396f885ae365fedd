package io.cheenhub.sfu.signaling;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reconnect tokens: 128 random bits per membership, replaced by every {@code joined} and claimable
 * once. Holding one is the proof that a new connection is the same client (design: reconnect).
 */
final class ReconnectTokens {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int TOKEN_BYTES = 16;

  private final Map<String, Membership> byToken = new ConcurrentHashMap<>();

  /** A fresh token for {@code membership}; its previous one stops working. */
  String issue(Membership membership) {
    byte[] bytes = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    revoke(membership);
    byToken.put(token, membership);
    membership.setReconnectToken(token);
    return token;
  }

  /** Takes the membership of {@code token} in {@code roomId}, or null; a token works once. */
  Membership claim(String token, String roomId) {
    Membership membership = byToken.get(token);
    if (membership == null
        || membership.room() == null
        || !membership.room().id().equals(roomId)
        || !byToken.remove(token, membership)) {
      return null;
    }
    return membership;
  }

  /** The membership is gone: its token no longer works. */
  void revoke(Membership membership) {
    String token = membership.reconnectToken();
    if (token != null) {
      byToken.remove(token, membership);
    }
  }

  /** Tokens outstanding (for tests and leak checks). */
  int size() {
    return byToken.size();
  }
}

package io.cheenhub.sfu.config;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Who may join: tokens, origins and per-user limits (docs/security.md).
 *
 * @param anonymous joins without a token are accepted ({@code sfu.auth.anonymous})
 * @param maxRoomsPerUser room memberships one user (token {@code sub}; without a token, one
 *     connection) may hold across all its connections ({@code sfu.auth.max-rooms-per-user})
 * @param allowedOrigins browser origins allowed to open the signaling WebSocket, {@code *} any;
 *     empty means the server's own origin when anonymous, no browser page where tokens are required
 *     ({@code sfu.signaling.allowed-origins})
 * @param publicKey key text ({@code mp.jwt.verify.publickey}), empty if unset
 * @param publicKeyLocation where to read it ({@code mp.jwt.verify.publickey.location}), or empty
 * @param algorithm RS256 or ES256 ({@code mp.jwt.verify.publickey.algorithm})
 * @param issuer required {@code iss}, empty to accept any ({@code mp.jwt.verify.issuer})
 * @param audiences accepted {@code aud} values, empty to skip ({@code mp.jwt.verify.audiences})
 * @param clockSkew tolerance on {@code exp}/{@code nbf} ({@code mp.jwt.verify.clock.skew})
 * @param keyRefreshMinInterval least time between two reads of the key location for tokens signed
 *     with an unknown {@code kid} ({@code sfu.auth.key-refresh-min-interval-ms})
 */
public record AuthSettings(
    boolean anonymous,
    int maxRoomsPerUser,
    List<String> allowedOrigins,
    String publicKey,
    String publicKeyLocation,
    String algorithm,
    String issuer,
    Set<String> audiences,
    Duration clockSkew,
    Duration keyRefreshMinInterval) {

  public AuthSettings {
    if (keyRefreshMinInterval.isNegative()) {
      throw new IllegalArgumentException(
          "sfu.auth.key-refresh-min-interval-ms must be 0 or more, is "
              + keyRefreshMinInterval.toMillis());
    }
    ConfigChecks.positive("sfu.auth.max-rooms-per-user", maxRoomsPerUser);
    allowedOrigins = List.copyOf(allowedOrigins);
    audiences = Set.copyOf(audiences);
  }

  /** Whether a key to verify tokens with is configured. */
  public boolean hasKey() {
    return !publicKey.isEmpty() || !publicKeyLocation.isEmpty();
  }
}

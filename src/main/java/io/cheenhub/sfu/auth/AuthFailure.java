package io.cheenhub.sfu.auth;

/** Why a join was not authorized; each maps to one documented signaling error code. */
public enum AuthFailure {
  /** Tokens are required ({@code sfu.auth.anonymous=false}) and the join carried none. */
  REQUIRED,
  /** Malformed, unsupported algorithm, bad signature, wrong issuer or audience, not yet valid. */
  INVALID,
  /** The token's {@code exp} has passed (beyond {@code mp.jwt.verify.clock.skew}). */
  EXPIRED,
  /** A valid token, but for another room or without the permission the request needs. */
  FORBIDDEN
}

package io.cheenhub.sfu.auth;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

/**
 * Verifies a signed JWT (RFC 7519, JWS compact serialization RFC 7515) the way MicroProfile JWT 2.1
 * does, with the JDK's own crypto, and reads this server's claims from it.
 *
 * <p>Why not Payara's MP JWT: its {@code JWTAuthenticationMechanism} authenticates HTTP requests by
 * their {@code Authorization} header or a cookie, but a browser's {@code WebSocket} cannot set
 * headers, and a failed check is one 401 at the handshake, so the client could not tell an expired
 * token from a forged one. The verifier behind it ({@code fish.payara.microprofile.jwtauth.*}) is
 * Payara-internal: not a published API, not on the application's compile class path, and it reports
 * every failure alike. So the token travels in the {@code join} message and is checked here against
 * the same {@code mp.jwt.verify.*} keys an MP-JWT deployment already sets.
 *
 * <p>Checks, in order: compact form; {@code alg} is the configured one (RS256 or ES256; never
 * {@code none} or HMAC, RFC 8725 §3.1); signature; {@code iss}; {@code aud} when configured; {@code
 * exp} (required) and {@code nbf} with the clock skew; {@code sub} present.
 */
public final class TokenVerifier {

  /** Where the verifier gets its keys; {@code kid} is the token header's, or null. */
  @FunctionalInterface
  public interface KeySource {
    VerificationKeys keys(String kid) throws GeneralSecurityException;
  }

  /** Longest token accepted, in characters; real ones are well under 2 KiB. */
  static final int MAX_TOKEN_CHARS = 8192;

  /** ES256 signatures are R || S, 32 bytes each (RFC 7518 §3.4). */
  private static final int ES256_SIGNATURE_BYTES = 64;

  private final KeySource keys;
  private final String algorithm;
  private final String issuer;
  private final Set<String> audiences;
  private final Duration clockSkew;

  /**
   * @param algorithm {@code RS256} or {@code ES256} ({@code mp.jwt.verify.publickey.algorithm})
   * @param issuer required {@code iss}, or null to accept any ({@code mp.jwt.verify.issuer})
   * @param audiences accepted {@code aud} values, empty to skip ({@code mp.jwt.verify.audiences})
   * @param clockSkew tolerance for {@code exp} and {@code nbf} ({@code mp.jwt.verify.clock.skew})
   */
  public TokenVerifier(
      KeySource keys, String algorithm, String issuer, Set<String> audiences, Duration clockSkew) {
    if (!algorithm.equals("RS256") && !algorithm.equals("ES256")) {
      throw new IllegalArgumentException(
          "mp.jwt.verify.publickey.algorithm must be RS256 or ES256, was " + algorithm);
    }
    this.keys = keys;
    this.algorithm = algorithm;
    this.issuer = issuer;
    this.audiences = Set.copyOf(audiences);
    this.clockSkew = clockSkew;
  }

  /** The identity in {@code token}, or why it is not acceptable at {@code now}. */
  public Identity verify(String token, Instant now) throws AuthException {
    if (token.length() > MAX_TOKEN_CHARS) {
      throw invalid("token longer than " + MAX_TOKEN_CHARS + " characters");
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length == 5) {
      throw invalid("encrypted tokens (JWE) are not supported; send a signed JWT");
    }
    if (parts.length != 3) {
      throw invalid("not a JWT: expected header.payload.signature");
    }
    JsonObject header = json(parts[0], "header");
    String alg = header.getString("alg", null);
    if (!algorithm.equals(alg)) {
      throw invalid("token algorithm " + alg + " is not the configured " + algorithm);
    }
    String typ = header.getString("typ", "JWT");
    if (!typ.equalsIgnoreCase("JWT")) {
      throw invalid("token type " + typ + " is not JWT");
    }
    verifySignature(parts, header.getString("kid", null));
    return identity(parts[1], now);
  }

  /**
   * The identity in a payload whose signature verified: this server's claim checks (iss, aud, exp,
   * nbf, sub, room, permissions). Package-private so the fuzzer can reach them directly (it cannot
   * forge a signature).
   *
   * @param payload the token's second part, base64url
   */
  Identity identity(String payload, Instant now) throws AuthException {
    JsonObject claims = json(payload, "payload");

    if (issuer != null && !issuer.equals(string(claims, "iss"))) {
      throw invalid("token issuer is not the configured one");
    }
    if (!audiences.isEmpty() && !hasAudience(claims.get("aud"))) {
      throw invalid("token audience is not one of the configured ones");
    }
    long exp = seconds(claims, "exp");
    if (exp < 0) {
      throw invalid("token has no exp claim");
    }
    if (now.minus(clockSkew).isAfter(Instant.ofEpochSecond(exp))) {
      throw new AuthException(
          AuthFailure.EXPIRED, "token expired at " + Instant.ofEpochSecond(exp));
    }
    long nbf = seconds(claims, "nbf");
    if (nbf >= 0 && now.plus(clockSkew).isBefore(Instant.ofEpochSecond(nbf))) {
      throw invalid("token not valid before " + Instant.ofEpochSecond(nbf));
    }
    String subject = string(claims, "sub");
    if (subject == null || subject.isEmpty()) {
      throw invalid("token has no sub claim");
    }
    String room = string(claims, "room");
    if (room == null || room.isEmpty()) {
      throw invalid("token has no room claim");
    }
    return new Identity(subject, room, string(claims, "name"), permissions(claims));
  }

  private void verifySignature(String[] parts, String kid) throws AuthException {
    byte[] signature = base64(parts[2], "signature");
    byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    VerificationKeys available;
    try {
      available = keys.keys(kid);
    } catch (GeneralSecurityException e) {
      // The server cannot verify anything: an operator's problem, not the client's.
      throw new IllegalStateException("token verification keys unavailable: " + e.getMessage(), e);
    }
    boolean es256 = algorithm.equals("ES256");
    if (es256 && signature.length != ES256_SIGNATURE_BYTES) {
      throw invalid("ES256 signature must be " + ES256_SIGNATURE_BYTES + " bytes");
    }
    for (PublicKey key : available.candidates(kid)) {
      if (es256 ? !(key instanceof ECPublicKey) : !(key instanceof RSAPublicKey)) {
        continue;
      }
      try {
        // P1363 is the JOSE R || S layout; the JDK's plain ECDSA wants DER.
        var verifier =
            Signature.getInstance(es256 ? "SHA256withECDSAinP1363Format" : "SHA256withRSA");
        verifier.initVerify(key);
        verifier.update(signed);
        if (verifier.verify(signature)) {
          return;
        }
      } catch (GeneralSecurityException e) {
        // a malformed signature for this key: try the next, then refuse
      }
    }
    throw invalid("token signature does not verify");
  }

  private boolean hasAudience(JsonValue aud) {
    if (aud instanceof JsonString s) {
      return audiences.contains(s.getString());
    }
    if (aud instanceof jakarta.json.JsonArray array) {
      for (JsonValue v : array) {
        if (v instanceof JsonString s && audiences.contains(s.getString())) {
          return true;
        }
      }
    }
    return false;
  }

  private static Set<String> permissions(JsonObject claims) throws AuthException {
    JsonValue value = claims.get("permissions");
    var out = new HashSet<String>();
    if (value == null || value == JsonValue.NULL) {
      return out;
    }
    if (!(value instanceof jakarta.json.JsonArray array)) {
      throw invalid("permissions claim must be an array of strings");
    }
    for (JsonValue v : array) {
      if (!(v instanceof JsonString s)) {
        throw invalid("permissions claim must be an array of strings");
      }
      out.add(s.getString());
    }
    return out;
  }

  private static String string(JsonObject claims, String name) throws AuthException {
    JsonValue value = claims.get(name);
    if (value == null || value == JsonValue.NULL) {
      return null;
    }
    if (!(value instanceof JsonString s)) {
      throw invalid(name + " claim must be a string");
    }
    return s.getString();
  }

  /** A NumericDate claim (RFC 7519 §2) in whole seconds, or -1 when absent. */
  private static long seconds(JsonObject claims, String name) throws AuthException {
    JsonValue value = claims.get(name);
    if (value == null || value == JsonValue.NULL) {
      return -1;
    }
    if (!(value instanceof JsonNumber n) || n.doubleValue() < 0) {
      throw invalid(name + " claim must be a number of seconds");
    }
    // Saturates at Long.MAX_VALUE; past Instant's range (year 1e9) the exp/nbf comparisons would
    // throw DateTimeException.
    long seconds = (long) n.doubleValue();
    if (seconds > Instant.MAX.getEpochSecond()) {
      throw invalid(name + " claim is out of range");
    }
    return seconds;
  }

  private static JsonObject json(String part, String what) throws AuthException {
    byte[] bytes = base64(part, what);
    try (var reader =
        Json.createReader(new StringReader(new String(bytes, StandardCharsets.UTF_8)))) {
      return reader.readObject();
    } catch (JsonException | IllegalStateException e) {
      throw invalid("token " + what + " is not a JSON object");
    } catch (NumberFormatException e) {
      // Parsson's BigDecimal refuses an exponent beyond int range (1e5555555555) this way.
      throw invalid("token " + what + " has a number out of range");
    }
  }

  private static byte[] base64(String part, String what) throws AuthException {
    try {
      return Base64.getUrlDecoder().decode(part);
    } catch (IllegalArgumentException e) {
      throw invalid("token " + what + " is not base64url");
    }
  }

  private static AuthException invalid(String message) {
    return new AuthException(AuthFailure.INVALID, message);
  }
}

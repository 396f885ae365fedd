package io.cheenhub.sfu.auth;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

/**
 * Coverage-guided fuzzing of join tokens (docs/quality.md, "Fuzzing"): on any input the verifier
 * returns an identity or throws {@link AuthException}, nothing else.
 *
 * <p>A fuzzer cannot forge a signature, so there are two targets. {@link #verify} sends the input
 * as a whole token through {@link TokenVerifier#verify}: the compact form, the header, the
 * signature's encoding and the signature check itself (by an RS256 or an ES256 verifier, chosen by
 * the token's hash, so both algorithms' paths are reached). {@link #claims} sends it as the payload
 * of a token whose signature verified ({@link TokenVerifier#identity}): the JSON claims (iss, aud,
 * exp, nbf, sub, room, permissions). An earlier version re-signed every input with a test key to
 * reach the claims, which spent almost all of its time in ECDSA signing (about 1 200 executions a
 * second); this split runs each part at the speed of the code under test. Seeds are under {@code
 * TokenVerifierFuzzTestInputs/}; plain {@code mvn test} replays them.
 */
class TokenVerifierFuzzTest {

  /** The instant the seeds were minted at, so their exp stays in the future on replay. */
  static final Instant NOW = Instant.ofEpochSecond(1_795_000_000L);

  /** A P-256 public key (X.509): the seeds' ES256 signatures verify with it. Not a secret. */
  static final String PUBLIC_KEY_PEM =
      "-----BEGIN PUBLIC KEY-----\n"
          + "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEwjA5v/f0lsY2iBnU/9Qudj4VPFjB\n"
          + "Kh3AC7cf0IKeK0BK4m2ijY3IIr80MRaxg0KFO5M7IMt5LIsZtRyA0ncTQA==\n"
          + "-----END PUBLIC KEY-----\n";

  private final TokenVerifier es256;
  private final TokenVerifier rs256;

  TokenVerifierFuzzTest() throws GeneralSecurityException {
    es256 = verifier(VerificationKeys.parse(PUBLIC_KEY_PEM), "ES256");
    rs256 = verifier(VerificationKeys.parse(TestTokens.rs256().publicKeyPem()), "RS256");
  }

  private static TokenVerifier verifier(VerificationKeys keys, String algorithm) {
    return new TokenVerifier(
        kid -> keys, algorithm, TestTokens.ISSUER, Set.of("cheenhub"), Duration.ofSeconds(30));
  }

  @FuzzTest(maxDuration = "60s")
  void verify(byte[] input) {
    String token = new String(input, StandardCharsets.UTF_8);
    TokenVerifier verifier = (token.hashCode() & 1) == 0 ? es256 : rs256;
    try {
      check(verifier.verify(token, NOW), token);
    } catch (AuthException e) {
      checkFailure(e);
    }
  }

  @FuzzTest(maxDuration = "60s")
  void claims(byte[] input) {
    String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(input);
    try {
      check(es256.identity(payload, NOW), payload);
    } catch (AuthException e) {
      checkFailure(e);
    }
  }

  private static void check(Identity identity, String input) {
    if (identity.subject() == null
        || identity.subject().isEmpty()
        || identity.room() == null
        || identity.room().isEmpty()) {
      throw new AssertionError("accepted a token without sub or room: " + input);
    }
  }

  private static void checkFailure(AuthException e) {
    if (e.failure() == null) {
      throw new AssertionError("AuthException without a failure", e);
    }
  }
}

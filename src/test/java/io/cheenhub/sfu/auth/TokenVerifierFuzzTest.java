package io.cheenhub.sfu.auth;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

/**
 * Coverage-guided fuzzing of join tokens (docs/quality.md, "Fuzzing"): {@link TokenVerifier#verify}
 * on any string returns an identity or throws {@link AuthException}, nothing else.
 *
 * <p>A fuzzer cannot forge a signature, so each input is verified twice: as sent, which exercises
 * the compact-form, header and signature checks; and with its header and payload re-signed by the
 * fixed test key below, which lets the fuzzer reach the JSON claims (iss, aud, exp, nbf, sub, room,
 * permissions). Seeds are tokens minted by {@link TestTokens} with that key, under {@code
 * TokenVerifierFuzzTestInputs/}; plain {@code mvn test} replays them.
 */
class TokenVerifierFuzzTest {

  /** A P-256 test key (PKCS#8), fixed so that the seed tokens keep verifying. Not a secret. */
  static final String PRIVATE_KEY_PKCS8 =
      "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZSFgJR5eiCqC7fuc"
          + "mK6QL8K6MxiV9EagHaProRuXIEuhRANCAATCMDm/9/SWxjaIGdT/1C52PhU8WMEq"
          + "HcALtx/Qgp4rQEribaKNjcgivzQxFrGDQoU7kzsgy3ksixm1HIDSdxNA";

  /** The instant the seeds were minted at, so their exp stays in the future on replay. */
  static final Instant NOW = Instant.ofEpochSecond(1_795_000_000L);

  private final PrivateKey signingKey;
  private final TokenVerifier verifier;

  TokenVerifierFuzzTest() throws GeneralSecurityException {
    signingKey =
        KeyFactory.getInstance("EC")
            .generatePrivate(
                new PKCS8EncodedKeySpec(Base64.getDecoder().decode(PRIVATE_KEY_PKCS8)));
    VerificationKeys keys = VerificationKeys.parse(PUBLIC_KEY_PEM);
    verifier =
        new TokenVerifier(
            kid -> keys, "ES256", TestTokens.ISSUER, Set.of("cheenhub"), Duration.ofSeconds(30));
  }

  /** The public half of {@link #PRIVATE_KEY_PKCS8}. */
  static final String PUBLIC_KEY_PEM =
      "-----BEGIN PUBLIC KEY-----\n"
          + "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEwjA5v/f0lsY2iBnU/9Qudj4VPFjB\n"
          + "Kh3AC7cf0IKeK0BK4m2ijY3IIr80MRaxg0KFO5M7IMt5LIsZtRyA0ncTQA==\n"
          + "-----END PUBLIC KEY-----\n";

  @FuzzTest(maxDuration = "60s")
  void verify(byte[] input) throws GeneralSecurityException {
    String token = new String(input, StandardCharsets.UTF_8);
    verifyExpectingOnlyAuthException(token);
    int lastDot = token.lastIndexOf('.');
    if (lastDot > 0 && token.indexOf('.') < lastDot) {
      verifyExpectingOnlyAuthException(resign(token.substring(0, lastDot)));
    }
  }

  private void verifyExpectingOnlyAuthException(String token) {
    try {
      Identity identity = verifier.verify(token, NOW);
      if (identity.subject() == null || identity.room() == null) {
        throw new AssertionError("accepted a token without sub or room: " + token);
      }
    } catch (AuthException e) {
      if (e.failure() == null) {
        throw new AssertionError("AuthException without a failure", e);
      }
    }
  }

  /** {@code signingInput} with an ES256 signature (JOSE R || S) by the test key appended. */
  private String resign(String signingInput) throws GeneralSecurityException {
    var signer = Signature.getInstance("SHA256withECDSAinP1363Format");
    signer.initSign(signingKey);
    // The verifier checks the US-ASCII bytes, so sign the same bytes.
    signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput
        + "."
        + Base64.getUrlEncoder().withoutPadding().encodeToString(signer.sign());
  }
}

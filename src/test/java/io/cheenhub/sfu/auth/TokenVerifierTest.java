package io.cheenhub.sfu.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.Json;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {

  private static final Instant NOW = Instant.now();

  private static TokenVerifier verifier(TestTokens tokens) throws GeneralSecurityException {
    VerificationKeys keys = VerificationKeys.parse(tokens.publicKeyPem());
    return new TokenVerifier(
        kid -> keys, tokens.algorithm(), TestTokens.ISSUER, Set.of(), Duration.ofSeconds(60));
  }

  private static AuthFailure failure(TokenVerifier verifier, String token, String room) {
    try {
      verifier.verify(token, NOW).authorize(room, Identity.JOIN);
      throw new AssertionError("accepted " + token);
    } catch (AuthException e) {
      return e.failure();
    }
  }

  @Test
  void validRs256TokenGivesItsClaims() throws Exception {
    var tokens = TestTokens.rs256();
    String token = tokens.sign(TestTokens.claims("user-1", "standup").add("name", "Ada"));
    Identity identity = verifier(tokens).verify(token, NOW);
    assertThat(identity.subject()).isEqualTo("user-1");
    assertThat(identity.room()).isEqualTo("standup");
    assertThat(identity.name()).isEqualTo("Ada");
    assertThat(identity.permissions()).containsExactlyInAnyOrder("join", "publish", "subscribe");
    identity.authorize("standup", Identity.PUBLISH);
  }

  @Test
  void validEs256TokenAndAnyRoom() throws Exception {
    var tokens = TestTokens.es256();
    String token = tokens.sign(TestTokens.claims("user-2", Identity.ANY_ROOM));
    Identity identity = verifier(tokens).verify(token, NOW);
    identity.authorize("whatever-room", Identity.JOIN);
    assertThat(identity.name()).isNull();
  }

  @Test
  void expiredTokenIsExpiredButWithinClockSkewIsAccepted() throws Exception {
    var tokens = TestTokens.rs256();
    long now = NOW.getEpochSecond();
    String expired = tokens.sign(TestTokens.claims("u", "r").add("exp", now - 120));
    assertThat(failure(verifier(tokens), expired, "r")).isEqualTo(AuthFailure.EXPIRED);
    String justExpired = tokens.sign(TestTokens.claims("u", "r").add("exp", now - 30));
    verifier(tokens).verify(justExpired, NOW);
  }

  @Test
  void wrongSignatureIsInvalid() throws Exception {
    var tokens = TestTokens.rs256();
    var other = TestTokens.rs256();
    String forged = tokens.sign(TestTokens.claims("u", "r"), other.privateKey());
    assertThat(failure(verifier(tokens), forged, "r")).isEqualTo(AuthFailure.INVALID);
    // An expired token with a bad signature says nothing about its expiry.
    String forgedExpired =
        tokens.sign(TestTokens.claims("u", "r").add("exp", 1), other.privateKey());
    assertThat(failure(verifier(tokens), forgedExpired, "r")).isEqualTo(AuthFailure.INVALID);
    // A claims change after signing.
    String valid = tokens.sign(TestTokens.claims("u", "r"));
    String[] parts = valid.split("\\.");
    String tampered =
        parts[0]
            + "."
            + TestTokens.base64(TestTokens.claims("u", "*").build().toString())
            + "."
            + parts[2];
    assertThat(failure(verifier(tokens), tampered, "other")).isEqualTo(AuthFailure.INVALID);
  }

  @Test
  void wrongIssuerIsInvalid() throws Exception {
    var tokens = TestTokens.rs256();
    String token = tokens.sign(TestTokens.claims("u", "r").add("iss", "https://evil.example"));
    assertThat(failure(verifier(tokens), token, "r")).isEqualTo(AuthFailure.INVALID);
  }

  @Test
  void wrongRoomIsForbidden() throws Exception {
    var tokens = TestTokens.rs256();
    String token = tokens.sign(TestTokens.claims("u", "standup"));
    assertThat(failure(verifier(tokens), token, "board-meeting")).isEqualTo(AuthFailure.FORBIDDEN);
  }

  @Test
  void missingPermissionIsForbidden() throws Exception {
    var tokens = TestTokens.rs256();
    String listenOnly =
        tokens.sign(
            TestTokens.claims("u", "r")
                .add("permissions", Json.createArrayBuilder(List.of("join", "subscribe"))));
    Identity identity = verifier(tokens).verify(listenOnly, NOW);
    identity.authorize("r", Identity.SUBSCRIBE);
    assertThatThrownBy(() -> identity.authorize("r", Identity.PUBLISH))
        .isInstanceOfSatisfying(
            AuthException.class, e -> assertThat(e.failure()).isEqualTo(AuthFailure.FORBIDDEN))
        .hasMessageContaining("publish");
    String noPermissions = tokens.sign(TestTokens.claims("u", "r").remove("permissions"));
    assertThat(failure(verifier(tokens), noPermissions, "r")).isEqualTo(AuthFailure.FORBIDDEN);
  }

  @Test
  void malformedTokensAreInvalid() throws Exception {
    var tokens = TestTokens.rs256();
    TokenVerifier verifier = verifier(tokens);
    String valid = tokens.sign(TestTokens.claims("u", "r"));
    String[] parts = valid.split("\\.");
    for (String token :
        List.of(
            "",
            "not-a-jwt",
            "a.b",
            "a.b.c.d.e",
            "%%%.%%%.%%%",
            TestTokens.base64("[1,2]") + "." + parts[1] + "." + parts[2],
            TestTokens.base64("{\"alg\":\"none\"}") + "." + parts[1] + ".",
            TestTokens.base64("{\"alg\":\"HS256\"}") + "." + parts[1] + "." + parts[2],
            parts[0] + "." + TestTokens.base64("not json") + "." + parts[2],
            "x".repeat(TokenVerifier.MAX_TOKEN_CHARS + 1))) {
      assertThat(failure(verifier, token, "r"))
          .as("token %s", token)
          .isEqualTo(AuthFailure.INVALID);
    }
  }

  @Test
  void requiredClaimsAndTypesAreChecked() throws Exception {
    var tokens = TestTokens.rs256();
    TokenVerifier verifier = verifier(tokens);
    for (var claims :
        List.of(
            TestTokens.claims("u", "r").remove("exp"),
            TestTokens.claims("u", "r").remove("sub"),
            TestTokens.claims("u", "r").remove("room"),
            TestTokens.claims("u", "r").add("room", 7),
            TestTokens.claims("u", "r").add("permissions", "join"),
            TestTokens.claims("u", "r").add("nbf", NOW.getEpochSecond() + 3600))) {
      assertThat(failure(verifier, tokens.sign(claims), "r")).isEqualTo(AuthFailure.INVALID);
    }
  }

  @Test
  void es256KeyDoesNotVerifyAnRs256ConfiguredServer() throws Exception {
    var rsa = TestTokens.rs256();
    var ec = TestTokens.es256();
    VerificationKeys keys = VerificationKeys.parse(ec.publicKeyPem());
    var verifier =
        new TokenVerifier(kid -> keys, "RS256", TestTokens.ISSUER, Set.of(), Duration.ZERO);
    assertThat(failure(verifier, rsa.sign(TestTokens.claims("u", "r")), "r"))
        .isEqualTo(AuthFailure.INVALID);
    assertThat(failure(verifier, ec.sign(TestTokens.claims("u", "r")), "r"))
        .isEqualTo(AuthFailure.INVALID);
  }

  @Test
  void audienceIsCheckedWhenConfigured() throws Exception {
    var tokens = TestTokens.rs256();
    VerificationKeys keys = VerificationKeys.parse(tokens.publicKeyBase64());
    var verifier =
        new TokenVerifier(
            kid -> keys, "RS256", TestTokens.ISSUER, Set.of("cheenhub-sfu"), Duration.ZERO);
    verifier.verify(tokens.sign(TestTokens.claims("u", "r").add("aud", "cheenhub-sfu")), NOW);
    verifier.verify(
        tokens.sign(
            TestTokens.claims("u", "r")
                .add("aud", Json.createArrayBuilder(List.of("x", "cheenhub-sfu")))),
        NOW);
    assertThat(failure(verifier, tokens.sign(TestTokens.claims("u", "r").add("aud", "x")), "r"))
        .isEqualTo(AuthFailure.INVALID);
    assertThat(failure(verifier, tokens.sign(TestTokens.claims("u", "r")), "r"))
        .isEqualTo(AuthFailure.INVALID);
  }

  @Test
  void jwkSetKeysAreSelectedByKid() throws Exception {
    var tokens = TestTokens.rs256();
    String jwks = tokens.jwks("k1");
    VerificationKeys keys = VerificationKeys.parse(jwks);
    assertThat(keys.hasKid("k1")).isTrue();
    assertThat(keys.candidates("k1")).hasSize(1);
    assertThat(keys.candidates("k2")).isEmpty();
    var verifier =
        new TokenVerifier(kid -> keys, "RS256", TestTokens.ISSUER, Set.of(), Duration.ZERO);
    verifier.verify(tokens.sign(TestTokens.claims("u", "r")), NOW);
  }

  @Test
  void unusableKeyTextIsRefusedAtParse() {
    for (String text :
        List.of("", "not base64 !", "{\"kty\":\"oct\",\"k\":\"AA\"}", "{\"keys\":[]}")) {
      assertThatThrownBy(() -> VerificationKeys.parse(text))
          .as(text)
          .isInstanceOf(GeneralSecurityException.class);
    }
  }
}

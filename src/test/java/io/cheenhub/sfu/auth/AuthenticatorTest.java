package io.cheenhub.sfu.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cheenhub.sfu.config.AuthSettings;
import jakarta.json.Json;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The REST API's operator check ({@link Authenticator#authenticateOperator}). */
class AuthenticatorTest {

  private static Authenticator authenticator(boolean anonymous, String publicKey) {
    var authenticator = new Authenticator();
    authenticator.settings =
        new AuthSettings(
            anonymous,
            5,
            List.of(),
            publicKey,
            "",
            "RS256",
            TestTokens.ISSUER,
            Set.of(),
            Duration.ofSeconds(60),
            Duration.ofSeconds(30));
    authenticator.init();
    return authenticator;
  }

  private static AuthFailure operatorFailure(Authenticator authenticator, String token) {
    try {
      authenticator.authenticateOperator(token);
      throw new AssertionError("accepted " + token);
    } catch (AuthException e) {
      return e.failure();
    }
  }

  private static String operatorToken(TestTokens tokens, String room) throws Exception {
    return tokens.sign(
        TestTokens.claims("ops", room)
            .add("permissions", Json.createArrayBuilder(List.of(Identity.OPERATOR))));
  }

  @Test
  void anOperatorTokenForEveryRoomMayUseTheApi() throws Exception {
    var tokens = TestTokens.rs256();
    Identity identity =
        authenticator(false, tokens.publicKeyPem())
            .authenticateOperator(operatorToken(tokens, Identity.ANY_ROOM));
    assertThat(identity.subject()).isEqualTo("ops");
  }

  @Test
  void withoutAValidTokenTheApiIsUnauthorized() throws Exception {
    var tokens = TestTokens.rs256();
    var authenticator = authenticator(false, tokens.publicKeyPem());
    assertThat(operatorFailure(authenticator, null)).isEqualTo(AuthFailure.REQUIRED);
    assertThat(operatorFailure(authenticator, "")).isEqualTo(AuthFailure.REQUIRED);
    assertThat(operatorFailure(authenticator, "not.a.jwt")).isEqualTo(AuthFailure.INVALID);
    var forger = TestTokens.rs256();
    String forged =
        tokens.sign(
            TestTokens.claims("ops", Identity.ANY_ROOM)
                .add("permissions", Json.createArrayBuilder(List.of(Identity.OPERATOR))),
            forger.privateKey());
    assertThat(operatorFailure(authenticator, forged)).isEqualTo(AuthFailure.INVALID);
    long past = System.currentTimeMillis() / 1000 - 600;
    String expired =
        tokens.sign(
            TestTokens.claims("ops", Identity.ANY_ROOM)
                .add("exp", past)
                .add("permissions", Json.createArrayBuilder(List.of(Identity.OPERATOR))));
    assertThat(operatorFailure(authenticator, expired)).isEqualTo(AuthFailure.EXPIRED);
  }

  @Test
  void aJoinTokenOrAOneRoomOperatorTokenIsForbidden() throws Exception {
    var tokens = TestTokens.rs256();
    var authenticator = authenticator(false, tokens.publicKeyPem());
    String joinToken = tokens.sign(TestTokens.claims("ada", Identity.ANY_ROOM));
    assertThat(operatorFailure(authenticator, joinToken)).isEqualTo(AuthFailure.FORBIDDEN);
    assertThat(operatorFailure(authenticator, operatorToken(tokens, "standup")))
        .as("the API shows every room, so the token must be for every room")
        .isEqualTo(AuthFailure.FORBIDDEN);
  }

  @Test
  void anonymousModeLeavesTheApiOpen() throws Exception {
    assertThat(authenticator(true, "").authenticateOperator(null)).isNull();
    assertThat(authenticator(true, "").authenticateOperator("not.a.jwt")).isNull();
  }

  @Test
  void noKeyWhereTokensAreRequiredIsTheOperatorsProblem() {
    var authenticator = authenticator(false, "");
    assertThat(operatorFailure(authenticator, null)).isEqualTo(AuthFailure.REQUIRED);
    assertThatThrownBy(() -> authenticator.authenticateOperator("a.b.c"))
        .isInstanceOf(IllegalStateException.class);
  }
}

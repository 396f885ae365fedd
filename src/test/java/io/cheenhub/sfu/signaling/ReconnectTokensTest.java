package io.cheenhub.sfu.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.config.TurnSettings;
import org.junit.jupiter.api.Test;

/** Token bookkeeping; claiming a token of a joined membership is covered by the reconnect ITs. */
class ReconnectTokensTest {

  private final ReconnectTokens tokens = new ReconnectTokens();
  private final TurnCredentials turn = new TurnCredentials(TurnSettings.NONE);

  private Membership membership() {
    return new Membership(null, null, "join-1", tokens, turn);
  }

  @Test
  void aTokenIs128RandomBitsInUrlSafeBase64() {
    Membership membership = membership();
    String token = tokens.issue(membership);

    assertThat(token).matches("[A-Za-z0-9_-]{22}");
    assertThat(membership.reconnectToken()).isEqualTo(token);
    assertThat(tokens.issue(membership())).isNotEqualTo(token);
  }

  @Test
  void aNewTokenReplacesThePreviousOne() {
    Membership membership = membership();
    String first = tokens.issue(membership);
    String second = tokens.issue(membership);

    assertThat(second).isNotEqualTo(first);
    assertThat(membership.reconnectToken()).isEqualTo(second);
    assertThat(tokens.size()).isEqualTo(1);
  }

  @Test
  void revokeEndsTheTokenAndIsHarmlessWithoutOne() {
    Membership membership = membership();
    tokens.revoke(membership);
    tokens.issue(membership);
    tokens.revoke(membership);

    assertThat(tokens.size()).isZero();
  }

  @Test
  void unknownTokensAndMembershipsWithoutARoomAreNotClaimed() {
    Membership notInARoom = membership();
    String token = tokens.issue(notInARoom);

    assertThat(tokens.claim("no-such-token", "room-1")).isNull();
    assertThat(tokens.claim(token, "room-1")).isNull();
    // A refused claim does not use the token up.
    assertThat(tokens.size()).isEqualTo(1);
  }

  @Test
  void leavingRevokesTheToken() {
    Membership membership = membership();
    tokens.issue(membership);

    Membership.Media media = membership.markLeft();

    assertThat(membership.hasLeft()).isTrue();
    assertThat(media.publisher()).isNull();
    assertThat(media.subscription()).isNull();
    assertThat(tokens.size()).isZero();
  }
}

package io.cheenhub.sfu.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cheenhub.sfu.config.TurnSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TurnCredentialsTest {

  private static final String SECRET = "north-wind-42";
  private static final List<String> URLS =
      List.of("turn:turn.example:3478?transport=udp", "turns:turn.example:5349?transport=tcp");

  /**
   * The expected passwords come from coturn's own recipe for REST API credentials (turnserver(8),
   * "--use-auth-secret"): {@code echo -n "$username" | openssl dgst -sha1 -hmac "$secret" -binary |
   * base64}, run by hand with OpenSSL 3.0.
   */
  @Test
  void passwordIsBase64HmacSha1OfTheUsernameAsCoturnComputesIt() {
    assertThat(TurnCredentials.password(SECRET, "1700000000:p-abc"))
        .isEqualTo("XBdqO+Ed12OuVOAyeNxZYYNmrEI=");
    assertThat(TurnCredentials.password(SECRET, "1795086400:p-2f9c"))
        .isEqualTo("xkdzuV23Z8jKhLpsvyE9IYcLcwA=");
  }

  @Test
  void usernameIsTheExpiryInUnixSecondsThenTheParticipant() {
    var turn = new TurnCredentials(new TurnSettings(URLS, SECRET, Duration.ofSeconds(86_400)));

    var servers = turn.iceServers("p-abc", Instant.ofEpochSecond(1_700_000_000L));

    assertThat(servers)
        .containsExactly(
            new Message.IceServer(URLS, "1700086400:p-abc", "1rPhaQqvZMZShbL7F7kucuOJHic="));
  }

  @Test
  void noIceServersWhenNoTurnIsConfigured() {
    assertThat(new TurnCredentials(TurnSettings.NONE).iceServers("p-abc", Instant.now())).isNull();
  }

  @Test
  void settingsThatCannotWorkAreRefusedWithTheirKey() {
    assertThatThrownBy(
            () -> new TurnSettings(List.of("http://turn.example"), SECRET, Duration.ofHours(1)))
        .hasMessageContaining("sfu.turn.urls");
    assertThatThrownBy(() -> new TurnSettings(URLS, "", Duration.ofHours(1)))
        .hasMessageContaining("sfu.turn.secret");
    assertThatThrownBy(() -> new TurnSettings(URLS, SECRET, Duration.ZERO))
        .hasMessageContaining("sfu.turn.ttl-seconds");
  }
}

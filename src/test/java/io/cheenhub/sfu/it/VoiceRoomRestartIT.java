package io.cheenhub.sfu.it;

import static io.cheenhub.sfu.it.VoiceRoomAssertions.assertPassed;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 5, scenario 5 and issue 8's restart proof with a real server restart: two Chromium
 * participants talk through a Payara Micro that the driver started itself from the packaged WAR
 * (same settings as arquillian.xml). The driver stops it gracefully (SIGTERM: the server drains,
 * telling the pages to reconnect), starts it again on the same HTTP port, then kills it (SIGKILL)
 * and starts it again; each time both must hear each other within 5 s of the server being ready
 * again, without any user action. That server requires tokens, so the pages join and rejoin with a
 * signed JWT. Not an Arquillian test: the restart must keep the page's origin (host and port),
 * which the driver controls, not Arquillian.
 */
class VoiceRoomRestartIT {

  /** Three Payara Micro starts (~25 s each on the 2-core CI machine) plus the browsers. */
  private static final Duration DRIVER_TIMEOUT = Duration.ofMinutes(7);

  @Test
  void afterAGracefulAndAKilledServerRestartBothHearEachOtherWithinFiveSeconds() throws Exception {
    VoiceDriver.requireTools(false);
    Map<String, String> env = VoiceDriver.ownServerEnv("e2e-restart-logs");
    VoiceDriver.Result run =
        VoiceDriver.run(
            "-",
            "voice-restart-" + UUID.randomUUID().toString().substring(0, 8),
            "restart",
            env,
            DRIVER_TIMEOUT);

    // The driver's own server requires tokens (no sfu.auth.anonymous): every page joined, and
    // rejoined after the restart, with a signed JWT from e2e/lib/token.mjs.
    assertThat(run.json().getString("auth", "")).isEqualTo("token");
    JsonObject r = run.scenario("restart");
    assertPassed("restart", r);
    for (String how : new String[] {"drain", "kill"}) {
      JsonObject round = r.getJsonObject(how);
      System.out.printf(
          "[VoiceRoomRestartIT] %s: server start %d ms, rejoined %d ms and audio both ways %d ms"
              + " after the server was ready%n",
          how,
          round.getInt("serverStartMs"),
          round.getInt("rejoinedMs"),
          round.getInt("audioBothWaysMs"));
      assertThat(round.getInt("audioBothWaysMs"))
          .as("%s: ms from server ready to audio both ways", how)
          .isLessThanOrEqualTo(5_000);
    }
    assertThat(r.getJsonObject("drain").getJsonArray("closedWith"))
        .as("SIGTERM drains: both pages' sockets closed with 1012 (Service Restart)")
        .extracting(Object::toString)
        .containsExactly("1012", "1012");
    assertThat(r.getJsonObject("kill").getJsonArray("closedWith"))
        .as("SIGKILL: the sockets just drop")
        .extracting(Object::toString)
        .doesNotContain("1012");
    JsonArray reconnects = r.getJsonArray("reconnects");
    assertThat(reconnects.getInt(0)).isGreaterThanOrEqualTo(2);
    assertThat(reconnects.getInt(1)).isGreaterThanOrEqualTo(2);
    assertThat(run.exitCode()).isZero();
    assertThat(run.leftovers())
        .as("processes left behind by the driver (browser, Payara Micro)")
        .isEmpty();
  }
}

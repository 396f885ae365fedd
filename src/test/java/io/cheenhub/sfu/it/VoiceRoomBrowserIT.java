package io.cheenhub.sfu.it;

import static io.cheenhub.sfu.it.ServerUnderTest.metric;
import static io.cheenhub.sfu.it.VoiceRoomAssertions.assertCounts;
import static io.cheenhub.sfu.it.VoiceRoomAssertions.assertEveryoneHeardTheOthers;
import static io.cheenhub.sfu.it.VoiceRoomAssertions.assertPassed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 5's proof in real headless Chromium: people in a voice room hear each other. The driver
 * {@code e2e/voice-rooms.mjs} runs every scenario in one Chromium (one browser context per
 * participant, each sending its own pure tone) against the Arquillian-managed server; each listener
 * analyses what it actually receives per remote track (WebAudio FFT peak and level, getStats). The
 * driver runs once, on the first test; each test checks its scenario's numbers, and the server's
 * own REST and metrics.
 */
class VoiceRoomBrowserIT extends ServerIT {

  /** The seven scenarios take ~2.5 min on the 2-core CI machine; the rest is headroom. */
  private static final Duration DRIVER_TIMEOUT = Duration.ofMinutes(6);

  private static VoiceDriver.Result run;

  @BeforeEach
  void runTheScenariosOnce() throws Exception {
    VoiceDriver.requireTools(false);
    if (run != null) {
      return;
    }
    String prefix = "voice-" + UUID.randomUUID().toString().substring(0, 8);
    run =
        VoiceDriver.run(
            VoiceDriver.onLoopback(base).toString(),
            prefix,
            "two,five,latejoin,leave,reconnect,churn,quality",
            Map.of(),
            DRIVER_TIMEOUT);
    Path out = Path.of("target", "e2e-voice-rooms.json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, run.json().toString());
    // Whatever happened in the browsers, nothing may be left on the server or on the machine.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> metric(base, "sfu_transports_active", ""), v -> v.isNaN() || v == 0);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> metric(base, "sfu_participants_active", ""), v -> v.isNaN() || v == 0);
    assertThat(run.leftovers()).as("processes left behind by the driver").isEmpty();
  }

  @Test
  void twoParticipantsHearEachOtherAndNeverThemselves() {
    JsonObject two = run.scenario("two");
    assertPassed("two", two);
    assertEveryoneHeardTheOthers("two", two, 2);
  }

  @Test
  void fiveParticipantsEachHearExactlyTheFourOthers() {
    JsonObject five = run.scenario("five");
    assertPassed("five", five);
    assertEveryoneHeardTheOthers("five", five, 5);
    assertCounts(five.getJsonObject("server"), "five", 5, 10);
  }

  @Test
  void aLateJoinerHearsTheRoomAndIsHeard() {
    JsonObject late = run.scenario("latejoin");
    assertPassed("latejoin", late);
    assertEveryoneHeardTheOthers("latejoin", late, 4);
  }

  @Test
  void leavingOrClosingThePageEndsItsTracksWithinTwoSecondsAndFreesItsTransports() {
    JsonObject leave = run.scenario("leave");
    assertPassed("leave", leave);
    assertCounts(leave.getJsonObject("before"), "before leaving", 3, 6);
    for (String how : new String[] {"cleanLeave", "closedPage"}) {
      JsonObject r = leave.getJsonObject(how);
      for (JsonValue ms : r.getJsonArray("trackEndedMs")) {
        assertThat(ms).as("%s: a listener's track ended", how).isInstanceOf(JsonNumber.class);
        assertThat(((JsonNumber) ms).intValue())
            .as("%s: ms until the track ended", how)
            .isBetween(0, 2_000);
      }
    }
    assertCounts(
        leave.getJsonObject("cleanLeave").getJsonObject("server").getJsonObject("counts"),
        "after leave",
        2,
        4);
    assertCounts(
        leave.getJsonObject("closedPage").getJsonObject("server").getJsonObject("counts"),
        "after close",
        1,
        2);
  }

  @Test
  void aCutWebSocketIsHeardAgainWithinFiveSecondsAsTheSameParticipant() {
    JsonObject r = run.scenario("reconnect");
    assertPassed("reconnect", r);
    assertThat(r.getInt("audioBothWaysMs")).isLessThanOrEqualTo(5_000);
    assertThat(r.getInt("reconnects")).isGreaterThanOrEqualTo(1);
    assertThat(r.getBoolean("resumed")).as("rejoined with the reconnect token").isTrue();
    assertThat(r.getBoolean("sameParticipantId")).isTrue();
    assertThat(r.getBoolean("othersSawLeave")).as("the other saw a leave/join flicker").isFalse();
  }

  @Test
  void churnNextToStableMembersNeverInterruptsThemAndLeavesNothingBehind() {
    JsonObject churn = run.scenario("churn");
    assertPassed("churn", churn);
    assertThat(churn.getInt("cycles")).isEqualTo(20);
    assertThat(churn.getJsonObject("concealment").values())
        .as("concealed/total per stable track during churn")
        .hasSize(6)
        .allSatisfy(v -> assertThat(((JsonNumber) v).doubleValue()).isLessThan(0.05));
    assertCounts(churn.getJsonObject("serverAfter").getJsonObject("counts"), "after churn", 3, 6);
  }

  @Test
  void fiveParticipantsFor20SecondsConcealLessThanOnePercentOnEveryTrack() {
    JsonObject q = run.scenario("quality");
    assertPassed("quality", q);
    JsonObject tracks = q.getJsonObject("tracks");
    assertThat(tracks.keySet()).hasSize(20);
    for (String t : tracks.keySet()) {
      JsonObject d = tracks.getJsonObject(t);
      assertThat(d.getInt("packets")).as("%s: packets in 20 s", t).isGreaterThan(500);
      assertThat(d.getJsonNumber("concealedRatio").doubleValue())
          .as("%s: concealed/total", t)
          .isLessThan(0.01);
    }
    assertThat(q.get("jitterMs")).as("received jitter recorded").isInstanceOf(JsonObject.class);
    assertThat(q.get("rttMs")).as("round-trip time recorded").isInstanceOf(JsonObject.class);
  }
}

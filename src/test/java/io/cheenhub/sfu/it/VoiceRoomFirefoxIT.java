package io.cheenhub.sfu.it;

import static io.cheenhub.sfu.it.ServerUnderTest.metric;
import static io.cheenhub.sfu.it.VoiceRoomAssertions.assertEveryoneHeardTheOthers;
import static io.cheenhub.sfu.it.VoiceRoomAssertions.assertPassed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 5's scenarios 1 and 2 with Firefox ESR in the room: one Firefox participant (puppeteer-core
 * over WebDriver BiDi; its microphone is a PulseAudio null-sink monitor playing a 750 Hz WAV, see
 * {@code e2e/lib/pulse.mjs}) with one, then four Chromium participants; everyone hears everyone.
 */
class VoiceRoomFirefoxIT extends ServerIT {

  private static final Duration DRIVER_TIMEOUT = Duration.ofMinutes(4);

  @Test
  void firefoxAndChromiumHearEachOtherInRoomsOfTwoAndFive() throws Exception {
    VoiceDriver.requireTools(true);
    String prefix = "voice-ff-" + UUID.randomUUID().toString().substring(0, 8);
    VoiceDriver.Result run =
        VoiceDriver.run(
            VoiceDriver.onLoopback(base).toString(),
            prefix,
            "mixed-two,mixed-five",
            Map.of(),
            DRIVER_TIMEOUT);
    assertThat(run.json().getString("firefoxVersion", "")).startsWith("firefox/");

    JsonObject two = run.scenario("mixed-two");
    assertPassed("mixed-two", two);
    assertEveryoneHeardTheOthers("mixed-two", two, 2);
    JsonObject five = run.scenario("mixed-five");
    assertPassed("mixed-five", five);
    assertEveryoneHeardTheOthers("mixed-five", five, 5);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> metric(base, "sfu_transports_active", ""), v -> v.isNaN() || v == 0);
    assertThat(run.leftovers()).as("processes left behind by the driver").isEmpty();
  }
}

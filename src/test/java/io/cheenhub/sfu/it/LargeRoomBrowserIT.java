package io.cheenhub.sfu.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 in real browsers: a large room on speaker slots. {@code e2e/large-room.mjs} starts its
 * own Payara Micro with the IT server's settings (room limit raised to 40) and fills one room with
 * 6 Chromium pages, 1 Firefox ESR page and 23 silent werift bots; two pages speak at a time (each
 * its own speech-like tone) and one is replaced 20 times while bots leave and join. Every page must
 * hear each current speaker on the slot {@code activeSpeakers} names, get no re-offer after the
 * room settled on slots, conceal under 1 % and never lose more than 6 dB of a speaker's tone in a
 * 100 ms window. Every check is asserted here; see the driver for how each is measured. Not an
 * Arquillian test: the Arquillian server's room limit is 20.
 */
class LargeRoomBrowserIT {

  /** A Payara Micro start, 7 pages and 23 bots joining, and about 2 minutes of speaker changes. */
  private static final Duration DRIVER_TIMEOUT = Duration.ofMinutes(12);

  /**
   * Cores the run needs: 7 browser pages, Payara Micro and 23 bots want about 190–210 % of a core
   * (measured on the 2-core machine, see e2e/README.md), so on 2 cores the pages starve and conceal
   * whatever the server does. {@code -Dsfu.it.large-room=true} runs it anyway.
   */
  static final int CORES_NEEDED = 4;

  @Test
  void pagesHearTheSpeakersInTheirSlotsWithoutReOffersOrGlitches() throws Exception {
    Assumptions.assumeTrue(
        Runtime.getRuntime().availableProcessors() >= CORES_NEEDED
            || Boolean.getBoolean("sfu.it.large-room"),
        "30 participants with 7 browser pages need "
            + CORES_NEEDED
            + " cores; this machine has "
            + Runtime.getRuntime().availableProcessors()
            + " (-Dsfu.it.large-room=true runs it anyway)");
    VoiceDriver.requireTools(true);
    Map<String, String> env = VoiceDriver.ownServerEnv("e2e-large-room-logs");
    VoiceDriver.Result run =
        VoiceDriver.run(
            "large-room.mjs",
            "-",
            "large-" + UUID.randomUUID().toString().substring(0, 8),
            "",
            env,
            DRIVER_TIMEOUT);
    Path out = Path.of("target", "e2e-large-room.json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, run.json().toString());

    var soft = new SoftAssertions();
    JsonObject setup = run.json().getJsonObject("setup");
    soft.assertThat(setup).as("the driver reported its set-up: %s", run.json()).isNotNull();
    if (setup != null) {
      soft.assertThat(setup.getInt("chromiumPages")).isEqualTo(6);
      soft.assertThat(setup.getInt("firefoxPages")).isEqualTo(1);
      soft.assertThat(setup.getInt("bots")).isEqualTo(23);
      soft.assertThat(setup.getInt("changes")).isEqualTo(20);
    }
    soft.assertThat(run.json().getString("firefoxVersion", "")).startsWith("firefox/");
    if (run.json().containsKey("checks")) {
      // 3 room checks (re-offers at pages and bots, mute) + 3 per page.
      soft.assertThat(run.json().getJsonArray("checks")).as("checks run").hasSize(3 + 3 * 7);
      for (JsonValue value : run.json().getJsonArray("checks")) {
        JsonObject check = value.asJsonObject();
        soft.assertThat(check.getBoolean("ok"))
            .as("%s: %s", check.getString("name"), check)
            .isTrue();
      }
    } else {
      soft.fail("the driver ran no checks: %s", run.json().getString("error", ""));
    }
    soft.assertThat(run.exitCode()).isZero();
    soft.assertThat(run.leftovers())
        .as("processes left behind by the driver (browsers, Payara Micro, PulseAudio)")
        .isEmpty();
    soft.assertAll();
    assertThat(run.json().getBoolean("ok")).isTrue();
  }
}

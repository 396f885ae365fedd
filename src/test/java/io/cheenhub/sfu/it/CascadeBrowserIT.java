package io.cheenhub.sfu.it;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's cascade with real media (e2e/cascade.mjs): one room spanning two Payara Micro
 * instances of a Data Grid cluster ({@code sfu.cluster.cascade=true}). A Chromium page joins on n0,
 * another on n1 (served there, not redirected), three silent werift bots on each. Both pages must
 * see all eight participants, hear each other on the speaker slot {@code activeSpeakers} names, the
 * bots must receive the page of the other instance, and each instance's relay must carry only the
 * selected speakers (more than 40 and at most 165 packets/s, where all four publishers of a side
 * would be 200). A bot's leave and join on n1 reach both pages without a new offer; Bob's leave
 * reaches Ada. ClusterIT covers the signaling; this one proves the audio crosses.
 */
class CascadeBrowserIT {

  /** Two starts of 15-40 s each on 2 cores, a browser, 7 bots and a 10 s measurement. */
  private static final Duration DRIVER_TIMEOUT = Duration.ofMinutes(6);

  @Test
  void aRoomSpanningTwoInstancesCarriesTheSelectedSpeakersBothWays() throws Exception {
    VoiceDriver.requireTools(false);
    Map<String, String> env = VoiceDriver.ownServerEnv("e2e-cascade-logs");
    VoiceDriver.Result run =
        VoiceDriver.run(
            "cascade.mjs",
            "-",
            "cascade-" + UUID.randomUUID().toString().substring(0, 8),
            "",
            env,
            DRIVER_TIMEOUT);
    JsonObject json = run.json();

    print(json);
    var soft = new SoftAssertions();
    var checks =
        json.containsKey("checks") ? json.getJsonArray("checks") : JsonValue.EMPTY_JSON_ARRAY;
    for (JsonValue value : checks) {
      JsonObject check = value.asJsonObject();
      soft.assertThat(check.getBoolean("ok"))
          .as("%s: %s", check.getString("name"), check.get("value"))
          .isTrue();
    }
    soft.assertThat(json.getBoolean("ok")).as("driver: %s", json.getString("error", "")).isTrue();
    soft.assertThat(run.exitCode()).as("driver's exit code").isZero();
    soft.assertThat(run.leftovers())
        .as("processes left behind by the driver (browser, Payara Micro)")
        .isEmpty();
    soft.assertAll();
  }

  /** The numbers: the relay rates, what each page heard on which slot, the bots' slot rates. */
  private static void print(JsonObject json) {
    JsonObject relay = json.getJsonObject("relay");
    if (relay != null) {
      relay.forEach(
          (instance, value) -> {
            JsonObject r = value.asJsonObject();
            System.out.printf(
                "[cascade] %s relay: %s packets/s sent, %s packets/s received, receive thread %s µs"
                    + " CPU per relay packet (receive, decrypt, fan-out here)%n",
                instance,
                r.get("sentPerSecond"),
                r.get("receivedPerSecond"),
                r.get("receiveMicrosPerPacket"));
          });
    }
    JsonObject pages = json.getJsonObject("pages");
    if (pages != null) {
      pages.forEach(
          (name, value) -> {
            JsonObject p = value.asJsonObject();
            System.out.printf(
                "[cascade] %s hears the other page at %s dBFS on the slot activeSpeakers names"
                    + " (%s of the windows named one: %s), own tone at most %s dBFS%n",
                name,
                p.get("otherOnNamedDb"),
                p.get("namedShare"),
                p.get("namedSlots"),
                p.get("ownMaxDb"));
          });
    }
    JsonObject bots = json.getJsonObject("bots");
    if (bots != null) {
      bots.forEach(
          (name, value) -> {
            JsonObject b = value.asJsonObject();
            System.out.printf(
                "[cascade] %s (%s) receives %s on slot %s; packets/s per stream %s%n",
                name, b.get("instance"), b.get("remote"), b.get("slot"), b.get("packetsPerSecond"));
          });
    }
  }
}

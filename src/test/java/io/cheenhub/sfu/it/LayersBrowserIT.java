package io.cheenhub.sfu.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 in real Chromium: audio layers chosen per listener. {@code e2e/layers.mjs} starts its
 * own Payara Micro with a fixed media port that advertises itself and the user-space impairment
 * relay (RelayMain from cheenhub-loadgen.jar) as two candidates; Ada and Bob publish layers and
 * reach the server directly, Cleo (the client without layers) only through the relay, whose
 * downlink is capped at 48 kbit/s. The driver checks suspension (a publisher sends one stream while
 * every link is clear), the capped listener's layers and hearing next to the others' h and
 * unchanged quality, how fast a requested layer starts, and ten forced switches measured in 100 ms
 * windows. Every check is asserted here; see the driver for how each is measured. Not an Arquillian
 * test: the server's media port and advertised addresses depend on the relay's port.
 */
class LayersBrowserIT {

  /**
   * One Payara Micro start (~25 s on CI, up to 2 min seen on a loaded 2-core box) and ~1 min of
   * scenarios.
   */
  private static final Duration DRIVER_TIMEOUT = Duration.ofMinutes(6);

  private static final List<String> SCENARIOS = List.of("suspension", "capped", "switches");

  @Test
  void listenersGetTheLayerTheirLinkCarriesAndSwitchesAreGlitchFree() throws Exception {
    VoiceDriver.requireTools(false);
    Map<String, String> env = VoiceDriver.ownServerEnv("e2e-layers-logs");
    env.put(
        "E2E_LOADGEN_JAR",
        absolute(System.getProperty("loadgen.jar", "target/cheenhub-loadgen.jar")));
    VoiceDriver.Result run =
        VoiceDriver.run(
            "layers.mjs",
            "-",
            "layers-" + UUID.randomUUID().toString().substring(0, 8),
            String.join(",", SCENARIOS),
            env,
            DRIVER_TIMEOUT);
    Path out = Path.of("target", "e2e-layers.json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, run.json().toString());

    var soft = new SoftAssertions();
    for (String name : SCENARIOS) {
      JsonObject scenario = run.scenario(name);
      soft.assertThat(scenario.getBoolean("ok", false))
          .as("%s passed: %s", name, scenario.getString("error", ""))
          .isTrue();
      if (!scenario.containsKey("checks")) {
        continue;
      }
      for (JsonValue value : scenario.getJsonArray("checks")) {
        JsonObject check = value.asJsonObject();
        soft.assertThat(check.getBoolean("ok"))
            .as("%s: %s: %s", name, check.getString("name"), check)
            .isTrue();
      }
    }
    // The cap was really applied: the relay dropped part of what the server sent Cleo.
    JsonObject down = run.scenario("capped").getJsonObject("relay").getJsonObject("down");
    soft.assertThat(down.getInt("droppedQueue"))
        .as("relay drops at the 48 kbit/s cap")
        .isPositive();
    soft.assertThat(run.exitCode()).isZero();
    soft.assertThat(run.leftovers())
        .as("processes left behind by the driver (browser, Payara Micro, relay)")
        .isEmpty();
    soft.assertAll();
    assertThat(run.json().getBoolean("ok")).isTrue();
  }

  private static String absolute(String path) {
    return Path.of(path).toAbsolutePath().toString();
  }
}

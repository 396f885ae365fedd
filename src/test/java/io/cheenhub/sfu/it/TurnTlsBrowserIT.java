package io.cheenhub.sfu.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 in real Chromium against a real coturn: {@code e2e/turn.mjs} makes the documented local
 * certificate, starts coturn with a random TURN REST API secret and its own Payara Micro over
 * HTTPS/WSS with {@code sfu.turn.*} pointing at coturn. A participant forced to relay (TURN/UDP,
 * then TURN/TLS) and a direct one hear each other; the self-test page passes every check. Not an
 * Arquillian test: the server needs the HTTPS listener and coturn's ports.
 */
class TurnTlsBrowserIT {

  /**
   * One Payara Micro start (~25 s on CI, 170 s seen on a loaded 2-core box), ~60 s of scenarios.
   */
  private static final Duration DRIVER_TIMEOUT = Duration.ofMinutes(7);

  private static final List<String> SCENARIOS = List.of("relay-udp", "relay-tls", "selftest");

  @Test
  void relayedParticipantIsHeardOverHttpsAndTheSelfTestPasses() throws Exception {
    VoiceDriver.requireTools(false);
    for (String command : List.of("turnserver", "keytool", "openssl")) {
      if (!VoiceDriver.onPath(command)) {
        String reason = "the TURN/TLS browser test needs " + command;
        if (System.getenv("CI") != null) {
          fail(reason);
        }
        Assumptions.abort(reason);
      }
    }
    Map<String, String> env = VoiceDriver.ownServerEnv("e2e-turn-logs");
    VoiceDriver.Result run =
        VoiceDriver.run(
            "turn.mjs",
            "-",
            "turn-" + UUID.randomUUID().toString().substring(0, 8),
            String.join(",", SCENARIOS),
            env,
            DRIVER_TIMEOUT);

    var soft = new SoftAssertions();
    for (String name : SCENARIOS) {
      JsonObject scenario = run.scenario(name);
      soft.assertThat(scenario.getBoolean("ok", false))
          .as("%s passed: %s", name, scenario.getString("error", ""))
          .isTrue();
    }
    for (String name : List.of("relay-udp", "relay-tls")) {
      JsonObject scenario = run.scenario(name);
      if (!scenario.containsKey("pairs")) {
        continue;
      }
      String protocol = name.equals("relay-udp") ? "udp" : "tls";
      JsonObject ada = scenario.getJsonObject("pairs").getJsonObject("Ada");
      for (String pc : List.of("publish", "subscribe")) {
        JsonObject local = ada.getJsonObject(pc).getJsonObject("local");
        soft.assertThat(local.getString("type"))
            .as("%s: Ada's %s pair", name, pc)
            .isEqualTo("relay");
        soft.assertThat(local.getString("relayProtocol"))
            .as("%s: Ada's %s relay protocol", name, pc)
            .isEqualTo(protocol);
      }
      soft.assertThat(scenario.getString("pageProtocol")).isEqualTo("https:");
    }
    JsonObject selftest = run.scenario("selftest");
    if (selftest.containsKey("checks")) {
      for (JsonValue check : selftest.getJsonArray("checks")) {
        soft.assertThat(check.asJsonObject().getString("status"))
            .as("self-test %s: %s", check.asJsonObject().getString("id"), check)
            .isEqualTo("pass");
      }
    }
    soft.assertThat(run.exitCode()).isZero();
    soft.assertThat(run.leftovers())
        .as("processes left behind by the driver (browser, Payara Micro, coturn)")
        .isEmpty();
    soft.assertAll();
    assertThat(run.json().getBoolean("ok")).isTrue();
  }
}

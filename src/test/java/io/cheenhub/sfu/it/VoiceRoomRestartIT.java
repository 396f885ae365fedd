package io.cheenhub.sfu.it;

import static io.cheenhub.sfu.it.VoiceRoomAssertions.assertPassed;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 5, scenario 5 with a real server restart: two Chromium participants talk through a Payara
 * Micro that the driver started itself from the packaged WAR (same settings as arquillian.xml); the
 * driver kills it (SIGKILL), starts it again on the same HTTP port, and both must hear each other
 * within 5 s of the server being ready again, without any user action; that server requires tokens,
 * so the pages join and rejoin with a signed JWT. Not an Arquillian test: the restart must keep the
 * page's origin (host and port), which the driver controls, not Arquillian.
 */
class VoiceRoomRestartIT {

  /** Two Payara Micro starts (~25 s each on the 2-core CI machine) plus the browsers. */
  private static final Duration DRIVER_TIMEOUT = Duration.ofMinutes(5);

  @Test
  void afterAServerRestartBothHearEachOtherWithinFiveSeconds() throws Exception {
    VoiceDriver.requireTools(false);
    Map<String, String> env = new HashMap<>();
    // The driver's Payara Micro logs stay under target/ for a failed run.
    env.put("E2E_LOG_DIR", Path.of("target", "e2e-restart-logs").toAbsolutePath().toString());
    env.put(
        "E2E_WAR",
        Path.of(System.getProperty("sfu.war", "target/cheenhub-sfu.war"))
            .toAbsolutePath()
            .toString());
    String jar = System.getProperty("payara.microJar");
    if (jar != null && Files.isRegularFile(Path.of(jar))) {
      env.put("E2E_MICRO_JAR", jar);
    }
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
    assertThat(r.getInt("audioBothWaysMs"))
        .as("ms from server ready to audio both ways")
        .isLessThanOrEqualTo(5_000);
    JsonArray reconnects = r.getJsonArray("reconnects");
    assertThat(reconnects.getInt(0)).isGreaterThanOrEqualTo(1);
    assertThat(reconnects.getInt(1)).isGreaterThanOrEqualTo(1);
    assertThat(run.exitCode()).isZero();
    assertThat(run.leftovers())
        .as("processes left behind by the driver (browser, Payara Micro)")
        .isEmpty();
  }
}

package io.cheenhub.sfu.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.File;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The load generator's smoke run (issue 6), as its users run it: {@code java -jar
 * target/cheenhub-loadgen.jar} against the deployed WAR, 10 bots that all talk for 10 s, and its
 * JSON result. Correctness only, no timing: every bot connected, every bot heard every other talker
 * and never itself, nothing lost or duplicated on loopback, and the server holds no transport once
 * they left.
 */
class LoadGeneratorIT extends ServerIT {

  @Test
  void tenBotsHearEachOtherWithoutLossAndLeaveNothingBehind() throws Exception {
    Path json = Files.createTempFile(Path.of("target"), "loadgen-smoke", ".json");
    Path log = Path.of("target", "loadgen-smoke.log");
    Process generator =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar",
                    System.getProperty("loadgen.jar", "target/cheenhub-loadgen.jar"),
                    "--server",
                    base.toString(),
                    "--participants",
                    "10",
                    "--talkers",
                    "10",
                    "--duration",
                    "10",
                    "--json",
                    json.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean ended = generator.waitFor(3, TimeUnit.MINUTES);
    if (!ended) {
      generator.destroyForcibly();
    }
    String output = Files.readString(log);
    System.out.println(output);
    assertThat(ended).as("load generator finished within 3 minutes").isTrue();
    assertThat(generator.exitValue()).as("exit status; output:%n%s", output).isZero();

    JsonObject result = Json.createReader(new StringReader(Files.readString(json))).readObject();
    assertThat(result.getInt("connected")).isEqualTo(10);
    assertThat(result.getInt("failed")).isZero();
    // Ten talkers: each bot hears the nine others, every one of them.
    assertThat(result.getJsonNumber("streams").longValue()).isEqualTo(90);
    assertThat(result.getJsonNumber("streamsMissing").longValue()).isZero();
    assertThat(result.getJsonNumber("echoes").longValue())
        .as("bots that heard themselves")
        .isZero();
    assertThat(result.getJsonNumber("lost").longValue()).as("packets lost on loopback").isZero();
    assertThat(result.getJsonNumber("duplicates").longValue()).isZero();
    assertThat(result.getJsonNumber("decryptFailures").longValue()).isZero();
    assertThat(result.getJsonNumber("packetsForwarded").longValue())
        .as("server forwarded packets in the window")
        .isPositive();
    assertThat(result.getJsonNumber("packetsReceived").longValue()).isPositive();
    assertThat(result.getJsonNumber("transportsLeftAfterLeave").longValue())
        .as("server transports left once every bot left")
        .isZero();
    new File(json.toString()).deleteOnExit();
  }
}

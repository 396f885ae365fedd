package io.cheenhub.sfu.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The load generator's smoke runs (issue 6, issue 15), as its users run it: {@code java -jar
 * target/cheenhub-loadgen.jar} against the deployed WAR, 8 bots that all talk for 10 s (the largest
 * room that stays off speaker slots at the default threshold; LargeRoomLoadIT has one on slots) and
 * 6 bots, 3 of them publishing audio layers, and its JSON result. Correctness only, no timing:
 * every bot connected, every bot heard every other talker and never itself, nothing lost or
 * duplicated on loopback, and the server holds no transport once they left.
 */
class LoadGeneratorIT extends ServerIT {

  @Test
  void eightBotsHearEachOtherWithoutLossAndLeaveNothingBehind() throws Exception {
    JsonObject result =
        run("loadgen-smoke", "--participants", "8", "--talkers", "8", "--duration", "10");
    assertThat(result.getInt("connected")).isEqualTo(8);
    assertThat(result.getInt("failed")).isZero();
    // Eight talkers: each bot hears the seven others, every one of them, no slots.
    assertThat(result.getJsonNumber("streams").longValue()).isEqualTo(56);
    assertThat(result.getJsonObject("slots").getJsonNumber("bots").longValue()).isZero();
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
  }

  /**
   * Issue 15: with {@code --layers} talkers publish h, m and l (RFC 8853), the server asks each for
   * h only while every listener's link is clean, and the receiver reports every listener sends
   * change nothing: all streams arrive on h, without loss, one SSRC each.
   */
  @Test
  void layeredBotsAreSentTheHighLayerOnACleanLink() throws Exception {
    JsonObject result =
        run(
            "loadgen-layers",
            "--participants",
            "6",
            "--talkers",
            "3",
            "--duration",
            "10",
            "--layers",
            "--receiver-reports",
            "1000");
    assertThat(result.getInt("connected")).isEqualTo(6);
    assertThat(result.getInt("failed")).isZero();
    // Three talkers: each hears the two others, each listener all three.
    assertThat(result.getJsonNumber("streams").longValue()).isEqualTo(15);
    assertThat(result.getJsonNumber("streamsMissing").longValue()).isZero();
    assertThat(result.getJsonNumber("lost").longValue()).as("packets lost on loopback").isZero();
    assertThat(result.getJsonNumber("duplicates").longValue()).isZero();
    JsonObject layers = result.getJsonObject("layers");
    assertThat(layers.getJsonArray("streamsEndingOn").toString()).isEqualTo("[15,0,0]");
    assertThat(layers.getJsonArray("packets").getJsonNumber(1).longValue()).isZero();
    assertThat(layers.getJsonArray("packets").getJsonNumber(2).longValue()).isZero();
    // h is 64 kbit/s: 160-byte payloads on average (DTX frames pull the mean down a little).
    assertThat(layers.getJsonArray("meanPayloadBytes").getJsonNumber(0).doubleValue())
        .isBetween(120.0, 170.0);
    assertThat(layers.getJsonNumber("layerChanges").longValue()).isZero();
    assertThat(layers.getJsonNumber("ssrcChanges").longValue()).isZero();
    assertThat(result.getJsonNumber("transportsLeftAfterLeave").longValue()).isZero();
  }

  /** Runs {@code java -jar cheenhub-loadgen.jar --server <base> args…} and reads its JSON. */
  private JsonObject run(String name, String... args) throws Exception {
    Path json = Files.createTempFile(Path.of("target"), name, ".json");
    Path log = Path.of("target", name + ".log");
    var command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                System.getProperty("loadgen.jar", "target/cheenhub-loadgen.jar"),
                "--server",
                base.toString(),
                "--json",
                json.toString()));
    command.addAll(List.of(args));
    Process generator =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean ended = generator.waitFor(3, TimeUnit.MINUTES);
    if (!ended) {
      generator.destroyForcibly();
    }
    String output = Files.readString(log);
    System.out.println(output);
    assertThat(ended).as("load generator finished within 3 minutes").isTrue();
    assertThat(generator.exitValue()).as("exit status; output:%n%s", output).isZero();
    try {
      return Json.createReader(new StringReader(Files.readString(json))).readObject();
    } finally {
      Files.deleteIfExists(json);
    }
  }
}

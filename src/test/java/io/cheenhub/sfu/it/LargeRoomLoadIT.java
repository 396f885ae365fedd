package io.cheenhub.sfu.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's CI smoke of a large room, as the load generator's users run it: 40 bots in one room on
 * a server of its own (threshold 8, 3 speaker slots, rooms of up to 40), 3 of them talking. The
 * room moves to slots while it fills; then every listener hears every talker on its slots, nothing
 * lost in the window, and no join after the switch costs anybody a re-offer. Correctness only, no
 * rates or timings: it must hold on a loaded two-core CI machine.
 */
class LargeRoomLoadIT {

  private static final int BOTS = 40;
  private static final int TALKERS = 3;

  private static PayaraProcess server;

  @BeforeAll
  static void startServer() throws Exception {
    server =
        PayaraProcess.start(
            "large-room-it",
            List.of(
                "-Dsfu.room.max-participants=" + BOTS,
                "-Dsfu.room.slot-threshold=8",
                "-Dsfu.room.speaker-slots=3",
                "-Dsfu.auth.anonymous=true"));
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void fortyBotsOnSpeakerSlotsHearEveryTalkerWithoutReOffers() throws Exception {
    Path json = Files.createTempFile(Path.of("target"), "large-room", ".json");
    Path log = Path.of("target", "large-room-loadgen.log");
    Process generator =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar",
                    System.getProperty("loadgen.jar", "target/cheenhub-loadgen.jar"),
                    "--server",
                    server.base().toString(),
                    "--participants",
                    Integer.toString(BOTS),
                    "--talkers",
                    Integer.toString(TALKERS),
                    "--duration",
                    "10",
                    "--json",
                    json.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean ended = generator.waitFor(4, TimeUnit.MINUTES);
    if (!ended) {
      generator.destroyForcibly();
    }
    String output = Files.readString(log);
    System.out.println(output);
    assertThat(ended).as("load generator finished within 4 minutes").isTrue();
    assertThat(generator.exitValue()).as("exit status; output:%n%s", output).isZero();
    JsonObject result = Json.createReader(new StringReader(Files.readString(json))).readObject();
    Files.deleteIfExists(json);

    assertThat(result.getInt("connected")).isEqualTo(BOTS);
    assertThat(result.getInt("failed")).isZero();
    JsonObject slots = result.getJsonObject("slots");
    assertThat(slots.getJsonNumber("bots").longValue())
        .as("bots told of speaker slots (the room went past 8)")
        .isEqualTo(BOTS);
    assertThat(slots.getJsonNumber("offersAfterSlots").longValue())
        .as("consumeOffers after a bot's subscription had only slots (joins must cost none)")
        .isZero();
    assertThat(slots.getJsonNumber("streamsSlotDropped").longValue())
        .as("talkers that lost a slot: 3 talkers fit in 3 slots")
        .isZero();
    // Each listener hears the three talkers, each talker the two others: all on slots.
    long listeners = BOTS - TALKERS;
    assertThat(result.getJsonNumber("streams").longValue())
        .isEqualTo(listeners * TALKERS + TALKERS * (TALKERS - 1));
    assertThat(result.getJsonNumber("streamsMissing").longValue()).isZero();
    assertThat(result.getJsonNumber("lost").longValue())
        .as("packets of slot holders lost in the window on loopback")
        .isZero();
    assertThat(result.getJsonNumber("echoes").longValue())
        .as("bots that heard themselves")
        .isZero();
    assertThat(result.getJsonNumber("decryptFailures").longValue()).isZero();
    assertThat(result.getJsonNumber("transportsLeftAfterLeave").longValue())
        .as("server transports left once every bot left")
        .isZero();
  }
}

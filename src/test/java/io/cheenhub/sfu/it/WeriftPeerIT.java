package io.cheenhub.sfu.it;

import static io.cheenhub.sfu.it.ServerUnderTest.metric;
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
import org.junit.jupiter.api.Test;

/**
 * Issue 14's third WebRTC stack: a werift (pure TypeScript) publisher is heard by a Chromium page
 * and a werift subscriber, with every packet accounted for. The driver {@code e2e/werift.mjs} runs
 * against the Arquillian-managed server; this test checks its numbers: what werift sent, what the
 * server decrypted and dropped by reason, every datagram of the publish transport, and what each
 * listener received against what the server sent it.
 */
class WeriftPeerIT extends ServerIT {

  /** ~10 s of tone plus a Chromium start; the rest is headroom for the 2-core CI machine. */
  private static final Duration DRIVER_TIMEOUT = Duration.ofMinutes(3);

  /** The driver's tone (e2e/werift.mjs WERIFT_HZ) and the issue-5 tolerance. */
  private static final double WERIFT_HZ = 850;

  private static final double HZ_TOLERANCE = 10;

  @Test
  void weriftIsHeardAndEveryPacketIsAccountedFor() throws Exception {
    VoiceDriver.requireTools(false);
    String room = "werift-" + UUID.randomUUID().toString().substring(0, 8);
    VoiceDriver.Result run =
        VoiceDriver.run(
            "werift.mjs",
            VoiceDriver.onLoopback(base).toString(),
            room,
            "",
            Map.of("E2E_WERIFT_SECONDS", "10"),
            DRIVER_TIMEOUT);
    Path out = Path.of("target", "e2e-werift.json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, run.json().toString());

    JsonObject json = run.json();
    assertThat(run.exitCode()).as("driver exit code; output %s", json).isZero();
    assertThat(json.getBoolean("ok")).as("%s", json).isTrue();
    assertThat(json.getJsonObject("anchorAnswer").getBoolean("accepted"))
        .as("werift's answer to the anchor-only offer")
        .isTrue();

    JsonObject heard = json.getJsonArray("chromiumHeard").getJsonObject(0);
    assertThat(heard.getString("from")).isEqualTo("werift");
    assertThat(heard.getJsonNumber("peakHz").doubleValue())
        .isCloseTo(WERIFT_HZ, org.assertj.core.data.Offset.offset(HZ_TOLERANCE));

    JsonObject accounting = json.getJsonObject("accounting");
    long sent = accounting.getJsonObject("publisher").getJsonNumber("sent").longValue();
    JsonObject server = accounting.getJsonObject("server");
    JsonObject publish = server.getJsonObject("publish");
    long dropped =
        publish.getJsonObject("drops").values().stream()
            .mapToLong(v -> ((JsonNumber) v).longValue())
            .sum();
    long decrypted = publish.getJsonNumber("opusDecrypted").longValue();
    assertThat(sent).as("packets werift sent in 10 s").isGreaterThanOrEqualTo(450);
    assertThat(decrypted).as("decrypted = sent - counted drops").isEqualTo(sent - dropped);
    assertThat(publish.getJsonNumber("datagramsReceived").longValue())
        .as("every datagram of the publish transport is used or dropped by reason")
        .isEqualTo(
            publish.getJsonNumber("rtpPacketsDecrypted").longValue()
                + publish.getJsonNumber("rtcpPacketsDecrypted").longValue()
                + publish.getJsonNumber("dtlsDatagramsReceived").longValue()
                + dropped);

    JsonObject listener = accounting.getJsonObject("listener");
    assertThat(listener).as("werift listener stream").isNotNull();
    assertThat(listener.getJsonNumber("packets").longValue())
        .as("werift listener received what the server sent it")
        .isEqualTo(server.getJsonNumber("sentToListener").longValue())
        .isPositive();
    assertThat(listener.getJsonNumber("distinct").longValue())
        .isEqualTo(listener.getJsonNumber("packets").longValue());
    JsonObject chromium = accounting.getJsonObject("chromium");
    assertThat(chromium.getJsonNumber("packetsReceived").longValue())
        .as("Chromium received what the server sent it")
        .isEqualTo(server.getJsonNumber("sentToChromium").longValue())
        .isPositive();
    assertThat(server.get("sentToListener")).isNotEqualTo(JsonValue.NULL);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> metric(base, "sfu_transports_active", ""), v -> v.isNaN() || v == 0);
    assertThat(run.leftovers()).as("processes left behind by the driver").isEmpty();
  }
}

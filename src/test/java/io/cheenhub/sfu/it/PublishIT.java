package io.cheenhub.sfu.it;

import static io.cheenhub.sfu.it.ServerUnderTest.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cheenhub.sfu.sdp.Attribute;
import io.cheenhub.sfu.sdp.MediaDescription;
import io.cheenhub.sfu.sdp.SdpParser;
import io.cheenhub.sfu.sdp.SessionDescription;
import io.cheenhub.sfu.transport.TestPeer;
import io.cheenhub.sfu.transport.dtls.Fingerprint;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome;
import io.cheenhub.sfu.transport.srtp.SrtpProfile;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Publishing against the deployed WAR: the Java test peer (ICE controlling, DTLS client, SRTP)
 * sends a real offer over signaling, connects to the server's UDP port with the answer, and the
 * server decrypts what it sends. Hostile SDPs get their error codes.
 */
class PublishIT extends ServerIT {

  private static String quoted(String text) {
    return Json.createValue(text).toString();
  }

  @Test
  void theJavaPeerPublishesOpusThatTheServerDecrypts() throws Exception {
    WsClient client = joined("publish", "Peer");
    var peer =
        new TestPeer(List.of(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES128_CM_HMAC_SHA1_80));
    closeAfterTest(peer);

    client.send(
        "{\"type\":\"publishOffer\",\"requestId\":\"o1\",\"sdp\":"
            + quoted(peer.publishOffer())
            + "}");
    JsonObject reply = client.next("publishAnswer");
    assertThat(reply.getString("requestId")).isEqualTo("o1");
    assertThat(reply.getString("roomId")).isEqualTo("publish");

    SessionDescription answer = SdpParser.parse(reply.getString("sdp"));
    MediaDescription audio = answer.media().get(0);
    assertThat(answer.bundleGroup().orElseThrow().mids()).containsExactly("0");
    assertThat(answer.effective(audio, Attribute.Setup.class)).contains(Attribute.Setup.PASSIVE);
    assertThat(answer.direction(audio)).isEqualTo(Attribute.Direction.RECVONLY);
    assertThat(audio.rtpmap(111).orElseThrow().encodingName()).isEqualToIgnoringCase("opus");
    Attribute.Candidate candidate = audio.candidates().get(0);
    assertThat(candidate.address()).isEqualTo("127.0.0.1");
    Attribute.Fingerprint fingerprint = answer.fingerprints(audio).get(0);

    HandshakeOutcome outcome =
        peer.connect(
            answer.effective(audio, Attribute.IceUfrag.class).orElseThrow().ufrag(),
            answer.effective(audio, Attribute.IcePwd.class).orElseThrow().password(),
            new Fingerprint(fingerprint.hashFunction(), fingerprint.fingerprint()),
            new InetSocketAddress(candidate.address(), candidate.port()));
    assertThat(outcome).isInstanceOf(HandshakeOutcome.Established.class);

    byte[] opus = new byte[120];
    for (int i = 0; i < 150; i++) {
      peer.sendRtp(4660, 111, i, 960L * i, opus);
      Thread.sleep(2);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonObject publish = publishOf("publish");
              assertThat(publish.getString("iceState")).isEqualTo("connected");
              assertThat(publish.getString("dtlsState")).isEqualTo("connected");
              assertThat(publish.getString("srtpProfile")).isEqualTo("AEAD_AES_128_GCM");
              assertThat(publish.getJsonNumber("rtpPacketsDecrypted").longValue()).isEqualTo(150);
              assertThat(publish.getJsonObject("payloadTypes").getJsonNumber("111").longValue())
                  .isEqualTo(150);
            });
    assertThat(metric(base, "sfu_transports_active", "")).isEqualTo(1);
    // Per-transport counters reach the metrics within the 1 s publication period.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(metric(base, "sfu_media_packets_received_total", "kind=\"rtp\""))
                    .isGreaterThanOrEqualTo(150));
    assertThat(metric(base, "sfu_dtls_handshake_seconds_count", "")).isGreaterThanOrEqualTo(1);
    assertThat(metric(base, "sfu_ice_connect_seconds_count", "")).isGreaterThanOrEqualTo(1);

    // Leaving closes the transport; nothing stays open on the server.
    client.send("{\"type\":\"leave\"}");
    client.next("left");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> metric(base, "sfu_transports_active", ""), v -> v == 0);
    assertThat(metric(base, "sfu_transports_closed_total", "reason=\"leave\""))
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void hostileOffersGetTheirCodesAndTheConnectionStaysUsable() throws Exception {
    WsClient client = joined("hostile-sdp", "Mallory");
    var peer = new TestPeer(List.of(SrtpProfile.AEAD_AES_128_GCM));
    closeAfterTest(peer);
    String good = peer.publishOffer();
    byte[] junk = new byte[3_000];
    new Random(3).nextBytes(junk);

    record Case(String sdp, String code) {}
    List<Case> cases =
        List.of(
            new Case(good.replaceAll("a=fingerprint:[^\\r]*\\r\\n", ""), "sdp-no-fingerprint"),
            new Case(good.replace("a=group:BUNDLE 0\r\n", ""), "sdp-no-bundle"),
            new Case(good.replace("m=audio", "m=video"), "sdp-no-audio"),
            new Case(good.replace("opus/48000/2", "PCMU/8000"), "sdp-no-opus"),
            new Case(
                good.replaceAll("a=ice-(ufrag|pwd):[^\\r]*\\r\\n", ""), "sdp-no-ice-credentials"),
            new Case(good.replace("a=setup:actpass", "a=setup:passive"), "sdp-bad-setup"),
            new Case(Base64.getEncoder().encodeToString(junk), "sdp-malformed"),
            new Case("v=0\r\n" + "a=x\r\n".repeat(12_000), "frame-too-large"),
            new Case("", "sdp-malformed"));
    for (Case c : cases) {
      client.send(
          "{\"type\":\"publishOffer\",\"requestId\":\"h\",\"sdp\":" + quoted(c.sdp()) + "}");
      JsonObject error = client.next("error");
      assertThat(error.getString("code")).as("offer %.60s", c.sdp()).isEqualTo(c.code());
    }
    client.send("{\"type\":\"publishIce\",\"candidate\":\"candidate:garbage\"}");
    assertThat(client.next("error").getString("code")).isEqualTo("invalid-candidate");
    client.send("{\"type\":\"publishIce\",\"candidate\":\"\"}");
    client.send("{\"type\":\"ping\",\"requestId\":\"alive\"}");
    assertThat(client.next("pong").getString("requestId")).isEqualTo("alive");
    assertThat(publishOf("hostile-sdp")).isNull();
    assertThat(metric(base, "sfu_transports_active", "")).isZero();
  }

  @Test
  void theWatchdogClosesATransportWhosePeerNeverConnects() throws Exception {
    WsClient client = joined("never", "Ghost");
    var peer = new TestPeer(List.of(SrtpProfile.AEAD_AES_128_GCM));
    closeAfterTest(peer);
    double before = counter("sfu_transports_closed_total", "reason=\"connect-timeout\"");
    double sweptBefore = counter("sfu_stale_swept_total", "kind=\"connect-timeout\"");

    client.send("{\"type\":\"publishOffer\",\"sdp\":" + quoted(peer.publishOffer()) + "}");
    client.next("publishAnswer");
    assertThat(publishOf("never").getString("iceState")).isEqualTo("checking");

    // connect timeout 8 s in arquillian.xml; the watchdog runs every second.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> counter("sfu_transports_closed_total", "reason=\"connect-timeout\""),
            v -> v >= before + 1);
    assertThat(publishOf("never").getString("iceState")).isEqualTo("closed");
    // Counted by the stale sweep, and the agent is gone from the live transports.
    assertThat(counter("sfu_stale_swept_total", "kind=\"connect-timeout\""))
        .isGreaterThanOrEqualTo(sweptBefore + 1);
    assertThat(metric(base, "sfu_transports_active", "")).isZero();
  }

  @Test
  void theWatchdogClosesATransportWhosePeerVanishes() throws Exception {
    WsClient client = joined("vanish", "Gone");
    var peer = new TestPeer(List.of(SrtpProfile.AEAD_AES_128_GCM));
    closeAfterTest(peer);
    double before = counter("sfu_transports_closed_total", "reason=\"consent-expired\"");
    client.send("{\"type\":\"publishOffer\",\"sdp\":" + quoted(peer.publishOffer()) + "}");
    SessionDescription answer = SdpParser.parse(client.next("publishAnswer").getString("sdp"));
    MediaDescription audio = answer.media().get(0);
    Attribute.Candidate candidate = audio.candidates().get(0);
    Attribute.Fingerprint fingerprint = answer.fingerprints(audio).get(0);
    peer.connect(
        answer.effective(audio, Attribute.IceUfrag.class).orElseThrow().ufrag(),
        answer.effective(audio, Attribute.IcePwd.class).orElseThrow().password(),
        new Fingerprint(fingerprint.hashFunction(), fingerprint.fingerprint()),
        new InetSocketAddress(candidate.address(), candidate.port()));
    peer.sendRtp(1, 111, 1, 960, new byte[100]);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> publishOf("vanish").getString("dtlsState").equals("connected"));

    // The network under the peer disappears: no more packets, no answers to consent checks.
    peer.vanish();

    // consent timeout 8 s in arquillian.xml; ice4j checks consent every 5 s.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> counter("sfu_transports_closed_total", "reason=\"consent-expired\""),
            v -> v >= before + 1);
    assertThat(metric(base, "sfu_transports_active", "")).isZero();
  }

  /** A counter that appears with its first event reads 0 before. */
  private double counter(String name, String labels) throws Exception {
    double value = metric(base, name, labels);
    return Double.isNaN(value) ? 0 : value;
  }

  private JsonObject publishOf(String room) throws Exception {
    String body = ServerUnderTest.get(base.resolve("api/rooms/" + room)).body();
    try (var reader = Json.createReader(new StringReader(body))) {
      JsonObject participant = reader.readObject().getJsonArray("participants").getJsonObject(0);
      return !participant.containsKey("publish") || participant.isNull("publish")
          ? null
          : participant.getJsonObject("publish");
    }
  }
}

package io.cheenhub.sfu.it;

import static io.cheenhub.sfu.it.ServerUnderTest.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cheenhub.sfu.rtp.RtpPacket;
import io.cheenhub.sfu.sdp.Attribute;
import io.cheenhub.sfu.sdp.MediaDescription;
import io.cheenhub.sfu.sdp.SdpParser;
import io.cheenhub.sfu.sdp.SessionDescription;
import io.cheenhub.sfu.transport.TestPeer;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome;
import io.cheenhub.sfu.transport.srtp.SrtpProfile;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Forwarding against the deployed WAR, with Java peers built from the project's own transport code
 * (ICE controlling, DTLS client, SRTP) on both PeerConnections of each participant: what one
 * publishes, every other participant's subscribe transport receives, re-encrypted under the SSRC
 * the server offered; nobody receives itself; renegotiation follows joins and leaves; a reconnect
 * token brings a dropped participant back without the others noticing.
 */
class SubscribeIT extends ServerIT {

  /** {@code sfu.signaling.reconnect-grace-ms} in arquillian.xml. */
  private static final Duration RECONNECT_GRACE = Duration.ofSeconds(4);

  private static final List<SrtpProfile> PROFILES =
      List.of(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES128_CM_HMAC_SHA1_80);

  private final ScheduledExecutorService talkers = Executors.newScheduledThreadPool(2);

  @AfterEach
  void stopTalking() {
    talkers.shutdownNow();
  }

  private static String quoted(String text) {
    return Json.createValue(text).toString();
  }

  /** One simulated participant: signaling, a publish peer and a subscribe peer. */
  private final class Member {
    final WsClient ws;
    final String id;
    final String token;
    final TestPeer publish;
    final TestPeer subscribe;
    final int ssrc;
    final Map<String, String> streamByMid = new HashMap<>();
    SessionDescription offer;

    Member(String room, String name, int ssrc) throws Exception {
      ws = connect();
      JsonObject joined = ws.join(room, name);
      id = joined.getString("participantId");
      token = joined.getString("reconnectToken");
      publish = closeAfterTest(new TestPeer(PROFILES));
      subscribe = closeAfterTest(new TestPeer(PROFILES));
      this.ssrc = ssrc;
    }

    /** Publishes and starts sending one Opus-sized packet every 20 ms. */
    void talk() throws Exception {
      ws.send(
          "{\"type\":\"publishOffer\",\"requestId\":\"p\",\"sdp\":"
              + quoted(publish.publishOffer())
              + "}");
      SessionDescription answer = SdpParser.parse(ws.next("publishAnswer").getString("sdp"));
      assertThat(publish.connect(answer)).isInstanceOf(HandshakeOutcome.Established.class);
      byte[] payload = id.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      int[] seq = {0};
      talkers.scheduleAtFixedRate(
          () -> {
            try {
              publish.sendRtp(ssrc, 111, seq[0], 960L * seq[0], payload);
              seq[0]++;
            } catch (Exception e) {
              // the peer closed at the end of the test
            }
          },
          0,
          20,
          TimeUnit.MILLISECONDS);
    }

    /** Reads trackAdded/trackRemoved until the next consumeOffer, which it answers. */
    List<JsonObject> answerNextOffer() throws Exception {
      var events = new ArrayList<JsonObject>();
      while (true) {
        JsonObject message = ws.next();
        String type = message.getString("type");
        if (type.equals("trackAdded")) {
          streamByMid.put(message.getString("mid"), message.getString("streamId"));
          events.add(message);
        } else if (type.equals("trackRemoved")) {
          streamByMid.remove(message.getString("mid"));
          events.add(message);
        } else if (type.equals("consumeOffer")) {
          boolean first = offer == null;
          offer = SdpParser.parse(message.getString("sdp"));
          ws.send(
              "{\"type\":\"consumeAnswer\",\"sdp\":"
                  + quoted(subscribe.subscribeAnswer(message.getString("sdp")))
                  + "}");
          if (first) {
            assertThat(subscribe.connect(offer)).isInstanceOf(HandshakeOutcome.Established.class);
          }
          return events;
        } else if (!type.startsWith("participant")) {
          throw new AssertionError("unexpected " + message);
        }
      }
    }

    void subscribe() throws Exception {
      ws.send("{\"type\":\"subscribe\",\"requestId\":\"s\"}");
      answerNextOffer();
    }

    /** The SSRC the server offered for {@code publisher}'s stream. */
    long offeredSsrc(Member publisher) {
      for (MediaDescription m : offer.media()) {
        var msid = m.attribute(Attribute.Msid.class);
        if (m.port() != 0 && msid.isPresent() && msid.get().streamId().equals(publisher.id)) {
          return m.attributes(Attribute.Ssrc.class).get(0).ssrc();
        }
      }
      throw new AssertionError("no m-line for " + publisher.id + " in " + offer);
    }

    /** Who this member heard in the next {@code window}: payloads (publisher ids) by SSRC. */
    Map<Long, String> heard(Duration window) throws Exception {
      subscribe.clearRtp();
      var heard = new HashMap<Long, String>();
      long end = System.nanoTime() + window.toNanos();
      var view = new RtpPacket();
      while (System.nanoTime() < end) {
        byte[] packet = subscribe.nextRtp(Duration.ofMillis(100));
        if (packet != null && view.wrap(packet, 0, packet.length)) {
          heard.put(
              Integer.toUnsignedLong(view.ssrc()),
              new String(
                  packet,
                  view.payloadOffset(),
                  view.payloadLength(),
                  java.nio.charset.StandardCharsets.US_ASCII));
        }
      }
      return heard;
    }
  }

  @Test
  void everyoneHearsEveryoneElseAndNeverThemselves() throws Exception {
    Member ada = new Member("hear", "Ada", 1111);
    ada.talk();
    ada.subscribe();
    assertThat(ada.offer.has(Attribute.Flag.ICE_LITE)).isTrue();
    assertThat(ada.offer.media()).hasSize(1); // only the anchor: nobody else publishes yet

    Member bob = new Member("hear", "Bob", 2222);
    bob.talk();
    // Ada learns about Bob's track and gets a re-offer; Bob subscribes and gets Ada's.
    List<JsonObject> added = ada.answerNextOffer();
    assertThat(added)
        .singleElement()
        .satisfies(t -> assertThat(t.getString("streamId")).isEqualTo(bob.id));
    bob.subscribe();
    assertThat(bob.streamByMid).containsValue(ada.id);

    Member cy = new Member("hear", "Cy", 3333);
    cy.talk();
    ada.answerNextOffer();
    bob.answerNextOffer();
    cy.subscribe();

    for (Member listener : List.of(ada, bob, cy)) {
      var expected = new HashMap<Long, String>();
      for (Member talker : List.of(ada, bob, cy)) {
        if (talker != listener) {
          expected.put(listener.offeredSsrc(talker), talker.id);
        }
      }
      awaitHearing(listener, expected);
    }
    assertThat(metric(base, "sfu_active_publishers_total", "")).isEqualTo(3);
    assertThat(metric(base, "sfu_active_subscribers", "")).isEqualTo(3);
    assertThat(metric(base, "sfu_transports_active", "")).isEqualTo(6);
    // A counter published once a second from the per-subscriber counts.
    await()
        .atMost(Duration.ofSeconds(3))
        .untilAsserted(
            () ->
                assertThat(metric(base, "sfu_rtp_packets_forwarded_total", "")).isGreaterThan(100));

    // Cy leaves: the others get trackRemoved and a re-offer with Cy's m-line retired, and keep
    // hearing each other on the same SSRCs; Cy's two transports are freed.
    cy.ws.send("{\"type\":\"leave\"}");
    for (Member stayer : List.of(ada, bob)) {
      long before = stayer.offeredSsrc(stayer == ada ? bob : ada);
      List<JsonObject> removed = stayer.answerNextOffer();
      assertThat(removed)
          .singleElement()
          .satisfies(
              t -> {
                assertThat(t.getString("type")).isEqualTo("trackRemoved");
                assertThat(t.getString("streamId")).isEqualTo(cy.id);
              });
      assertThat(stayer.offer.media().stream().filter(m -> m.port() == 0)).hasSize(1);
      assertThat(stayer.offeredSsrc(stayer == ada ? bob : ada)).isEqualTo(before);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> metric(base, "sfu_transports_active", ""), v -> v == 4);
    awaitHearing(ada, Map.of(ada.offeredSsrc(bob), bob.id));
    awaitHearing(bob, Map.of(bob.offeredSsrc(ada), ada.id));
  }

  /** Waits (a loaded machine may stall a sender) until {@code listener} hears exactly these. */
  private static void awaitHearing(Member listener, Map<Long, String> expected) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(listener.heard(Duration.ofMillis(500))).isEqualTo(expected));
  }

  @Test
  void churnLeavesNothingBehindAndTheStableMembersKeepTheirStreams() throws Exception {
    Member ada = new Member("churn", "Ada", 1111);
    ada.talk();
    ada.subscribe();
    Member bob = new Member("churn", "Bob", 2222);
    bob.talk();
    ada.answerNextOffer();
    bob.subscribe();
    long adaHearsBob = ada.offeredSsrc(bob);
    long bobHearsAda = bob.offeredSsrc(ada);
    awaitHearing(ada, Map.of(adaHearsBob, bob.id));
    // Warm-up: the pools (blocking executor: 32 core threads) reach their size; after that 20
    // more cycles must not add threads.
    churn(ada, bob, 0, 10);
    double threadsBefore = metric(base, "base", "thread_count", "");
    churn(ada, bob, 10, 20);

    // The stable pair still hears each other on the SSRCs of their first offers.
    assertThat(ada.offeredSsrc(bob)).isEqualTo(adaHearsBob);
    assertThat(bob.offeredSsrc(ada)).isEqualTo(bobHearsAda);
    awaitHearing(ada, Map.of(adaHearsBob, bob.id));
    awaitHearing(bob, Map.of(bobHearsAda, ada.id));
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(metric(base, "sfu_transports_active", "")).isEqualTo(4);
              assertThat(metric(base, "sfu_active_publishers_total", "")).isEqualTo(2);
              assertThat(metric(base, "sfu_active_subscribers", "")).isEqualTo(2);
            });
    // 40 transports came and went: threads are pooled, not per transport. A thread per transport
    // would add 40. Pools that grow on demand do wobble: thread dumps of this test show Grizzly's
    // http-thread-pool, the default managed executor and ice4j's cached pools adding up to ~12
    // between the two readings on a loaded machine, so the bound sits halfway to a real leak.
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(metric(base, "base", "thread_count", ""))
                    .as("JVM threads after 20 join/leave cycles (before: %s)", threadsBefore)
                    .isLessThan(threadsBefore + 20));
    System.out.printf(
        "churn: server threads %.0f before, %.0f after 20 cycles%n",
        threadsBefore, metric(base, "base", "thread_count", ""));

    ada.ws.send("{\"type\":\"leave\"}");
    bob.ws.send("{\"type\":\"leave\"}");
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(metric(base, "sfu_transports_active", "")).isZero();
              assertThat(metric(base, "sfu_active_publishers_total", "")).isZero();
              assertThat(metric(base, "sfu_active_subscribers", "")).isZero();
              JsonObject forwarding = json(base.resolve("api/forwarding"));
              assertThat(forwarding.getInt("poolInUse")).isZero();
            });
    assertThat(ServerUnderTest.get(base.resolve("api/rooms/churn")).statusCode()).isEqualTo(404);
  }

  /** Guests {@code from}..{@code to - 1} each join, publish, subscribe and leave (or close). */
  private void churn(Member ada, Member bob, int from, int to) throws Exception {
    for (int i = from; i < to; i++) {
      Member guest = new Member("churn", "Guest" + i, 5000 + i);
      guest.talk();
      ada.answerNextOffer();
      bob.answerNextOffer();
      guest.subscribe();
      if (i % 2 == 0) {
        guest.ws.send("{\"type\":\"leave\"}");
      } else {
        guest.ws.close(); // a closed tab: 1000 from the client, no leave message
      }
      ada.answerNextOffer();
      bob.answerNextOffer();
      guest.publish.close();
      guest.subscribe.close();
    }
  }

  private static JsonObject json(java.net.URI uri) throws Exception {
    try (var reader =
        Json.createReader(new java.io.StringReader(ServerUnderTest.get(uri).body()))) {
      return reader.readObject();
    }
  }

  @Test
  void aDroppedSocketResumesWithItsTokenAndNobodyNotices() throws Exception {
    Member ada = new Member("resume", "Ada", 1111);
    ada.talk();
    ada.subscribe();
    Member bob = new Member("resume", "Bob", 2222);
    bob.talk();
    ada.answerNextOffer();
    bob.subscribe();
    long adaHearsBob = ada.offeredSsrc(bob);

    // Ada's socket dies without a close frame; her media keeps flowing during the grace period.
    ada.ws.abort();
    WsClient again = connect();
    again.send(
        "{\"type\":\"join\",\"requestId\":\"j2\",\"roomId\":\"resume\",\"displayName\":\"Ada\","
            + "\"reconnectToken\":\""
            + ada.token
            + "\"}");
    JsonObject joined = again.next("joined");
    assertThat(joined.getBoolean("resumed")).isTrue();
    assertThat(joined.getString("participantId")).isEqualTo(ada.id);
    assertThat(joined.getString("reconnectToken")).isNotEqualTo(ada.token);
    assertThat(joined.getJsonArray("participants").getJsonObject(0).getString("participantId"))
        .isEqualTo(bob.id);
    bob.ws.assertSilent(Duration.ofSeconds(5)); // longer than the 4 s grace: no leave, no join
    awaitHearing(ada, Map.of(adaHearsBob, bob.id));

    // A token works once; a stale one joins as somebody new.
    again.send("{\"type\":\"leave\"}");
    again.next("left");
    assertThat(bob.ws.next("participantLeft").getString("reason")).isEqualTo("leave");
    WsClient late = connect();
    late.send(
        "{\"type\":\"join\",\"roomId\":\"resume\",\"displayName\":\"Ada\",\"reconnectToken\":\""
            + ada.token
            + "\"}");
    JsonObject fresh = late.next("joined");
    assertThat(fresh.getBoolean("resumed")).isFalse();
    assertThat(fresh.getString("participantId")).isNotEqualTo(ada.id);
  }

  @Test
  void aSocketThatStaysDeadLeavesAfterTheGracePeriod() throws Exception {
    Member ada = new Member("grace", "Ada", 1111);
    ada.talk();
    Member bob = new Member("grace", "Bob", 2222);
    ada.ws.next("participantJoined");
    long abortedAt = System.nanoTime();
    ada.ws.abort();
    JsonObject left = bob.ws.next("participantLeft");
    Duration suspended = Duration.ofNanos(System.nanoTime() - abortedAt);
    System.out.println(
        "grace test: participantLeft " + suspended.toMillis() + " ms after the reset");
    assertThat(left.getString("participantId")).isEqualTo(ada.id);
    assertThat(left.getString("reason")).isEqualTo("disconnect");
    // At the grace, not at the first ping sweep after it (issue 14).
    assertThat(suspended).isBetween(RECONNECT_GRACE, RECONNECT_GRACE.plusSeconds(1));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> metric(base, "sfu_transports_active", ""), v -> v == 0);
  }

  @Test
  void badAnswersGetTheirCodesAndTheConnectionStaysUsable() throws Exception {
    Member ada = new Member("bad-answer", "Ada", 1111);
    ada.ws.send("{\"type\":\"consumeAnswer\",\"requestId\":\"x\",\"sdp\":\"v=0\"}");
    assertThat(ada.ws.next("error").getString("code")).isEqualTo("no-offer");
    ada.ws.send("{\"type\":\"subscribe\",\"requestId\":\"s\"}");
    String offer = ada.ws.next("consumeOffer").getString("sdp");
    String good = ada.subscribe.subscribeAnswer(offer);
    ada.ws.send(
        "{\"type\":\"consumeAnswer\",\"requestId\":\"a1\",\"sdp\":"
            + quoted(good.replace("a=setup:active", "a=setup:passive"))
            + "}");
    assertThat(ada.ws.next("error").getString("code")).isEqualTo("sdp-bad-setup");
    ada.ws.send(
        "{\"type\":\"consumeAnswer\",\"requestId\":\"a2\",\"sdp\":"
            + quoted(good.replace("a=mid:0", "a=mid:zz").replace("BUNDLE 0", "BUNDLE zz"))
            + "}");
    assertThat(ada.ws.next("error").getString("code")).isEqualTo("sdp-malformed");
    ada.ws.send("{\"type\":\"consumeIce\",\"candidate\":\"candidate:garbage\"}");
    assertThat(ada.ws.next("error").getString("code")).isEqualTo("invalid-candidate");
    // The outstanding offer still takes a correct answer.
    ada.ws.send("{\"type\":\"consumeAnswer\",\"requestId\":\"a3\",\"sdp\":" + quoted(good) + "}");
    ada.ws.send("{\"type\":\"ping\",\"requestId\":\"alive\"}");
    assertThat(ada.ws.next("pong").getString("requestId")).isEqualTo("alive");
  }
}

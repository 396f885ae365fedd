package io.cheenhub.sfu.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cheenhub.sfu.metrics.SfuMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Publish and subscribe through signaling, with real media transports on loopback. */
class ConnectionMediaTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final TestSignaling sfu = new TestSignaling();

  @AfterEach
  void stop() {
    sfu.close();
  }

  private static String offer() throws IOException {
    return sdp("chromium-audio-sendonly-offer.sdp");
  }

  private static String sdp(String name) throws IOException {
    try (InputStream in = ConnectionMediaTest.class.getResourceAsStream("/sdp/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static final List<Message.MidLayer> THREE_LAYERS =
      List.of(
          new Message.MidLayer("0", "h"),
          new Message.MidLayer("1", "m"),
          new Message.MidLayer("2", "l"));

  private record Client(FakeSession session, Connection connection) {
    void send(Message.ClientMessage message) {
      connection.onMessage(message, System.nanoTime());
    }

    FakeSession.Frame awaitReply(String requestId) {
      await()
          .atMost(WAIT)
          .until(
              () -> session.texts().stream().anyMatch(f -> requestId.equals(f.field("requestId"))));
      return session.texts().stream()
          .filter(f -> requestId.equals(f.field("requestId")))
          .findFirst()
          .orElseThrow();
    }
  }

  private Client join(String name) {
    return join(sfu, name);
  }

  private static Client join(TestSignaling server, String name) {
    var session = new FakeSession();
    var client = new Client(session, server.service.open(session));
    client.send(new Message.Join("j-" + name, "standup", name, null, null, null));
    assertThat(client.awaitReply("j-" + name).type()).isEqualTo("joined");
    return client;
  }

  @Test
  void aPublisherIsAnsweredAndASubscriberIsOfferedItsTrack() throws Exception {
    Client ada = join("Ada");
    Client bob = join("Bob");
    String adaId = ada.awaitReply("j-Ada").field("participantId");

    ada.send(new Message.PublishOffer("p1", null, offer(), null));
    FakeSession.Frame answer = ada.awaitReply("p1");
    assertThat(answer.type()).isEqualTo("publishAnswer");
    assertThat(answer.field("sdp")).contains("a=recvonly").contains("a=ice-ufrag:");
    assertThat(sfu.transports.openCount()).isEqualTo(1);

    bob.send(new Message.Subscribe("s1", null));
    FakeSession.Frame consumeOffer = bob.awaitReply("s1");
    assertThat(consumeOffer.type()).isEqualTo("consumeOffer");
    assertThat(consumeOffer.field("sdp")).contains("a=sendonly").contains("a=msid:" + adaId);
    FakeSession.Frame track = bob.session().ofType("trackAdded").get(0);
    assertThat(track.field("participantId")).isEqualTo(adaId);
    assertThat(sfu.transports.openCount()).isEqualTo(2);
    assertThat(sfu.metrics.negotiated).containsExactly(SfuMetrics.Negotiation.PUBLISH);

    // A re-offer replaces the publish transport; the old one is closed.
    ada.send(new Message.PublishOffer("p2", "standup", offer(), null));
    assertThat(ada.awaitReply("p2").type()).isEqualTo("publishAnswer");
    await().atMost(WAIT).until(() -> sfu.transports.openCount() == 2);

    // A broken answer is refused; the offer stays outstanding.
    bob.send(new Message.ConsumeAnswer("a1", null, "v=0\r\nnot sdp"));
    assertThat(bob.awaitReply("a1").field("code")).isEqualTo("sdp-malformed");

    // Ada leaves: Bob's track goes away with a re-offer, and her transport is freed.
    ada.send(new Message.Leave("l1", null));
    await().atMost(WAIT).until(() -> !bob.session().ofType("trackRemoved").isEmpty());
    await().atMost(WAIT).until(() -> sfu.transports.openCount() == 1);

    // Bob subscribes again: the old subscribe transport is replaced, then freed by his leave.
    bob.send(new Message.Subscribe("s2", "standup"));
    assertThat(bob.awaitReply("s2").type()).isEqualTo("consumeOffer");
    await().atMost(WAIT).until(() -> sfu.transports.openCount() == 1);
    bob.send(new Message.Leave("l2", null));
    await().atMost(WAIT).until(() -> sfu.transports.openCount() == 0);
  }

  @Test
  void mediaRequestsNeedARoomAValidOfferAndASubscribeFirst() throws Exception {
    var session = new FakeSession();
    var loner = new Client(session, sfu.service.open(session));
    loner.send(new Message.PublishOffer("p0", null, offer(), null));
    assertThat(loner.awaitReply("p0").field("code")).isEqualTo("not-joined");

    Client ada = join("Ada");
    ada.send(new Message.ConsumeAnswer("a1", null, "v=0"));
    assertThat(ada.awaitReply("a1").field("code")).isEqualTo("no-offer");
    ada.send(new Message.PublishOffer("p1", null, "v=0\r\nnonsense", null));
    assertThat(ada.awaitReply("p1").field("code")).startsWith("sdp-");
    assertThat(sfu.transports.openCount()).isZero();
    assertThat(sfu.metrics.errors).hasSize(3).startsWith(ErrorCode.NOT_JOINED, ErrorCode.NO_OFFER);
  }

  @Test
  void aPublisherWithLayersIsAnsweredAndToldToSendItsBestLayerOnly() throws Exception {
    Client ada = join("Ada");
    Client bob = join("Bob");

    ada.send(
        new Message.PublishOffer(
            "p1", null, sdp("chromium-audio-three-sendonly-offer.sdp"), THREE_LAYERS));
    FakeSession.Frame answer = ada.awaitReply("p1");
    assertThat(answer.type()).isEqualTo("publishAnswer");
    assertThat(answer.field("sdp").split("a=recvonly", -1)).hasSize(4);
    await().atMost(WAIT).until(() -> !ada.session().ofType("layersUpdate").isEmpty());
    assertThat(ada.session().ofType("layersUpdate").get(0).text())
        .contains("\"layers\":{\"h\":true,\"m\":false,\"l\":false}");

    // Listeners see one participant with one track, not three.
    bob.send(new Message.Subscribe("s1", null));
    assertThat(bob.awaitReply("s1").type()).isEqualTo("consumeOffer");
    assertThat(bob.session().ofType("trackAdded")).hasSize(1);

    // Bob caps what he receives from everyone, then from Ada alone.
    bob.send(new Message.SetLayerPreference("c1", null, "l", null));
    FakeSession.Frame capped = bob.awaitReply("c1");
    assertThat(capped.type()).isEqualTo("layerPreference");
    assertThat(capped.field("maxLayer")).isEqualTo("l");
    String adaId = ada.awaitReply("j-Ada").field("participantId");
    bob.send(new Message.SetLayerPreference("c2", null, "m", adaId));
    assertThat(bob.awaitReply("c2").field("participantId")).isEqualTo(adaId);
  }

  @Test
  void badLayersAndLayerPreferencesAreRefusedWithoutATransport() throws Exception {
    Client ada = join("Ada");
    String three = sdp("chromium-audio-three-sendonly-offer.sdp");
    ada.send(
        new Message.PublishOffer(
            "p1",
            null,
            three,
            List.of(new Message.MidLayer("0", "h"), new Message.MidLayer("0", "m"))));
    assertThat(ada.awaitReply("p1").field("code")).isEqualTo("invalid-field");
    ada.send(new Message.PublishOffer("p2", null, three, List.of(new Message.MidLayer("9", "h"))));
    assertThat(ada.awaitReply("p2").field("code")).isEqualTo("invalid-field");
    ada.send(new Message.PublishOffer("p3", null, three, List.of(new Message.MidLayer("0", "x"))));
    assertThat(ada.awaitReply("p3").field("code")).isEqualTo("invalid-field");
    ada.send(
        new Message.PublishOffer(
            "p4", null, sdp("rfc8853-audio-simulcast-offer.sdp"), THREE_LAYERS));
    assertThat(ada.awaitReply("p4").field("message")).contains("a=simulcast");
    assertThat(sfu.transports.openCount()).isZero();

    ada.send(new Message.SetLayerPreference("c1", null, "x", null));
    assertThat(ada.awaitReply("c1").field("code")).isEqualTo("invalid-field");
    ada.send(new Message.SetLayerPreference("c2", null, "l", "nobody"));
    assertThat(ada.awaitReply("c2").field("code")).isEqualTo("invalid-field");
  }

  @Test
  void aStandardSimulcastOfferIsAnsweredWithRecvRids() throws Exception {
    Client ada = join("Ada");
    ada.send(new Message.PublishOffer("p1", null, sdp("rfc8853-audio-simulcast-offer.sdp"), null));
    FakeSession.Frame answer = ada.awaitReply("p1");
    assertThat(answer.type()).isEqualTo("publishAnswer");
    assertThat(answer.field("sdp")).contains("a=simulcast:recv h;m;l").contains("a=rid:h recv");
    await().atMost(WAIT).until(() -> !ada.session().ofType("layersUpdate").isEmpty());
  }

  @Test
  void aRoomPastTheThresholdMovesItsListenersToSpeakerSlots() throws Exception {
    try (var large =
        new TestSignaling(
            TestSignaling.limits(2, Duration.ofSeconds(30), Duration.ofSeconds(30)),
            TestSignaling.anonymous(20),
            20)) {
      inALargeRoom(large);
    }
  }

  private static void inALargeRoom(TestSignaling large) throws Exception {
    Client ada = join(large, "Ada");
    Client bob = join(large, "Bob");
    ada.send(new Message.PublishOffer("p1", null, offer(), null));
    ada.awaitReply("p1");
    bob.send(new Message.Subscribe("s1", null));
    assertThat(bob.awaitReply("s1").type()).isEqualTo("consumeOffer");
    await().atMost(WAIT).until(() -> bob.session().ofType("trackAdded").size() == 1);
    for (int i = 3; i <= 8; i++) {
      join(large, "P" + i);
    }
    assertThat(bob.session().ofType("trackAdded")).as("8 participants: still routed").hasSize(1);

    join(large, "P9"); // the ninth: past the default threshold of 8

    await().atMost(WAIT).until(() -> bob.session().ofType("trackAdded").size() == 4);
    assertThat(bob.session().ofType("trackAdded").subList(1, 4))
        .extracting(f -> f.field("streamId"))
        .containsExactly("slot-0", "slot-1", "slot-2");
    // Ada's own stream stays until Bob's browser answers the offer with the slots.
    assertThat(bob.session().ofType("trackRemoved")).isEmpty();

    // A tenth participant joining touches nobody's offer.
    int offers = bob.session().ofType("consumeOffer").size();
    join(large, "P10");
    assertThat(bob.session().ofType("trackAdded")).hasSize(4);
    assertThat(bob.session().ofType("consumeOffer")).hasSize(offers);
  }

  @Test
  void muteIsToldToEveryoneAndShownToLateJoiners() throws Exception {
    Client ada = join("Ada");
    Client bob = join("Bob");
    String adaId = ada.awaitReply("j-Ada").field("participantId");
    ada.send(new Message.SetMuted("m1", null, true));
    FakeSession.Frame reply = ada.awaitReply("m1");
    assertThat(reply.type()).isEqualTo("participantMuted");
    assertThat(reply.text()).contains("\"muted\":true");
    await().atMost(WAIT).until(() -> !bob.session().ofType("participantMuted").isEmpty());
    FakeSession.Frame told = bob.session().ofType("participantMuted").get(0);
    assertThat(told.field("participantId")).isEqualTo(adaId);
    assertThat(told.field("requestId")).isNull();

    Client cy = join("Cy");
    assertThat(cy.awaitReply("j-Cy").text()).contains("\"muted\":true");
  }

  @Test
  void aSubscriberSeesPublishersThatArriveLaterAndReportsRun() throws Exception {
    Client ada = join("Ada");
    Client bob = join("Bob");
    bob.send(new Message.Subscribe("s1", null));
    assertThat(bob.awaitReply("s1").type()).isEqualTo("consumeOffer");
    assertThat(bob.session().ofType("trackAdded")).isEmpty();

    ada.send(new Message.PublishOffer("p1", null, offer(), null));
    ada.awaitReply("p1");

    await().atMost(WAIT).until(() -> !bob.session().ofType("trackAdded").isEmpty());
    sfu.sendReceiverReports();
    // The first offer is unanswered, so the change waits for its answer: one offer so far.
    assertThat(bob.session().ofType("consumeOffer")).hasSize(1);
    assertThat(List.of(ada, bob)).allMatch(c -> c.session().closes().isEmpty());
  }
}

package io.cheenhub.sfu.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cheenhub.sfu.admission.Overload;
import io.cheenhub.sfu.config.SignalingLimits;
import io.cheenhub.sfu.room.LeaveReason;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DecodeException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Signaling connections end to end without a container: clients are {@link SignalingEndpoint}s on
 * {@link FakeSession}s, the service is real ({@link TestSignaling}), and every assertion is on the
 * frames a client would receive.
 */
class ConnectionTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final List<TestSignaling> started = new ArrayList<>();
  private TestSignaling sfu;

  @AfterEach
  void stop() {
    for (TestSignaling s : started) {
      s.close();
    }
  }

  private TestSignaling start(TestSignaling signaling) {
    started.add(signaling);
    sfu = signaling;
    return signaling;
  }

  private TestSignaling start() {
    return start(new TestSignaling());
  }

  private record AdaAndBob(Client ada, Client bob) {}

  /** A server with these timeouts (one room per connection), Ada and Bob joined to "standup". */
  private AdaAndBob adaAndBob(Duration idleTimeout, Duration grace) throws Exception {
    start(
        new TestSignaling(
            TestSignaling.limits(1, idleTimeout, grace), TestSignaling.anonymous(5), 10));
    var ada = new Client();
    var bob = new Client();
    ada.join("j1", "standup", "Ada");
    bob.join("j2", "standup", "Bob");
    return new AdaAndBob(ada, bob);
  }

  /** One browser: an endpoint instance on its own socket. */
  private final class Client {
    final FakeSession session = new FakeSession();
    final SignalingEndpoint endpoint = new SignalingEndpoint();

    Client() throws IOException {
      endpoint.service = sfu.service;
      endpoint.onOpen(session);
    }

    void send(Message.ClientMessage message) {
      endpoint.onMessage(message);
    }

    FakeSession.Frame join(String requestId, String room, String name) {
      send(new Message.Join(requestId, room, name, null, null, null));
      return awaitReply(requestId);
    }

    /** The first frame answering {@code requestId}. */
    FakeSession.Frame awaitReply(String requestId) {
      await()
          .atMost(WAIT)
          .until(() -> session.texts().stream().anyMatch(f -> requestId.equals(requestIdOf(f))));
      return session.texts().stream()
          .filter(f -> requestId.equals(requestIdOf(f)))
          .findFirst()
          .orElseThrow();
    }

    FakeSession.Frame awaitType(String type) {
      await().atMost(WAIT).until(() -> !session.ofType(type).isEmpty());
      List<FakeSession.Frame> frames = session.ofType(type);
      return frames.get(frames.size() - 1);
    }

    CloseReason awaitClose() {
      await().atMost(WAIT).until(() -> !session.closes().isEmpty());
      return session.closes().get(0).reason();
    }

    /** The socket dropped without a close frame (1006). */
    void lose() {
      session.closeByPeer();
      endpoint.onClose(
          session, new CloseReason(CloseReason.CloseCodes.CLOSED_ABNORMALLY, "no close frame"));
    }
  }

  private static String requestIdOf(FakeSession.Frame frame) {
    return frame.field("requestId");
  }

  private static String code(FakeSession.Frame frame) {
    assertThat(frame.type()).isEqualTo("error");
    return frame.field("code");
  }

  @Test
  void aJoinIsAnsweredWithJoinedAndTheOthersHearOfTheNewcomer() throws Exception {
    start();
    var ada = new Client();
    var bob = new Client();

    FakeSession.Frame adaJoined = ada.join("j1", "standup", "Ada");
    FakeSession.Frame bobJoined = bob.join("j2", "standup", "Bob");

    assertThat(adaJoined.type()).isEqualTo("joined");
    assertThat(adaJoined.field("roomId")).isEqualTo("standup");
    assertThat(adaJoined.field("reconnectToken")).isNotBlank();
    assertThat(bobJoined.type()).isEqualTo("joined");
    assertThat(bobJoined.text()).contains("\"displayName\":\"Ada\"");
    FakeSession.Frame newcomer = ada.awaitType("participantJoined");
    assertThat(newcomer.text())
        .contains("\"participantId\":\"" + bobJoined.field("participantId") + "\"")
        .contains("\"displayName\":\"Bob\"");
    assertThat(sfu.metrics.joined).hasValue(2);
    assertThat(sfu.metrics.received).containsExactly("join", "join");
    assertThat(sfu.service.connectionCount()).isEqualTo(2);
    assertThat(ada.session.maxTextMessageBufferSize()).isEqualTo(2 * 65_536);
  }

  @Test
  void aLeaveIsAnsweredWithLeftAndTheOthersHearOfIt() throws Exception {
    start();
    var ada = new Client();
    var bob = new Client();
    ada.join("j1", "standup", "Ada");
    String bobId = bob.join("j2", "standup", "Bob").field("participantId");

    bob.send(new Message.Leave("l1", null));

    FakeSession.Frame left = bob.awaitReply("l1");
    assertThat(left.type()).isEqualTo("left");
    assertThat(left.field("roomId")).isEqualTo("standup");
    FakeSession.Frame gone = ada.awaitType("participantLeft");
    assertThat(gone.field("participantId")).isEqualTo(bobId);
    assertThat(gone.field("reason")).isEqualTo("leave");
    assertThat(sfu.metrics.left).containsExactly(LeaveReason.LEFT);
    assertThat(sfu.service.rooms().participantCount()).isEqualTo(1);

    bob.send(new Message.Leave("l2", "standup"));
    assertThat(code(bob.awaitReply("l2"))).isEqualTo("not-joined");
  }

  @Test
  void aPingIsAnsweredWithAPongEchoingItsTimestamp() throws Exception {
    start();
    var ada = new Client();

    ada.send(new Message.Ping("p1", 1234L));

    FakeSession.Frame pong = ada.awaitReply("p1");
    assertThat(pong.type()).isEqualTo("pong");
    assertThat(pong.text()).contains("\"ts\":1234");
  }

  @Test
  void aSecondJoinOfTheSameRoomOrOneRoomTooManyIsRefused() throws Exception {
    start(); // two rooms per connection
    var ada = new Client();
    ada.join("j1", "standup", "Ada");

    assertThat(code(ada.join("j2", "standup", "Ada"))).isEqualTo("already-joined");
    assertThat(ada.join("j3", "retro", "Ada").type()).isEqualTo("joined");
    assertThat(code(ada.join("j4", "planning", "Ada"))).isEqualTo("room-limit-reached");

    // In two rooms, a room-scoped request must say which.
    ada.send(new Message.PublishIce("i1", null, "", null, null));
    assertThat(code(ada.awaitReply("i1"))).isEqualTo("ambiguous-room");
    ada.send(new Message.PublishIce("i2", "standup", "candidate:garbage", "0", 0));
    assertThat(code(ada.awaitReply("i2"))).isEqualTo("invalid-candidate");
    ada.send(new Message.ConsumeIce("i3", "nowhere", "", "0", 0));
    assertThat(code(ada.awaitReply("i3"))).isEqualTo("not-joined");
    ada.send(
        new Message.ConsumeIce(
            "i4", "retro", "candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host", "0", 0));
    ada.send(new Message.Ping("p1", null));
    ada.awaitReply("p1");
    assertThat(ada.session.texts()).noneMatch(f -> "i4".equals(requestIdOf(f)));
    assertThat(sfu.metrics.count(ErrorCode.ALREADY_JOINED)).isEqualTo(1);
  }

  @Test
  void invalidRoomsFullRoomsAndAUsersRoomLimitAreRefused() throws Exception {
    start(
        new TestSignaling(
            TestSignaling.limits(3, Duration.ofSeconds(30), Duration.ofSeconds(30)),
            TestSignaling.anonymous(1),
            2));
    var ada = new Client();
    var bob = new Client();
    var cy = new Client();

    assertThat(code(ada.join("j0", "no spaces", "Ada"))).isEqualTo("invalid-room-id");
    ada.join("j1", "standup", "Ada");
    bob.join("j2", "standup", "Bob");
    assertThat(code(cy.join("j3", "standup", "Cy"))).isEqualTo("room-full");
    // Anonymous: the user is the connection, which may hold one room here.
    assertThat(code(ada.join("j4", "retro", "Ada"))).isEqualTo("user-room-limit");
    // The room-full refusal gave the user's room back: Cy may still join elsewhere.
    assertThat(cy.join("j5", "retro", "Cy").type()).isEqualTo("joined");
  }

  @Test
  void anOverloadedServerRefusesNewcomersAndLowMemoryRefusesSockets() throws Exception {
    start();
    var ada = new Client();
    sfu.admission.overload = new Overload(Overload.CPU, "cpu 97 %");

    assertThat(code(ada.join("j1", "standup", "Ada"))).isEqualTo("overloaded");
    assertThat(sfu.metrics.refused).containsExactly(Overload.CPU);

    sfu.admission.overload = new Overload(Overload.HEAP, "heap 95 %");
    var bob = new Client();
    CloseReason refused = bob.awaitClose();
    assertThat(refused.getCloseCode()).isEqualTo(CloseReason.CloseCodes.TRY_AGAIN_LATER);
    assertThat(refused.getReasonPhrase()).isEqualTo("server low on memory");
    assertThat(sfu.service.connectionCount()).isEqualTo(1);
  }

  @Test
  void aFloodIsRefusedOnceAndThenClosedAsAbusive() throws Exception {
    var limits =
        new SignalingLimits(
            65_536,
            1,
            1,
            2,
            3,
            Duration.ofSeconds(10),
            Duration.ofSeconds(15),
            Duration.ofSeconds(30),
            1_000,
            Duration.ZERO);
    start(new TestSignaling(limits, TestSignaling.anonymous(5), 10));
    var ada = new Client();
    var bob = new Client();
    ada.join("j1", "standup", "Ada");
    bob.join("j2", "standup", "Bob");
    var session = new FakeSession();
    Connection flooder = sfu.service.open(session);
    long now = System.nanoTime();

    flooder.onMessage(new Message.Join("f0", "standup", "Flood", null, null, null), now);
    for (int i = 1; i <= 6; i++) {
      flooder.onMessage(new Message.Ping("f" + i, null), now);
    }

    await().atMost(WAIT).until(() -> !session.closes().isEmpty());
    // Two tokens: the join and one ping; then one error for the window, silence, and the close.
    assertThat(session.types()).containsExactly("joined", "pong", "error");
    assertThat(session.texts().get(2).field("code")).isEqualTo("rate-limited");
    assertThat(session.texts().get(2).field("requestId")).isEqualTo("f2");
    CloseReason reason = session.closes().get(0).reason();
    assertThat(reason.getCloseCode()).isEqualTo(CloseReason.CloseCodes.VIOLATED_POLICY);
    assertThat(reason.getReasonPhrase()).isEqualTo("rate limit exceeded");
    // The closed connection left its room (no grace: it closed itself, nothing was lost).
    assertThat(ada.awaitType("participantLeft").field("reason")).isEqualTo("disconnect");
    // Refusals after the decision (f6, f7) are dropped quietly but still counted.
    flooder.onMessage(new Message.Ping("f7", null), now);
    assertThat(sfu.metrics.count(ErrorCode.RATE_LIMITED)).isEqualTo(1 + 2 + 2);
    assertThat(session.texts()).hasSize(3);
  }

  @Test
  void aLostSocketKeepsTheParticipantAndARejoinWithItsTokenResumesIt() throws Exception {
    start();
    var ada = new Client();
    var bob = new Client();
    ada.join("j1", "standup", "Ada");
    FakeSession.Frame joined = bob.join("j2", "standup", "Bob");

    bob.lose();

    assertThat(sfu.service.suspendedCount()).isEqualTo(1);
    assertThat(sfu.service.rooms().participantCount()).isEqualTo(2);
    var bobAgain = new Client();
    bobAgain.send(
        new Message.Join("j3", "standup", "Bob", joined.field("reconnectToken"), null, null));
    FakeSession.Frame resumed = bobAgain.awaitReply("j3");
    assertThat(resumed.type()).isEqualTo("joined");
    assertThat(resumed.text()).contains("\"resumed\":true");
    assertThat(resumed.field("participantId")).isEqualTo(joined.field("participantId"));
    assertThat(resumed.field("reconnectToken")).isNotEqualTo(joined.field("reconnectToken"));
    assertThat(resumed.text()).contains("\"displayName\":\"Ada\"");
    sfu.sweep(); // forgets the resumed membership
    assertThat(sfu.service.suspendedCount()).isZero();
    assertThat(ada.session.ofType("participantLeft")).isEmpty();
    assertThat(sfu.metrics.left).isEmpty();

    // The used token names nobody any more: a join with it is a new participant.
    var bobThird = new Client();
    bobThird.send(
        new Message.Join("j4", "standup", "Bob", joined.field("reconnectToken"), null, null));
    FakeSession.Frame fresh = bobThird.awaitReply("j4");
    assertThat(fresh.text()).contains("\"resumed\":false");
    assertThat(fresh.field("participantId")).isNotEqualTo(joined.field("participantId"));
  }

  @Test
  void aRejoinWhileTheOldSocketLivesReplacesItWith4000() throws Exception {
    start();
    var ada = new Client();
    var bob = new Client();
    ada.join("j1", "standup", "Ada");
    FakeSession.Frame joined = bob.join("j2", "standup", "Bob");

    var bobAgain = new Client();
    bobAgain.send(
        new Message.Join("j3", "standup", "Bob", joined.field("reconnectToken"), null, null));

    assertThat(bobAgain.awaitReply("j3").field("participantId"))
        .isEqualTo(joined.field("participantId"));
    CloseReason replaced = bob.awaitClose();
    assertThat(replaced.getCloseCode().getCode()).isEqualTo(4000);
    assertThat(replaced.getReasonPhrase()).isEqualTo("replaced by a newer connection");
    assertThat(ada.session.ofType("participantLeft")).isEmpty();
    assertThat(sfu.service.rooms().participantCount()).isEqualTo(2);
  }

  @Test
  void aDeliberateCloseLeavesAtOnce() throws Exception {
    start();
    var ada = new Client();
    var bob = new Client();
    ada.join("j1", "standup", "Ada");
    bob.join("j2", "standup", "Bob");

    bob.endpoint.onClose(
        bob.session, new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "tab closed"));

    assertThat(ada.awaitType("participantLeft").field("reason")).isEqualTo("disconnect");
    assertThat(sfu.service.suspendedCount()).isZero();
    assertThat(sfu.service.connectionCount()).isEqualTo(1);
  }

  @Test
  void whenTheGraceRunsOutTheSuspendedParticipantLeaves() throws Exception {
    AdaAndBob both = adaAndBob(Duration.ofSeconds(30), Duration.ofMillis(200));
    var ada = both.ada();
    var bob = both.bob();
    long lost = System.nanoTime();

    bob.lose();

    FakeSession.Frame gone = ada.awaitType("participantLeft");
    assertThat(System.nanoTime() - lost).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
    assertThat(gone.field("reason")).isEqualTo("disconnect");
    assertThat(sfu.sweeps.swept).containsExactly("suspended");
    assertThat(sfu.service.suspendedCount()).isZero();
  }

  @Test
  void theTimersRunOnlyWhileSomeoneIsConnectedOrSuspended() throws Exception {
    AdaAndBob both = adaAndBob(Duration.ofSeconds(30), Duration.ofMillis(300));
    assertThat(sfu.service.isSweeping()).isTrue();

    both.ada()
        .endpoint
        .onClose(
            both.ada().session, new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "tab closed"));
    both.bob().lose();

    // Bob is suspended: his media may still flow and his grace runs out on the timer thread.
    assertThat(sfu.service.connectionCount()).isZero();
    assertThat(sfu.service.isSweeping()).isTrue();
    await().atMost(WAIT).until(() -> sfu.service.suspendedCount() == 0);
    assertThat(sfu.service.isSweeping()).isFalse();

    new Client().join("j3", "standup", "Cleo");
    assertThat(sfu.service.isSweeping()).isTrue();
  }

  @Test
  void theSweepPingsLiveConnectionsAndClosesSilentOnes() throws Exception {
    AdaAndBob both = adaAndBob(Duration.ofMillis(300), Duration.ofSeconds(30));
    var ada = both.ada();
    var bob = both.bob();
    long before = sfu.service.lastSweepNanos();

    sfu.sweep();
    await().atMost(WAIT).until(() -> ada.session.pings() == 1 && bob.session.pings() == 1);
    Thread.sleep(350);
    bob.endpoint.onPong(null); // bob answered; ada did not
    sfu.sweep();

    CloseReason timedOut = ada.awaitClose();
    assertThat(timedOut.getCloseCode()).isEqualTo(CloseReason.CloseCodes.GOING_AWAY);
    assertThat(timedOut.getReasonPhrase()).isEqualTo("ping timeout");
    assertThat(bob.awaitType("participantLeft").field("reason")).isEqualTo("timeout");
    await().atMost(WAIT).until(() -> bob.session.pings() == 2);
    assertThat(sfu.sweeps.swept).containsExactly("connection");
    assertThat(sfu.service.connectionCount()).isEqualTo(1);
    assertThat(sfu.service.lastSweepNanos()).isGreaterThan(before);
  }

  @Test
  void aSweepThatRanLateDoesNotTakeLiveConnectionsForSilentOnes() throws Exception {
    AdaAndBob both = adaAndBob(Duration.ofMillis(300), Duration.ofSeconds(30));
    var ada = both.ada();
    var bob = both.bob();

    Thread.sleep(400); // no sweep for longer than the idle timeout: the machine stalled
    sfu.sweep();
    await().atMost(WAIT).until(() -> ada.session.pings() == 1 && bob.session.pings() == 1);
    sfu.sweep(); // the missed period, run back to back

    assertThat(sfu.service.connectionCount()).isEqualTo(2);
    assertThat(sfu.sweeps.swept).isEmpty();
    Thread.sleep(350);
    bob.endpoint.onPong(null); // only now is ada's ping older than the idle timeout, unanswered
    sfu.sweep();

    assertThat(ada.awaitClose().getReasonPhrase()).isEqualTo("ping timeout");
    assertThat(sfu.sweeps.swept).containsExactly("connection");
    assertThat(sfu.service.connectionCount()).isEqualTo(1);
  }

  @Test
  void drainTellsEveryClientToReconnectThenClosesWith1012() throws Exception {
    start();
    var ada = new Client();
    var bob = new Client();
    var cy = new Client();
    ada.join("j1", "standup", "Ada");
    bob.join("j2", "standup", "Bob");
    cy.join("j3", "standup", "Cy");
    ada.awaitType("participantJoined");
    await().atMost(WAIT).until(() -> ada.session.ofType("participantJoined").size() == 2);
    bob.awaitType("participantJoined");
    cy.lose(); // suspended: it leaves too, no one will resume it here

    assertThat(sfu.service.drain("maintenance")).isEqualTo(2);

    for (Client client : List.of(ada, bob)) {
      FakeSession.Frame reconnect = client.session.texts().get(client.session.texts().size() - 1);
      assertThat(reconnect.type()).isEqualTo("reconnect");
      assertThat(reconnect.field("reason")).isEqualTo("maintenance");
      assertThat(reconnect.text()).contains("\"delayMs\":1000");
      assertThat(client.session.closes()).hasSize(1);
      assertThat(client.session.closes().get(0).reason().getCloseCode())
          .isEqualTo(CloseReason.CloseCodes.SERVICE_RESTART);
      // Clients are told to reconnect, not of each other's departures.
      assertThat(client.session.ofType("participantLeft")).isEmpty();
    }
    assertThat(sfu.metrics.left)
        .containsExactlyInAnyOrder(
            LeaveReason.SHUTDOWN, LeaveReason.SHUTDOWN, LeaveReason.SHUTDOWN);
    assertThat(sfu.service.rooms().participantCount()).isZero();
    assertThat(sfu.service.suspendedCount()).isZero();
    assertThat(sfu.service.isDraining()).isTrue();
    assertThat(sfu.service.isAccepting()).isFalse();
    assertThat(sfu.service.drain("again")).isZero();

    var late = new Client();
    assertThat(late.awaitClose().getReasonPhrase()).isEqualTo("server draining");
    var session = new FakeSession();
    Connection racing = sfu.service.open(session); // opened just before the drain began
    racing.onMessage(new Message.Join("j4", "standup", "Dan", null, null, null), System.nanoTime());
    await().atMost(WAIT).until(() -> !session.texts().isEmpty());
    assertThat(session.texts().get(0).field("code")).isEqualTo("draining");
  }

  @Test
  void anUndeployDuringASigtermDrainWaitsForItSoClientsStillGetReconnectAnd1012() throws Exception {
    start();
    var ada = new Client();
    ada.join("j1", "standup", "Ada");
    ada.session.acknowledge(false); // the reconnect stays unwritten: the drain waits its 1 s

    var sigterm = CompletableFuture.supplyAsync(() -> sfu.service.drain("shutdown"));
    await().atMost(WAIT).until(() -> !ada.session.ofType("reconnect").isEmpty());
    sfu.service.stop(); // Payara's undeploy, racing the drain

    // stop() returned after the drain's close (1012), not with its own 1001 before it; the
    // drain's future itself completes a moment after the drain released its waiters.
    assertThat(ada.session.closes()).hasSize(1);
    assertThat(sigterm.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(ada.session.closes().get(0).reason().getCloseCode())
        .isEqualTo(CloseReason.CloseCodes.SERVICE_RESTART);
  }

  @Test
  void stoppingTheServiceClosesAndLeavesEverything() throws Exception {
    start();
    var ada = new Client();
    ada.join("j1", "standup", "Ada");

    sfu.service.stop();

    assertThat(ada.session.closes()).isNotEmpty();
    assertThat(sfu.service.rooms().participantCount()).isZero();
    assertThat(sfu.service.isAccepting()).isFalse();
    var late = new Client();
    assertThat(late.awaitClose().getReasonPhrase()).isEqualTo("server draining");
  }

  @Test
  void undecodableFramesAreAnsweredAndOversizedOnesClose1009() throws Exception {
    start();
    var ada = new Client();
    ada.join("j1", "standup", "Ada");

    ada.endpoint.onError(
        ada.session,
        new DecodeException(
            "{", "bad", new SignalingException(ErrorCode.MALFORMED_JSON, "not JSON", "x1")));
    assertThat(code(ada.awaitReply("x1"))).isEqualTo("malformed-json");
    assertThat(sfu.metrics.received).contains(io.cheenhub.sfu.metrics.SfuMetrics.INVALID_TYPE);

    ada.endpoint.onError(
        ada.session, new DecodeException("...", "too big", new OversizedFrameException()));
    CloseReason tooBig = ada.awaitClose();
    assertThat(tooBig.getCloseCode()).isEqualTo(CloseReason.CloseCodes.TOO_BIG);
    assertThat(tooBig.getReasonPhrase()).isEqualTo("frame too large");
    assertThat(sfu.metrics.left).containsExactly(LeaveReason.DISCONNECTED);
  }

  @Test
  void aBrokenSocketIsALossAndOurOwnFailureClosesWith1011() throws Exception {
    start();
    var ada = new Client();
    var bob = new Client();
    ada.join("j1", "standup", "Ada");
    bob.join("j2", "standup", "Bob");

    bob.session.closeByPeer();
    bob.endpoint.onError(bob.session, new IOException("connection reset"));
    assertThat(sfu.service.suspendedCount()).isEqualTo(1);
    assertThat(bob.session.closes()).isEmpty();

    ada.endpoint.onError(ada.session, new IllegalStateException("bug"));
    CloseReason internal = ada.awaitClose();
    assertThat(internal.getCloseCode()).isEqualTo(CloseReason.CloseCodes.UNEXPECTED_CONDITION);
    assertThat(internal.getReasonPhrase()).isEqualTo("internal error");
    assertThat(sfu.metrics.left).containsExactly(LeaveReason.DISCONNECTED);
  }

  @Test
  void anEndpointThatWasRefusedAtOpenIgnoresLaterCallbacks() throws Exception {
    start();
    sfu.admission.overload = new Overload(Overload.HEAP, "heap");
    var ada = new Client();
    ada.awaitClose();

    ada.endpoint.onPong(null);
    ada.endpoint.onError(ada.session, new IOException("reset"));
    ada.endpoint.onClose(ada.session, new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, ""));

    assertThat(sfu.service.connectionCount()).isZero();
    assertThat(ada.session.texts()).isEmpty();
    assertThat(SignalingEndpoint.isLost(1006)).isTrue();
    assertThat(SignalingEndpoint.isLost(1000)).isFalse();
    assertThat(SignalingEndpoint.isLost(1001)).isFalse();
  }
}

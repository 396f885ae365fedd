package io.cheenhub.sfu.signaling;

import io.cheenhub.sfu.config.SignalingLimits;
import io.cheenhub.sfu.metrics.SfuMetrics;
import io.cheenhub.sfu.room.JoinRejectedException;
import io.cheenhub.sfu.room.LeaveReason;
import io.cheenhub.sfu.room.Participant;
import io.cheenhub.sfu.sdp.AnswerBuilder;
import io.cheenhub.sfu.sdp.Attribute;
import io.cheenhub.sfu.sdp.LocalTransport;
import io.cheenhub.sfu.sdp.SdpException;
import io.cheenhub.sfu.sdp.SdpParser;
import io.cheenhub.sfu.sdp.SdpWriter;
import io.cheenhub.sfu.transport.MediaTransport;
import io.cheenhub.sfu.transport.RemoteParameters;
import io.cheenhub.sfu.transport.TransportUnavailableException;
import io.cheenhub.sfu.transport.dtls.Fingerprint;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server side of one WebSocket: rate limit, room memberships, liveness and the outbox.
 *
 * <p>Frames of one connection arrive one at a time (WebSocket guarantees it); membership changes
 * also come from the ping sweep and from shutdown, so they take this connection's lock. Lock order
 * is connection, then room.
 */
final class Connection {

  private static final Logger LOG = Logger.getLogger(Connection.class.getName());

  private final String id;
  private final Session session;
  private final SignalingService service;
  private final SignalingLimits limits;
  private final TokenBucket bucket;
  private final AbuseMeter abuse;
  private final Outbox outbox;
  private final Map<String, Membership> memberships = new LinkedHashMap<>();
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile long lastInboundNanos;

  Connection(String id, Session session, SignalingService service, long nowNanos) {
    this.id = id;
    this.session = session;
    this.service = service;
    this.limits = service.limits();
    this.bucket = new TokenBucket(limits.messagesPerSecond(), limits.messageBurst(), nowNanos);
    this.abuse =
        new AbuseMeter(limits.maxRejectedPerWindow(), limits.abuseWindow().toNanos(), nowNanos);
    this.outbox =
        new Outbox(
            session,
            service.executor(),
            limits.maxQueuedOutbound(),
            () ->
                close(
                    LeaveReason.DISCONNECTED,
                    CloseReason.CloseCodes.TRY_AGAIN_LATER,
                    "too slow: outbound queue full"));
    this.lastInboundNanos = nowNanos;
  }

  String id() {
    return id;
  }

  /** Any inbound frame, including a pong, proves the peer is alive. */
  void touch(long nowNanos) {
    lastInboundNanos = nowNanos;
  }

  long lastInboundNanos() {
    return lastInboundNanos;
  }

  Outbox outbox() {
    return outbox;
  }

  /** Handles one decoded client message. */
  void onMessage(Message.ClientMessage message, long nowNanos) {
    touch(nowNanos);
    if (!admit(message.requestId(), nowNanos)) {
      return;
    }
    service.metrics().messageReceived(MessageCodec.typeOf(message));
    try {
      if (message instanceof Message.Join join) {
        join(join);
      } else if (message instanceof Message.Leave leave) {
        leave(leave);
      } else if (message instanceof Message.Ping ping) {
        outbox.send(new Message.Pong(ping.requestId(), ping.ts(), System.currentTimeMillis()));
      } else if (message instanceof Message.PublishOffer offer) {
        publish(offer);
      } else if (message instanceof Message.PublishIce ice) {
        publishIce(ice);
      }
    } catch (SignalingException e) {
      reply(e);
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "internal error connection=" + id, e);
      reply(
          new SignalingException(
              ErrorCode.INTERNAL_ERROR,
              "internal error, see server log for connection " + id,
              message.requestId()));
    }
  }

  /** Answers a frame that could not be decoded. */
  void onRefused(SignalingException error, long nowNanos) {
    touch(nowNanos);
    if (!admit(error.requestId(), nowNanos)) {
      return;
    }
    service.metrics().messageReceived(SfuMetrics.INVALID_TYPE);
    LOG.fine(() -> "refused frame connection=" + id + " code=" + error.code().wireValue());
    reply(error);
  }

  /** Rate limit: refuse over-rate frames, and close the connection when the flood goes on. */
  private boolean admit(String requestId, long nowNanos) {
    if (bucket.tryTake(nowNanos)) {
      return true;
    }
    if (abuse.reject(nowNanos)) {
      LOG.warning(() -> "closing abusive connection=" + id + " reason=rate-limit");
      close(
          LeaveReason.DISCONNECTED, CloseReason.CloseCodes.VIOLATED_POLICY, "rate limit exceeded");
    } else if (abuse.shouldReport()) {
      reply(
          new SignalingException(
              ErrorCode.RATE_LIMITED,
              "more than "
                  + limits.messagesPerSecond()
                  + " messages per second; further messages are dropped until the rate falls",
              requestId));
    } else {
      service.metrics().errorSent(ErrorCode.RATE_LIMITED);
    }
    return false;
  }

  private void join(Message.Join join) throws SignalingException {
    String roomId = join.roomId();
    try {
      // A malformed request is reported as such before any state-dependent refusal.
      service.rooms().validateJoin(roomId, join.displayName());
    } catch (JoinRejectedException e) {
      throw new SignalingException(errorCode(e.reason()), e.getMessage(), join.requestId());
    }
    synchronized (this) {
      if (ended.get()) {
        return;
      }
      if (memberships.containsKey(roomId)) {
        throw new SignalingException(
            ErrorCode.ALREADY_JOINED, "already in room " + roomId, join.requestId());
      }
      if (memberships.size() >= limits.maxRoomsPerConnection()) {
        throw new SignalingException(
            ErrorCode.ROOM_LIMIT_REACHED,
            "a connection may be in at most " + limits.maxRoomsPerConnection() + " room(s)",
            join.requestId());
      }
      var membership = new Membership(outbox, join.requestId());
      try {
        service.rooms().join(roomId, join.displayName(), membership);
      } catch (JoinRejectedException e) {
        throw new SignalingException(errorCode(e.reason()), e.getMessage(), join.requestId());
      }
      memberships.put(roomId, membership);
    }
    service.metrics().participantJoined();
  }

  /** The membership a room-scoped request means: {@code roomId}, or the only room. */
  private Membership membership(String roomId, String requestId) throws SignalingException {
    synchronized (this) {
      if (roomId == null) {
        if (memberships.size() > 1) {
          throw new SignalingException(
              ErrorCode.AMBIGUOUS_ROOM,
              "in " + memberships.size() + " rooms: say which one",
              requestId);
        }
        if (memberships.isEmpty()) {
          throw new SignalingException(ErrorCode.NOT_JOINED, "not in any room", requestId);
        }
        return memberships.values().iterator().next();
      }
      Membership membership = memberships.get(roomId);
      if (membership == null) {
        throw new SignalingException(ErrorCode.NOT_JOINED, "not in room " + roomId, requestId);
      }
      return membership;
    }
  }

  /** Offer → parse → check → transport → answer; a new offer replaces the old transport. */
  private void publish(Message.PublishOffer offer) throws SignalingException {
    Membership membership = membership(offer.roomId(), offer.requestId());
    Participant participant = membership.participant();
    AnswerBuilder.Negotiation negotiation;
    try {
      negotiation =
          AnswerBuilder.negotiate(SdpParser.parse(offer.sdp()), Attribute.Direction.RECVONLY);
    } catch (SdpException e) {
      throw new SignalingException(ErrorCode.of(e.errorCode()), e.getMessage(), offer.requestId());
    }
    MediaTransport transport;
    try {
      transport =
          service
              .transports()
              .create(
                  new RemoteParameters(
                      negotiation.iceUfrag(),
                      negotiation.icePwd(),
                      negotiation.fingerprints().stream()
                          .map(f -> new Fingerprint(f.hashFunction(), f.fingerprint()))
                          .toList()));
    } catch (TransportUnavailableException e) {
      throw new SignalingException(
          ErrorCode.TRANSPORT_UNAVAILABLE, e.getMessage(), offer.requestId());
    } catch (IOException e) {
      LOG.log(Level.SEVERE, "transport creation failed connection=" + id, e);
      throw new SignalingException(
          ErrorCode.INTERNAL_ERROR,
          "could not create a media transport, see server log for connection " + id,
          offer.requestId());
    }
    Fingerprint fingerprint = transport.fingerprint();
    String answer =
        SdpWriter.write(
            negotiation.answer(
                new LocalTransport(
                    membership.sdpSessionId(),
                    membership.nextSdpVersion(),
                    transport.iceUfrag(),
                    transport.icePassword(),
                    new Attribute.Fingerprint(fingerprint.algorithm(), fingerprint.value()),
                    transport.candidates().stream().map(c -> "candidate:" + c).toList())));
    MediaTransport previous = participant.replacePublishTransport(transport);
    if (previous != null) {
      service.transports().close(previous, "replaced");
    }
    boolean stillMember =
        service
            .rooms()
            .room(participant.roomId())
            .map(room -> room.participants().contains(participant))
            .orElse(false);
    if (ended.get() || !stillMember) {
      // The participant left (or the connection ended) while we built the transport; its leave
      // already closed the old one, so close this one too rather than leak it.
      participant.replacePublishTransport(null);
      service.transports().close(transport, "left");
      return;
    }
    LOG.info(
        () -> "publishing " + participant + " transport=" + transport.id() + " connection=" + id);
    outbox.send(new Message.PublishAnswer(offer.requestId(), participant.roomId(), answer));
  }

  /** Validates a trickled candidate; the server learns addresses from checks (design §4). */
  private void publishIce(Message.PublishIce ice) throws SignalingException {
    membership(ice.roomId(), ice.requestId());
    if (!ice.candidate().isEmpty()) {
      String candidate =
          ice.candidate().startsWith("candidate:")
              ? ice.candidate().substring("candidate:".length())
              : ice.candidate();
      try {
        Attribute.Candidate.parse(candidate);
      } catch (SdpException e) {
        throw new SignalingException(ErrorCode.INVALID_CANDIDATE, e.getMessage(), ice.requestId());
      }
    }
  }

  private void leave(Message.Leave leave) throws SignalingException {
    String roomId;
    synchronized (this) {
      Membership membership = membership(leave.roomId(), leave.requestId());
      roomId = membership.participant().roomId();
      memberships.remove(roomId);
      leaveRoom(membership, LeaveReason.LEFT);
    }
    outbox.send(new Message.Left(leave.requestId(), roomId));
  }

  /**
   * Leaves every room once, whatever ends the connection first (close, error, timeout, shutdown).
   */
  void end(LeaveReason reason) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    synchronized (this) {
      for (Membership membership : new ArrayList<>(memberships.values())) {
        leaveRoom(membership, reason);
      }
      memberships.clear();
    }
    service.forget(this);
  }

  /**
   * Ends the connection and closes the socket with a reason the client can show, after the messages
   * already queued for it (typically the error that explains the close).
   */
  void close(LeaveReason leaveReason, CloseReason.CloseCode code, String reason) {
    end(leaveReason);
    outbox.closeAfterPending(new CloseReason(code, reason));
  }

  private void leaveRoom(Membership membership, LeaveReason reason) {
    Participant participant = membership.participant();
    if (participant == null) {
      return;
    }
    if (service.rooms().leave(participant, reason)) {
      service.metrics().participantLeft(reason);
    }
    MediaTransport transport = participant.replacePublishTransport(null);
    if (transport != null) {
      service.transports().close(transport, reason.wireValue());
    }
  }

  private void reply(SignalingException error) {
    service.metrics().errorSent(error.code());
    outbox.send(error.toMessage());
  }

  private static ErrorCode errorCode(JoinRejectedException.Reason reason) {
    return switch (reason) {
      case INVALID_ROOM_ID -> ErrorCode.INVALID_ROOM_ID;
      case INVALID_DISPLAY_NAME -> ErrorCode.INVALID_DISPLAY_NAME;
      case ROOM_FULL -> ErrorCode.ROOM_FULL;
    };
  }
}

package io.cheenhub.sfu.signaling;

import io.cheenhub.sfu.admission.Overload;
import io.cheenhub.sfu.auth.AuthException;
import io.cheenhub.sfu.auth.Identity;
import io.cheenhub.sfu.cluster.ClusterService;
import io.cheenhub.sfu.config.ClusterSettings;
import io.cheenhub.sfu.config.SignalingLimits;
import io.cheenhub.sfu.logging.EventLog;
import io.cheenhub.sfu.media.LayerMap;
import io.cheenhub.sfu.media.NegotiatedRtp;
import io.cheenhub.sfu.media.Publisher;
import io.cheenhub.sfu.media.Subscriber;
import io.cheenhub.sfu.media.SubscriberReports;
import io.cheenhub.sfu.metrics.SfuMetrics;
import io.cheenhub.sfu.room.JoinRejectedException;
import io.cheenhub.sfu.room.LeaveReason;
import io.cheenhub.sfu.room.Participant;
import io.cheenhub.sfu.sdp.AnswerBuilder;
import io.cheenhub.sfu.sdp.Attribute;
import io.cheenhub.sfu.sdp.MediaDescription;
import io.cheenhub.sfu.sdp.PublishLayer;
import io.cheenhub.sfu.sdp.SdpException;
import io.cheenhub.sfu.sdp.SdpParser;
import io.cheenhub.sfu.sdp.SdpWriter;
import io.cheenhub.sfu.sdp.SessionDescription;
import io.cheenhub.sfu.transport.MediaTransport;
import io.cheenhub.sfu.transport.RemoteParameters;
import io.cheenhub.sfu.transport.TransportUnavailableException;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;

/**
 * The server side of one WebSocket: rate limit, room memberships, liveness and the outbox.
 *
 * <p>Frames of one connection arrive one at a time (WebSocket guarantees it); membership changes
 * also come from the ping sweep and from shutdown, so they take this connection's lock. Lock order
 * is connection, then room.
 */
final class Connection {

  private static final EventLog EVENTS = EventLog.of(Connection.class);

  private final String id;
  private final Session session;
  private final SignalingService service;
  private final SignalingLimits limits;
  private final TokenBucket bucket;
  private final AbuseMeter abuse;
  private final Outbox outbox;
  private final Map<String, Membership> memberships = new LinkedHashMap<>();

  private final AtomicBoolean ended = new AtomicBoolean();

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
            service.writers(),
            service.codec()::encode,
            limits.maxQueuedOutbound(),
            () -> end(LeaveReason.DISCONNECTED));
  }

  String id() {
    return id;
  }

  /** Any inbound frame, including a pong, proves the peer is alive. */
  void touch() {
    outbox.answered();
  }

  /**
   * Whether the peer has left a ping unanswered for longer than {@code idleNanos}: counted from
   * when the ping was written, so a late sweep or writer is not taken for a silent peer.
   */
  boolean silentLongerThan(long idleNanos, long nowNanos) {
    return outbox.unansweredPingNanos(nowNanos) > idleNanos;
  }

  Outbox outbox() {
    return outbox;
  }

  /** Handles one decoded client message. */
  void onMessage(Message.ClientMessage message, long nowNanos) {
    touch();
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
        checkCandidate(ice.roomId(), ice.candidate(), ice.requestId());
      } else if (message instanceof Message.Subscribe subscribe) {
        subscribe(subscribe);
      } else if (message instanceof Message.ConsumeAnswer answer) {
        consumeAnswer(answer);
      } else if (message instanceof Message.ConsumeIce ice) {
        checkCandidate(ice.roomId(), ice.candidate(), ice.requestId());
      } else if (message instanceof Message.SetLayerPreference preference) {
        setLayerPreference(preference);
      } else if (message instanceof Message.SetMuted mute) {
        setMuted(mute);
      }
    } catch (SignalingException e) {
      // A refused join is a lifecycle event (room-full, draining); other refusals can come at the
      // client's full message rate, so they are FINE (the error counter has them all).
      reply(
          e,
          message instanceof Message.Join ? Level.INFO : Level.FINE,
          MessageCodec.typeOf(message));
    } catch (RuntimeException e) {
      EVENTS.log(
          Level.SEVERE,
          "internal error",
          e,
          EventLog.CONNECTION,
          id,
          EventLog.REQUEST_ID,
          message.requestId(),
          "type",
          MessageCodec.typeOf(message));
      reply(
          new SignalingException(
              ErrorCode.INTERNAL_ERROR,
              "internal error, see server log for connection " + id,
              message.requestId()));
    }
  }

  /** Answers a frame that could not be decoded. */
  void onRefused(SignalingException error, long nowNanos) {
    touch();
    if (!admit(error.requestId(), nowNanos)) {
      return;
    }
    service.metrics().messageReceived(SfuMetrics.INVALID_TYPE);
    reply(error);
  }

  /**
   * A frame over twice the limit: closed with 1009 like the container does for such a fragmented
   * message, without reading further frames of this client.
   */
  void onOversized(String description) {
    touch();
    service.metrics().messageReceived(SfuMetrics.INVALID_TYPE);
    EVENTS.info(
        "closing connection",
        EventLog.CONNECTION,
        id,
        "reason",
        "frame-too-large",
        "frame",
        description);
    close(LeaveReason.DISCONNECTED, CloseReason.CloseCodes.TOO_BIG, "frame too large");
  }

  /** Rate limit: refuse over-rate frames, and close the connection when the flood goes on. */
  private boolean admit(String requestId, long nowNanos) {
    if (abuse.tripped()) {
      // Closing for abuse: the frames still arriving (a flood has dozens in flight) are dropped
      // quietly, counted but neither answered nor logged.
      service.metrics().errorSent(ErrorCode.RATE_LIMITED);
      return false;
    }
    if (bucket.tryTake(nowNanos)) {
      return true;
    }
    if (abuse.reject(nowNanos)) {
      EVENTS.warning("closing abusive connection", EventLog.CONNECTION, id, "reason", "rate-limit");
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
    Identity identity;
    try {
      identity = service.authenticator().authenticateJoin(join.token(), roomId);
    } catch (AuthException e) {
      throw refused(e, join.requestId());
    }
    String displayName =
        identity != null && identity.name() != null ? identity.name() : join.displayName();
    try {
      // A malformed request is reported as such before any state-dependent refusal.
      service.rooms().validateJoin(roomId, displayName);
    } catch (JoinRejectedException e) {
      throw new SignalingException(errorCode(e.reason()), e.getMessage(), join.requestId());
    }
    if (!joinsHere(join)) {
      return;
    }
    if (service.isDraining()) {
      throw new SignalingException(
          ErrorCode.DRAINING,
          "this server is draining (restart or maintenance): reconnect in a moment",
          join.requestId());
    }
    Membership joined;
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
      if (join.reconnectToken() != null && resume(join)) {
        memberships.get(roomId).setIdentity(identity);
        return;
      }
      // Admission control refuses newcomers only: a resume above keeps its place.
      Overload overload = service.admission().overload();
      if (overload != null) {
        service.metrics().joinRefused(overload.reason());
        throw new SignalingException(
            ErrorCode.OVERLOADED,
            "server overloaded, try again later: " + overload.message(),
            join.requestId());
      }
      String user = identity != null ? "sub:" + identity.subject() : "connection:" + id;
      if (!service.userRooms().tryAcquire(user)) {
        throw new SignalingException(
            ErrorCode.USER_ROOM_LIMIT,
            "a user may be in at most " + service.userRooms().maxPerUser() + " room(s)",
            join.requestId());
      }
      var membership =
          new Membership(this, outbox, join.requestId(), service.tokens(), service.turn());
      membership.setIdentity(identity);
      try {
        service.rooms().join(roomId, displayName, membership);
      } catch (JoinRejectedException e) {
        service.userRooms().release(user);
        throw new SignalingException(errorCode(e.reason()), e.getMessage(), join.requestId());
      }
      membership.holdRoomOf(user);
      memberships.put(roomId, membership);
      joined = membership;
    }
    service.metrics().participantJoined();
    service.cascade().localJoined(joined.room(), joined.participant());
    service.slotsIfLarge(joined.room());
    EVENTS.info(
        "participant joined",
        EventLog.ROOM,
        roomId,
        EventLog.PARTICIPANT,
        joined.participant().id(),
        EventLog.CONNECTION,
        id,
        EventLog.REQUEST_ID,
        join.requestId(),
        "name",
        joined.participant().displayName());
  }

  /**
   * In a cluster, whether the room of {@code join} lives on this instance; if it lives on another,
   * the client is sent there with {@code redirect} (docs/deployment.md, "Cluster"). A valid ticket
   * means another instance just placed the room here and sent the client: trusted without asking
   * the grid again (if the room moved meanwhile, the heartbeat's check sends its clients on).
   */
  private boolean joinsHere(Message.Join join) throws SignalingException {
    ClusterService cluster = service.cluster();
    if (!cluster.enabled()) {
      return true;
    }
    String roomId = join.roomId();
    if (join.ticket() != null && cluster.sentHere(roomId, join.ticket())) {
      service.metrics().redirectFollowed();
      return true;
    }
    ClusterService.Decision decision = cluster.decide(roomId);
    if (decision == null) {
      throw new SignalingException(
          ErrorCode.OVERLOADED,
          "no instance of the cluster takes new rooms now (all draining or overloaded): try again"
              + " later",
          join.requestId());
    }
    if (decision.local()) {
      return true;
    }
    service.metrics().joinRedirected();
    outbox.send(
        new Message.Redirect(
            join.requestId(),
            roomId,
            ClusterSettings.signalingUrl(decision.url()),
            decision.ticket()));
    EVENTS.info(
        "join redirected",
        EventLog.ROOM,
        roomId,
        EventLog.CONNECTION,
        id,
        EventLog.REQUEST_ID,
        join.requestId(),
        "to",
        decision.url());
    return false;
  }

  /** Fails unless the token this room was joined with grants {@code permission} (if it had one). */
  private void authorize(Membership membership, String permission, String requestId)
      throws SignalingException {
    Identity identity = membership.identity();
    if (identity == null) {
      return;
    }
    try {
      identity.authorize(membership.participant().roomId(), permission);
    } catch (AuthException e) {
      throw refused(e, requestId);
    }
  }

  private static SignalingException refused(AuthException e, String requestId) {
    return new SignalingException(ErrorCode.of(e.failure()), e.getMessage(), requestId);
  }

  /**
   * Takes back the participant of {@code join}'s reconnect token, if the server still holds it:
   * from its suspended state, or from an older connection of the same client that has not noticed
   * it is dead yet (that one is closed with 4000). Under this connection's lock.
   *
   * @return false if the token names nobody (expired, used, server restarted): join as new
   */
  private boolean resume(Message.Join join) {
    Membership membership = service.tokens().claim(join.reconnectToken(), join.roomId());
    if (membership == null) {
      return false;
    }
    Connection previous = membership.owner();
    // Detach first, under the old connection's lock, so its end() cannot suspend or leave the
    // membership after it moved here.
    boolean previousEmpty = previous != null && previous != this && previous.release(membership);
    if (!membership.moveTo(this, outbox, join.requestId())) {
      return false;
    }
    memberships.put(join.roomId(), membership);
    if (previousEmpty) {
      previous.close(LeaveReason.DISCONNECTED, REPLACED, "replaced by a newer connection");
    }
    EVENTS.info(
        "participant resumed",
        EventLog.ROOM,
        join.roomId(),
        EventLog.PARTICIPANT,
        membership.participant().id(),
        EventLog.CONNECTION,
        id,
        EventLog.REQUEST_ID,
        join.requestId(),
        "from",
        previous == null ? "suspended" : previous.id());
    return true;
  }

  /**
   * {@code membership} moves to a newer connection of the same client: forget it here.
   *
   * @return true if this connection is left in no room (the caller then closes it)
   */
  private synchronized boolean release(Membership membership) {
    memberships.values().remove(membership);
    return memberships.isEmpty() && !ended.get();
  }

  /** Close code (application range, RFC 6455 §7.4.2): a newer connection took this one's place. */
  static final CloseReason.CloseCode REPLACED = CloseReason.CloseCodes.getCloseCode(4000);

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
    long receivedNanos = System.nanoTime();
    Membership membership = membership(offer.roomId(), offer.requestId());
    authorize(membership, Identity.PUBLISH, offer.requestId());
    Participant participant = membership.participant();
    AnswerBuilder.Negotiation negotiation;
    try {
      negotiation =
          AnswerBuilder.negotiate(SdpParser.parse(offer.sdp()), Attribute.Direction.RECVONLY);
    } catch (SdpException e) {
      throw new SignalingException(ErrorCode.of(e.errorCode()), e.getMessage(), offer.requestId());
    }
    // Checked before a transport exists, so that a refusal leaves nothing to close.
    LayerMap layers = layers(negotiation, offer);
    RemoteParameters remote =
        TransportSdp.remote(
            negotiation.iceUfrag(),
            negotiation.icePwd(),
            negotiation.fingerprints(),
            offer.requestId());
    MediaTransport transport = openTransport(offer.requestId());
    if (membership.publisher() == null) {
      // The first publish of this join: setup time counts from the join, as a user waits it.
      transport.measureSetupFrom(membership.joinedNanos());
    }
    transport.start(remote);
    SessionDescription answer =
        negotiation.answer(
            TransportSdp.local(transport, membership.sdpSessionId(), membership.nextSdpVersion()));
    String answerSdp = SdpWriter.write(answer);
    NegotiatedRtp negotiated = negotiated(answer);
    Publisher added = null;
    MediaTransport previous;
    synchronized (membership) {
      if (ended.get() || membership.hasLeft()) {
        // The participant left (or the connection ended) while we built the transport; its leave
        // already closed everything else, so close this one too rather than leak it.
        service.transports().close(transport, "left");
        return;
      }
      Publisher publisher = membership.publisher();
      if (publisher == null) {
        publisher = service.forwarding().newPublisher(participant.id(), negotiated);
        membership.setPublisher(publisher);
        added = publisher;
      } else {
        // A re-offer (reconnect, new device): subscribers keep one continuous stream.
        publisher.setNegotiated(negotiated);
      }
      publisher.setLayers(layers);
      transport.setSink(publisher);
      publisher.setRtcpSender(transport::sendRtcp);
      previous = participant.replacePublishTransport(transport);
      transport.setOwner(
          new MediaTransport.Owner(
              participant.roomId(),
              participant.id(),
              "publish",
              id,
              t -> participant.publishTransport() == t));
      if (added != null) {
        if (participant.isMuted()) {
          membership.room().forwarding().setMuted(added, true);
        }
        membership.room().forwarding().addPublisher(added);
      }
    }
    if (previous != null) {
      service.transports().close(previous, "replaced");
    }
    if (added != null) {
      service.cascade().localPublished(participant, added);
      membership.room().mediaChanged();
    }
    EVENTS.info(
        "publish negotiated", transport.correlation(EventLog.REQUEST_ID, offer.requestId()));
    outbox.send(new Message.PublishAnswer(offer.requestId(), participant.roomId(), answerSdp));
    if (layers.isLayered()) {
      // Which layers to start with (the best only, until a listener needs another).
      outbox.send(
          new Message.LayersUpdate(
              participant.roomId(),
              Membership.layersMessage(membership.publisher().activeLayers(), layers.count())));
    }
    service
        .metrics()
        .sdpNegotiated(SfuMetrics.Negotiation.PUBLISH, System.nanoTime() - receivedNanos);
  }

  /**
   * The offer's audio layers: RFC 8853 simulcast in the SDP, or the web client's {@code layers}
   * field naming its m-lines; {@link LayerMap#SINGLE} for neither.
   */
  private static LayerMap layers(AnswerBuilder.Negotiation negotiation, Message.PublishOffer offer)
      throws SignalingException {
    List<PublishLayer> described = negotiation.layers();
    if (offer.layers() != null) {
      if (!described.isEmpty()) {
        throw new SignalingException(
            ErrorCode.INVALID_FIELD,
            "\"layers\" cannot be combined with a=simulcast in the offer",
            offer.requestId());
      }
      var byMid = new LinkedHashMap<String, String>();
      for (Message.MidLayer entry : offer.layers()) {
        if (byMid.put(entry.mid(), entry.layer()) != null) {
          throw new SignalingException(
              ErrorCode.INVALID_FIELD,
              "\"layers\" names mid " + entry.mid() + " twice",
              offer.requestId());
        }
      }
      try {
        described = negotiation.browserLayers(byMid);
      } catch (IllegalArgumentException e) {
        throw new SignalingException(
            ErrorCode.INVALID_FIELD, "\"layers\": " + e.getMessage(), offer.requestId());
      }
    }
    return LayerMap.of(
        described.stream()
            .map(l -> new LayerMap.Entry(l.mid(), l.rid(), l.ssrcs(), l.index(), l.maxBitrateBps()))
            .toList());
  }

  /** What the publish answer agreed: the Opus and RED payload types and header extension ids. */
  private static NegotiatedRtp negotiated(SessionDescription answer) {
    for (MediaDescription m : answer.media()) {
      if (m.port() == 0 || !m.type().equals("audio")) {
        continue;
      }
      int opus = -1;
      int red = NegotiatedRtp.NO_RED;
      for (int pt : m.payloadTypes()) {
        String name = m.rtpmap(pt).map(r -> r.encodingName()).orElse("");
        if (name.equalsIgnoreCase("opus") && opus < 0) {
          opus = pt;
        } else if (name.equalsIgnoreCase("red")) {
          red = pt;
        }
      }
      if (opus >= 0) {
        boolean nack =
            m.rtcpFeedback(opus).stream()
                .anyMatch(fb -> fb.type().equals("nack") && fb.parameters() == null);
        return NegotiatedRtp.of(opus, red, m.extensionIds()).withNack(nack);
      }
    }
    throw new IllegalStateException("publish answer accepts no Opus m-line");
  }

  /** A new, not yet started transport, or the error that tells the client why there is none. */
  private MediaTransport openTransport(String requestId) throws SignalingException {
    try {
      return service.transports().open();
    } catch (TransportUnavailableException e) {
      throw new SignalingException(ErrorCode.TRANSPORT_UNAVAILABLE, e.getMessage(), requestId);
    } catch (IOException e) {
      EVENTS.log(
          Level.SEVERE,
          "transport creation failed",
          e,
          EventLog.CONNECTION,
          id,
          EventLog.REQUEST_ID,
          requestId);
      throw new SignalingException(
          ErrorCode.INTERNAL_ERROR,
          "could not create a media transport, see server log for connection " + id,
          requestId);
    }
  }

  /**
   * Creates (or replaces) the subscribe transport and its subscriber, puts it in the room's table
   * and sends trackAdded for every stream there and the first consumeOffer.
   */
  /**
   * Records the participant's mute state, tells the room, and takes it out of speaker selection.
   */
  private void setMuted(Message.SetMuted request) throws SignalingException {
    Membership membership = membership(request.roomId(), request.requestId());
    Participant participant = membership.participant();
    boolean muted = request.muted();
    participant.setMuted(muted);
    Publisher publisher = membership.publisher();
    if (publisher != null) {
      membership.room().forwarding().setMuted(publisher, muted);
    }
    membership.room().mutedChanged(participant, request.requestId());
    service.cascade().localMuted(participant);
  }

  /** Caps the layers this listener receives, from everyone or one speaker. */
  private void setLayerPreference(Message.SetLayerPreference request) throws SignalingException {
    Membership membership = membership(request.roomId(), request.requestId());
    int bestLayer = LayerMap.indexOf(request.maxLayer());
    if (bestLayer == LayerMap.UNKNOWN) {
      throw new SignalingException(
          ErrorCode.INVALID_FIELD, "\"maxLayer\" must be h, m or l", request.requestId());
    }
    String speaker = request.participantId();
    if (speaker != null
        && membership.room().participants().stream().noneMatch(p -> p.id().equals(speaker))) {
      throw new SignalingException(
          ErrorCode.INVALID_FIELD,
          "no participant "
              + (speaker.length() <= 64 ? speaker : speaker.substring(0, 64) + "…")
              + " in this room",
          request.requestId());
    }
    if (!membership.capLayers(speaker, bestLayer)) {
      throw new SignalingException(
          ErrorCode.INVALID_FIELD,
          "at most " + Membership.MAX_LAYER_CAPS + " speakers can be capped one by one",
          request.requestId());
    }
    outbox.send(
        new Message.LayerPreference(
            request.requestId(), membership.participant().roomId(), request.maxLayer(), speaker));
  }

  private void subscribe(Message.Subscribe request) throws SignalingException {
    Membership membership = membership(request.roomId(), request.requestId());
    authorize(membership, Identity.SUBSCRIBE, request.requestId());
    Participant participant = membership.participant();
    MediaTransport transport = openTransport(request.requestId());
    Subscriber subscriber =
        service.forwarding().newSubscriber(participant.id(), Subscription.OFFERED);
    membership.applyLayerCaps(subscriber);
    subscriber.setSender(
        new Subscriber.Sender() {
          @Override
          public boolean sendRtp(byte[] buffer, int offset, int length) {
            return transport.sendRtp(buffer, offset, length);
          }

          @Override
          public boolean sendRtcp(byte[] buffer, int offset, int length) {
            return transport.sendRtcp(buffer, offset, length);
          }

          @Override
          public boolean isReady() {
            return transport.isConnected();
          }
        });
    subscriber.setRtcpHandler(
        new SubscriberReports(
            subscriber, membership.room().forwarding(), service.forwarding().pool()));
    transport.setSink(subscriber);
    var subscription =
        new Subscription(
            membership,
            membership.room(),
            transport,
            subscriber,
            service.transports(),
            service.forwarding());
    Subscription previous;
    synchronized (membership) {
      if (ended.get() || membership.hasLeft()) {
        service.forwarding().forget(subscriber);
        subscriber.close();
        service.transports().close(transport, "left");
        return;
      }
      previous = membership.replaceSubscription(subscription);
      participant.replaceSubscribeTransport(transport);
      transport.setOwner(
          new MediaTransport.Owner(
              participant.roomId(),
              participant.id(),
              "subscribe",
              id,
              t -> participant.subscribeTransport() == t));
      membership.room().forwarding().addSubscriber(subscriber);
    }
    if (previous != null) {
      previous.close("replaced");
    }
    EVENTS.info(
        "subscribe requested", transport.correlation(EventLog.REQUEST_ID, request.requestId()));
    subscription.start(request.requestId());
  }

  private void consumeAnswer(Message.ConsumeAnswer answer) throws SignalingException {
    Membership membership = membership(answer.roomId(), answer.requestId());
    Subscription subscription = membership.subscription();
    if (subscription == null) {
      throw new SignalingException(
          ErrorCode.NO_OFFER,
          "no subscribe PeerConnection: send subscribe first",
          answer.requestId());
    }
    long offeredNanos = subscription.offerSentNanos();
    subscription.onAnswer(answer);
    service
        .metrics()
        .sdpNegotiated(SfuMetrics.Negotiation.SUBSCRIBE, System.nanoTime() - offeredNanos);
  }

  /** Validates a trickled candidate; the server learns addresses from checks (design §4). */
  private void checkCandidate(String roomId, String candidate, String requestId)
      throws SignalingException {
    membership(roomId, requestId);
    if (!candidate.isEmpty()) {
      String value =
          candidate.startsWith("candidate:")
              ? candidate.substring("candidate:".length())
              : candidate;
      try {
        Attribute.Candidate.parse(value);
      } catch (SdpException e) {
        throw new SignalingException(ErrorCode.INVALID_CANDIDATE, e.getMessage(), requestId);
      }
    }
  }

  private void leave(Message.Leave leave) throws SignalingException {
    String roomId;
    synchronized (this) {
      Membership membership = membership(leave.roomId(), leave.requestId());
      roomId = membership.participant().roomId();
      memberships.remove(roomId);
      service.leave(membership, LeaveReason.LEFT, leave.requestId());
    }
    outbox.send(new Message.Left(leave.requestId(), roomId));
  }

  /**
   * The room {@code roomId} now lives on another instance: the client is told where ({@code
   * redirect}) and its participant leaves here. Nothing if this connection is not in that room.
   */
  void moveRoom(String roomId, Message.Redirect redirect) {
    synchronized (this) {
      Membership membership = memberships.remove(roomId);
      if (membership == null) {
        return;
      }
      outbox.send(redirect);
      service.leave(membership, LeaveReason.MOVED);
    }
    EVENTS.info("participant moved", EventLog.ROOM, roomId, EventLog.CONNECTION, id);
  }

  /**
   * Leaves every room once, whatever ends the connection first (close, error, timeout, shutdown).
   */
  void end(LeaveReason reason) {
    end(reason, false);
  }

  /**
   * Ends the connection. With {@code lost} (the socket dropped without a close frame: network loss,
   * a proxy reset) the participants stay in their rooms, media running, for the reconnect grace
   * period; otherwise they leave now.
   */
  void end(LeaveReason reason, boolean lost) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    boolean grace = lost && !service.limits().reconnectGrace().isZero();
    synchronized (this) {
      for (Membership membership : new ArrayList<>(memberships.values())) {
        if (grace) {
          service.suspend(membership);
        } else {
          service.leave(membership, reason);
        }
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

  /** Drain, step zero: completes once the frames queued so far (a {@code redirect}) are written. */
  java.util.concurrent.Future<Void> flushed() {
    return outbox.flushed();
  }

  /**
   * Drain, step one: stop queueing (so no client hears of the others' departures) and send {@code
   * reconnect} now, bypassing the outbox's executor (it may be shutting down with the application).
   *
   * @return the send in flight, to wait for before {@link #closeDrained}
   */
  java.util.concurrent.Future<Void> drain(Message.Reconnect message) {
    EVENTS.info("connection drained", EventLog.CONNECTION, id);
    return outbox.sendNow(service.codec().encode(message));
  }

  /**
   * Drain, step two: leave every room without grace (this server goes away, the client rejoins
   * elsewhere or after the restart) and close the socket with 1012 (Service Restart, IANA WebSocket
   * close code registry).
   */
  void closeDrained() {
    try {
      end(LeaveReason.SHUTDOWN);
    } finally {
      // Whatever freeing the participants ran into, the client learns it should come back.
      outbox.closeNow(new CloseReason(CloseReason.CloseCodes.SERVICE_RESTART, "server restarting"));
    }
  }

  private void reply(SignalingException error) {
    reply(error, Level.FINE, null);
  }

  private void reply(SignalingException error, Level level, String type) {
    service.metrics().errorSent(error.code());
    EVENTS.log(
        level,
        "request refused",
        null,
        EventLog.CONNECTION,
        id,
        EventLog.REQUEST_ID,
        error.requestId(),
        "type",
        type,
        "code",
        error.code().wireValue(),
        "message",
        error.getMessage());
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

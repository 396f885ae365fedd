package io.cheenhub.sfu.signaling;

import io.cheenhub.sfu.logging.EventLog;
import io.cheenhub.sfu.media.ForwardingService;
import io.cheenhub.sfu.media.NegotiatedRtp;
import io.cheenhub.sfu.media.OutgoingStream;
import io.cheenhub.sfu.media.Subscriber;
import io.cheenhub.sfu.room.Room;
import io.cheenhub.sfu.sdp.LocalTransport;
import io.cheenhub.sfu.sdp.SdpException;
import io.cheenhub.sfu.sdp.SdpParser;
import io.cheenhub.sfu.sdp.SdpWriter;
import io.cheenhub.sfu.sdp.SessionDescription;
import io.cheenhub.sfu.sdp.SubscribeAnswer;
import io.cheenhub.sfu.sdp.SubscribeOfferBuilder;
import io.cheenhub.sfu.transport.MediaTransport;
import io.cheenhub.sfu.transport.TransportService;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * One subscribe PeerConnection: the server offers, the browser answers (design §1).
 *
 * <p>The m-lines follow the room's {@link io.cheenhub.sfu.media.ForwardingTable}: {@link
 * #reconcile()} compares the streams the table sends to this subscriber with the m-lines offered so
 * far, announces each difference ({@code trackAdded}/{@code trackRemoved}) and re-offers. One offer
 * is outstanding at a time; changes that arrive meanwhile wait for its answer, then go out in one
 * new offer. A new stream is forwarded only once an answer covered its m-line ({@link
 * OutgoingStream#activate()}); streams that stay keep their mid and SSRC, so re-offers do not touch
 * them.
 *
 * <p>Thread-safety: everything below runs under this object's lock; callers are the connection's
 * message thread and any thread that changed the room's table.
 */
final class Subscription {

  private static final Logger LOG = Logger.getLogger(Subscription.class.getName());
  private static final EventLog EVENTS = EventLog.of(Subscription.class);
  private static final SecureRandom SDP_SESSION_IDS = new SecureRandom();

  /** The m-line that holds the transport (see {@link SubscribeOfferBuilder.Anchor}). */
  private static final String ANCHOR_MID = "0";

  /** The {@code a=msid} track id of every forwarded stream (one audio track per participant). */
  static final String TRACK_ID = "audio";

  /**
   * What every subscribe offer fixes, as far as forwarding cares: Opus and the audio-level id (the
   * other offered extensions are not forwarded). The answer may drop the extension.
   */
  static final NegotiatedRtp OFFERED =
      NegotiatedRtp.of(
          SubscribeOfferBuilder.OPUS_PAYLOAD_TYPE,
          Map.of(NegotiatedRtp.AUDIO_LEVEL_URI, SubscribeOfferBuilder.AUDIO_LEVEL_EXTENSION_ID));

  private final Membership membership;
  private final Room room;
  private final MediaTransport transport;
  private final Subscriber subscriber;
  private final TransportService transports;
  private final ForwardingService forwarding;
  private final long sdpSessionId = SDP_SESSION_IDS.nextLong() & Long.MAX_VALUE;

  // Guarded by this.
  private final List<SubscribeOfferBuilder.Slot> slots = new ArrayList<>();
  private final Map<OutgoingStream, SubscribeOfferBuilder.Track> tracks = new LinkedHashMap<>();
  private long sdpVersion = 1;
  private int nextMid = 1;
  private SessionDescription outstanding;
  private long offerSentNanos;
  private List<OutgoingStream> outstandingStreams = List.of();
  private boolean changedSinceOffer;
  private boolean started;
  private boolean closed;

  Subscription(
      Membership membership,
      Room room,
      MediaTransport transport,
      Subscriber subscriber,
      TransportService transports,
      ForwardingService forwarding) {
    this.membership = membership;
    this.room = room;
    this.transport = transport;
    this.subscriber = subscriber;
    this.transports = transports;
    this.forwarding = forwarding;
    slots.add(new SubscribeOfferBuilder.Anchor(ANCHOR_MID));
  }

  Subscriber subscriber() {
    return subscriber;
  }

  MediaTransport transport() {
    return transport;
  }

  /** Announces the streams already there and sends the first offer, answering {@code requestId}. */
  synchronized void start(String requestId) {
    if (closed || started) {
      return;
    }
    started = true;
    applyTable();
    sendOffer(requestId);
  }

  /** The room's table changed: announce the difference and re-offer (now or after the answer). */
  synchronized void reconcile() {
    // Before start() the first offer has not gone out: start() will include the change, and an
    // offer sent from here would overtake the one that answers the subscribe request.
    if (closed || !started || !applyTable()) {
      return;
    }
    if (outstanding != null) {
      changedSinceOffer = true;
    } else {
      sendOffer(null);
    }
  }

  /**
   * The client reconnected (same participant): the offer it may have missed goes out again, as a
   * new version, on the new connection.
   */
  synchronized void resume() {
    if (closed || !started) {
      return;
    }
    applyTable();
    if (outstanding != null || changedSinceOffer) {
      sendOffer(null);
    }
  }

  /** The browser's answer to the outstanding offer. */
  synchronized void onAnswer(Message.ConsumeAnswer message) throws SignalingException {
    if (closed) {
      return;
    }
    if (outstanding == null) {
      throw new SignalingException(
          ErrorCode.NO_OFFER, "no consumeOffer is waiting for an answer", message.requestId());
    }
    SubscribeAnswer answer;
    try {
      answer = SubscribeAnswer.read(SdpParser.parse(message.sdp()), outstanding);
    } catch (SdpException e) {
      throw new SignalingException(
          ErrorCode.of(e.errorCode()), e.getMessage(), message.requestId());
    }
    // Empty when every m-line was rejected and no transport named (RFC 8843 §7.3.3): nothing to
    // start yet, a later answer does.
    SubscribeAnswer.Transport remote = answer.transport().orElse(null);
    if (remote != null && !transport.isStarted()) {
      transport.start(
          TransportSdp.remote(
              remote.iceUfrag(), remote.icePwd(), remote.fingerprints(), message.requestId()));
    } else if (remote != null && !remote.iceUfrag().equals(transport.remoteUfrag())) {
      throw new SignalingException(
          ErrorCode.SDP_MALFORMED,
          "the answer changes the ICE credentials; ICE restarts are not supported, send a new"
              + " subscribe instead",
          message.requestId());
    }
    // RFC 3264 §8.2, JSEP (RFC 8829 §5.2.2): an m-line the answer rejected stays rejected in later
    // offers. werift rejects the inactive anchor, and fails a re-offer that enables it again.
    for (String mid : answer.rejectedMids()) {
      int index = slots.indexOf(new SubscribeOfferBuilder.Anchor(mid));
      if (index >= 0) {
        slots.set(index, new SubscribeOfferBuilder.Retired(mid));
      }
    }
    subscriber.setNegotiated(
        NegotiatedRtp.of(
                OFFERED.opusPayloadType(),
                answer.red() ? SubscribeOfferBuilder.RED_PAYLOAD_TYPE : NegotiatedRtp.NO_RED,
                answer.extensionIds())
            .withNack(answer.nack()));
    boolean slots = false;
    for (OutgoingStream stream : outstandingStreams) {
      stream.activate();
      slots |= stream.isSlot();
    }
    EVENTS.info(
        "subscribe negotiated",
        transport.correlation(
            EventLog.REQUEST_ID, message.requestId(), "tracks", outstandingStreams.size()));
    outstanding = null;
    outstandingStreams = List.of();
    // A large room's slots now carry the audio: the per-publisher streams go (make before break).
    if (slots && !room.forwarding().slotsActivated(subscriber).isEmpty()) {
      changedSinceOffer |= applyTable();
    }
    if (changedSinceOffer) {
      sendOffer(null);
    }
  }

  /**
   * Stops forwarding to this subscriber and frees its transport. Idempotent. Call without holding
   * the membership's lock is not required; never call under this object's lock from elsewhere.
   */
  void close(String reason) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    room.forwarding().removeSubscriber(subscriber);
    forwarding.forget(subscriber);
    transports.close(transport, reason);
  }

  /** Brings slots in line with the table; sends trackAdded/trackRemoved; true if anything moved. */
  private boolean applyTable() {
    List<OutgoingStream> wanted = room.forwarding().snapshot().streamsTo(subscriber);
    boolean changed = false;
    var gone = new ArrayList<OutgoingStream>();
    for (OutgoingStream stream : tracks.keySet()) {
      if (!wanted.contains(stream)) {
        gone.add(stream);
      }
    }
    for (OutgoingStream stream : gone) {
      SubscribeOfferBuilder.Track track = tracks.remove(stream);
      slots.set(slots.indexOf(track), new SubscribeOfferBuilder.Retired(track.mid()));
      membership.send(
          new Message.TrackRemoved(room.id(), track.streamId(), track.streamId(), track.mid()));
      changed = true;
    }
    for (OutgoingStream stream : wanted) {
      if (tracks.containsKey(stream)) {
        continue;
      }
      // A publisher's stream is named by its participant id, a speaker slot by "slot-<k>"
      // (activeSpeakers says who speaks in it).
      String owner = stream.trackOwner();
      var track =
          new SubscribeOfferBuilder.Track(
              "a" + nextMid++, owner, TRACK_ID, Integer.toUnsignedLong(stream.ssrc()), owner);
      tracks.put(stream, track);
      slots.add(track);
      membership.send(
          new Message.TrackAdded(
              room.id(), stream.isSlot() ? null : owner, owner, TRACK_ID, track.mid()));
      changed = true;
    }
    return changed;
  }

  /** When the last consumeOffer was sent ({@link System#nanoTime()}). */
  synchronized long offerSentNanos() {
    return offerSentNanos;
  }

  private void sendOffer(String requestId) {
    offerSentNanos = System.nanoTime();
    LocalTransport local = TransportSdp.local(transport, sdpSessionId, sdpVersion++);
    SessionDescription offer = SubscribeOfferBuilder.offer(slots, local);
    outstanding = offer;
    outstandingStreams = List.copyOf(tracks.keySet());
    changedSinceOffer = false;
    LOG.fine(
        () ->
            "consume offer room="
                + room.id()
                + " subscriber="
                + subscriber.participantId()
                + " tracks="
                + tracks.size()
                + " mlines="
                + slots.size());
    membership.send(new Message.ConsumeOffer(requestId, room.id(), SdpWriter.write(offer)));
  }
}

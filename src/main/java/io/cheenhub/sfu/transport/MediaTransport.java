package io.cheenhub.sfu.transport;

import io.cheenhub.sfu.logging.EventLog;
import io.cheenhub.sfu.packet.SerialQueue;
import io.cheenhub.sfu.rtp.PacketClassifier;
import io.cheenhub.sfu.rtp.RtpPacket;
import io.cheenhub.sfu.transport.dtls.DtlsCertificate;
import io.cheenhub.sfu.transport.dtls.DtlsParameters;
import io.cheenhub.sfu.transport.dtls.DtlsSession;
import io.cheenhub.sfu.transport.dtls.Fingerprint;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome;
import io.cheenhub.sfu.transport.ice.DirectSend;
import io.cheenhub.sfu.transport.ice.IcePort;
import io.cheenhub.sfu.transport.srtp.DtlsRole;
import io.cheenhub.sfu.transport.srtp.SrtpDrop;
import io.cheenhub.sfu.transport.srtp.SrtpSession;
import java.beans.PropertyChangeEvent;
import java.beans.PropertyChangeListener;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CheckList;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.harvest.SinglePortUdpHarvester;
import org.ice4j.util.Buffer;

/**
 * The server end of one PeerConnection: an ice4j agent on the shared port (ICE controlled, full
 * ICE, consent freshness), a DTLS 1.2 server, and SRTP/SRTCP contexts from its keys.
 *
 * <p>Receive path, RFC 7983 demultiplexing first: the ice4j thread classifies each datagram by its
 * first byte; DTLS goes to the handshake, SRTP/SRTCP into this transport's bounded {@link
 * SerialQueue}, anything else is counted and dropped. The queue is drained on the packet workers,
 * which decrypt and hand packets to the {@link PacketSink}. The ice4j thread never decrypts or
 * blocks.
 */
public final class MediaTransport {

  private static final Logger LOG = Logger.getLogger(MediaTransport.class.getName());
  private static final EventLog EVENTS = EventLog.of(MediaTransport.class);

  /** Where decrypted packets go. Called on a packet worker, one packet at a time per transport. */
  public interface PacketSink {
    /** A decrypted RTP packet in {@code packet}; valid only during the call. */
    void onRtp(RtpPacket packet);

    /** A decrypted RTCP datagram (compound or not); valid only during the call. */
    void onRtcp(byte[] buffer, int offset, int length);

    /**
     * Whether this SRTP packet, whose clear header is in {@code header}, can stay encrypted because
     * nobody needs its payload; then {@link #onUndecrypted} gets it instead of {@link #onRtp}.
     */
    default boolean skipsDecryption(RtpPacket header) {
      return false;
    }

    /** A packet {@link #skipsDecryption} let through: its header is clear, its payload is not. */
    default void onUndecrypted(RtpPacket header) {}

    /** Drops everything. */
    PacketSink NONE =
        new PacketSink() {
          @Override
          public void onRtp(RtpPacket packet) {}

          @Override
          public void onRtcp(byte[] buffer, int offset, int length) {}
        };
  }

  /** ICE state as the API reports it. */
  public enum IceState {
    NEW,
    CHECKING,
    CONNECTED,
    FAILED,
    CLOSED
  }

  /** DTLS state as the API reports it. */
  public enum DtlsState {
    NEW,
    CONNECTING,
    CONNECTED,
    FAILED,
    CLOSED
  }

  private final String id;
  private final TransportContext context;
  private final Agent agent;
  private final IceMediaStream stream;
  private final Component component;
  private final DtlsCertificate certificate;
  private volatile DtlsSession dtls;
  private volatile String remoteUfrag;
  private final SerialQueue<Buffer> received;
  private final ArrayDeque<Buffer> early = new ArrayDeque<>();

  /** SRTP packets kept while the keys are being installed (about a second of audio). */
  private static final int MAX_EARLY_PACKETS = 64;

  /**
   * A Ta (ms) that ends ICE's pacer, see {@link #endPacer}: ice4j's pacer asks for its next delay
   * as Ta × active check lists, and its periodic task ends when that is negative (-1 would mean
   * "compute Ta").
   */
  private static final long ENDING_TA_MS = -2;

  private final RtpPacket rtp = new RtpPacket();
  private final TransportCounters counters = new TransportCounters();
  private final long createdNanos = System.nanoTime();
  // Where the connection setup metric starts: creation, or the participant's join.
  private volatile long setupStartNanos = createdNanos;
  private volatile PacketSink sink = PacketSink.NONE;
  private volatile DirectSend.Route route;
  private volatile SrtpSession srtp;
  private volatile IceState iceState = IceState.NEW;
  private volatile DtlsState dtlsState = DtlsState.NEW;
  private volatile long lastActivityNanos = createdNanos;
  private volatile String closeReason;
  private boolean dtlsStarted;
  private volatile Owner owner;
  private final PropertyChangeListener iceListener = this::onIceStateChange;
  private final PropertyChangeListener pairListener = this::onPairChange;

  /**
   * Creates the agent and its candidates on the shared port, without starting ICE: the local ICE
   * credentials and fingerprint can go into an offer before the browser's answer exists. {@link
   * #start} begins ICE and DTLS once the browser's parameters are known.
   */
  MediaTransport(String id, TransportContext context) throws IOException {
    this.id = id;
    this.context = context;
    this.certificate = context.certificates().current();
    this.received =
        new SerialQueue<>(
            "transport-" + id,
            context.limits().receiveQueuePackets(),
            context.workers(),
            this::decrypt,
            IcePort::give);
    this.agent = new Agent();
    agent.setControlling(false);
    agent.setPerformConsentFreshness(true);
    for (SinglePortUdpHarvester harvester : context.port().harvesters()) {
      agent.addCandidateHarvester(harvester);
    }
    stream = agent.createMediaStream("stream");
    // Single-port harvesting needs BUNDLE + rtcp-mux: one stream, one component.
    component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, false);
    component.setBufferCallback(this::onDatagram);
    agent.addStateChangeListener(iceListener);
    stream.addPairChangeListener(pairListener);
  }

  /**
   * Starts ICE (and, once a pair is validated, DTLS) with the browser's parameters. Checks that
   * arrived earlier were answered and are processed now (ice4j queues them).
   *
   * @throws IllegalStateException if already started or closed
   */
  public void start(RemoteParameters remote) {
    synchronized (this) {
      if (dtls != null || closeReason != null) {
        throw new IllegalStateException("transport " + id + " already started or closed");
      }
      dtls =
          DtlsSession.server(
              new DtlsParameters(
                  "transport=" + id,
                  certificate,
                  remote.fingerprints(),
                  DtlsParameters.DEFAULT_SRTP_PROFILES,
                  context.limits().dtlsHandshakeTimeout()),
              this::sendDtls,
              context.blockingExecutor(),
              new DtlsListener());
    }
    remoteUfrag = remote.iceUfrag();
    stream.setRemoteUfrag(remote.iceUfrag());
    stream.setRemotePassword(remote.icePassword());
    // No remote candidates: the browser's checks create peer-reflexive pairs (a single-port agent
    // cannot send to an address it has not heard from, and failing pairs would fail the agent).
    agent.startConnectivityEstablishment();
    iceState = IceState.CHECKING;
  }

  /** The browser's ICE ufrag given to {@link #start}, or null before. */
  public String remoteUfrag() {
    return remoteUfrag;
  }

  /** Whether {@link #start} was called. */
  public boolean isStarted() {
    return dtls != null;
  }

  /**
   * Who uses this transport, for correlation ids in logs and for the stale sweep: {@code holds}
   * says whether the owner still uses it (a transport its participant let go of without closing it
   * is an orphan, and is swept).
   */
  public record Owner(
      String roomId,
      String participantId,
      String role,
      String connectionId,
      java.util.function.Predicate<MediaTransport> holds) {}

  /** Sets the owner once the transport is installed (publish or subscribe). */
  public void setOwner(Owner owner) {
    this.owner = owner;
  }

  /**
   * Why the stale sweep should close this transport at {@code nowNanos}, or null if it is healthy:
   * {@code connect-timeout} (ICE/DTLS never completed within the connect timeout), {@code
   * consent-expired} (RFC 7675: no consent response or packet within the consent timeout), or
   * {@code orphaned} (its owner no longer holds it).
   */
  public String staleReason(long nowNanos) {
    if (closeReason != null) {
      return null;
    }
    if (!isConnected()) {
      if (age(nowNanos).compareTo(context.limits().connectTimeout()) > 0) {
        return "connect-timeout";
      }
    } else if (silence(nowNanos).compareTo(context.limits().consentTimeout()) > 0) {
      return "consent-expired";
    }
    Owner current = owner;
    if (current != null && !current.holds().test(this)) {
      return "orphaned";
    }
    return null;
  }

  /**
   * This transport's correlation ids for an {@link EventLog} line (transport, room, participant,
   * role, connection), followed by {@code extra} key/value pairs.
   */
  public Object[] correlation(Object... extra) {
    Owner current = owner;
    Object[] ids =
        current == null
            ? new Object[] {EventLog.TRANSPORT, id}
            : new Object[] {
              EventLog.TRANSPORT,
              id,
              EventLog.ROOM,
              current.roomId(),
              EventLog.PARTICIPANT,
              current.participantId(),
              "role",
              current.role(),
              EventLog.CONNECTION,
              current.connectionId()
            };
    Object[] all = Arrays.copyOf(ids, ids.length + extra.length);
    System.arraycopy(extra, 0, all, ids.length, extra.length);
    return all;
  }

  /** Transport id (for logs and the API). */
  public String id() {
    return id;
  }

  /** Where decrypted packets go from now on. */
  public void setSink(PacketSink sink) {
    this.sink = sink;
  }

  /** The agent's ICE ufrag for the answer. */
  public String iceUfrag() {
    return agent.getLocalUfrag();
  }

  /** The agent's ICE password for the answer. */
  public String icePassword() {
    return agent.getLocalPassword();
  }

  /** The DTLS fingerprint of the certificate this transport presents. */
  public Fingerprint fingerprint() {
    return certificate.fingerprint();
  }

  /** Host candidates as {@code a=candidate} values (without the {@code candidate:} prefix). */
  public List<String> candidates() {
    return context.advertise(
        component.getLocalCandidates().stream().map(MediaTransport::describe).toList());
  }

  /** Counters for the API and metrics. */
  public TransportCounters counters() {
    return counters;
  }

  /** ICE state. */
  public IceState iceState() {
    return iceState;
  }

  /** DTLS state. */
  public DtlsState dtlsState() {
    return dtlsState;
  }

  /** The negotiated SRTP profile, or null before DTLS completes. */
  public String srtpProfile() {
    SrtpSession session = srtp;
    return session == null ? null : session.profile().name();
  }

  /** Whether ICE and DTLS both completed and the transport is not closed. */
  public boolean isConnected() {
    return dtlsState == DtlsState.CONNECTED && closeReason == null;
  }

  /**
   * Measures this transport's connection setup from {@code startNanos} ({@link System#nanoTime()})
   * instead of its creation, e.g. from the participant's join; call before {@link #start}.
   */
  public void measureSetupFrom(long startNanos) {
    setupStartNanos = startNanos;
  }

  /** How long the setup took until {@code nowNanos} (ICE and DTLS connected then). */
  Duration setupTime(long nowNanos) {
    return Duration.ofNanos(nowNanos - setupStartNanos);
  }

  /** How long since the transport was created. */
  Duration age(long nowNanos) {
    return Duration.ofNanos(nowNanos - createdNanos);
  }

  /** How long since the peer was last heard from (any datagram or consent response). */
  Duration silence(long nowNanos) {
    CandidatePair selected = component.getSelectedPair();
    long consentMillis = selected == null ? 0 : selected.getConsentFreshness();
    long sinceConsent =
        consentMillis == 0 ? Long.MAX_VALUE : System.currentTimeMillis() - consentMillis;
    long sincePacket = (nowNanos - lastActivityNanos) / 1_000_000;
    return Duration.ofMillis(Math.min(sinceConsent, sincePacket));
  }

  /** Why the transport closed, or null while open. */
  public String closeReason() {
    return closeReason;
  }

  /** Encrypts an RTP packet in place (needs tail room for the tag) and sends it. */
  public boolean sendRtp(byte[] buffer, int offset, int length) {
    SrtpSession session = srtp;
    if (session == null || closeReason != null) {
      return false;
    }
    int protectedLength = session.protectRtp(buffer, offset, length);
    return protectedLength > 0 && send(buffer, offset, protectedLength);
  }

  /** Encrypts an RTCP packet in place (needs tail room for index and tag) and sends it. */
  public boolean sendRtcp(byte[] buffer, int offset, int length) {
    SrtpSession session = srtp;
    if (session == null || closeReason != null) {
      return false;
    }
    int protectedLength = session.protectRtcp(buffer, offset, length);
    return protectedLength > 0 && send(buffer, offset, protectedLength);
  }

  private boolean send(byte[] buffer, int offset, int length) {
    try {
      DirectSend.Route direct = route();
      if (direct != null) {
        direct.send(buffer, offset, length);
      } else {
        component.send(buffer, offset, length);
      }
      counters.packetsSent++;
      counters.bytesSent += length;
      return true;
    } catch (IOException e) {
      LOG.log(Level.FINE, "send failed transport=" + id, e);
      return false;
    }
  }

  /**
   * The selected pair's direct route, or null to send through ice4j (no pair selected yet, or no
   * direct route on this server). Looked up again only when ice4j selects another pair.
   */
  private DirectSend.Route route() {
    CandidatePair selected = component.getSelectedPair();
    if (selected == null) {
      return null;
    }
    DirectSend.Route current = route;
    if (current == null || !current.serves(selected)) {
      current = context.port().directSend().route(selected);
      route = current;
    }
    return current.direct() ? current : null;
  }

  private void sendDtls(byte[] buffer, int offset, int length) throws IOException {
    component.send(buffer, offset, length);
  }

  /** ice4j receive thread: classify and hand off; never decrypt or block here. */
  private void onDatagram(Buffer buffer) {
    lastActivityNanos = System.nanoTime();
    counters.datagramsReceived++;
    counters.bytesReceived += buffer.getLength();
    byte[] bytes = buffer.getBuffer();
    int offset = buffer.getOffset();
    int length = buffer.getLength();
    switch (PacketClassifier.classify(bytes, offset, length)) {
      case RTP, RTCP -> {
        if (!received.offer(buffer)) {
          counters.drop(TransportCounters.Drop.QUEUE_FULL);
        }
      }
      case DTLS -> {
        // Copied into the handshake's own queue: DTLS is a handful of datagrams per transport.
        DtlsSession session = dtls;
        if (session == null) {
          counters.drop(TransportCounters.Drop.NO_KEYS);
        } else if (session.offerDatagram(bytes, offset, length)) {
          counters.dtlsDatagramsReceived++;
        } else {
          counters.drop(TransportCounters.Drop.DTLS_REFUSED);
        }
        IcePort.give(buffer);
      }
      default -> {
        counters.drop(TransportCounters.Drop.UNKNOWN_PROTOCOL);
        IcePort.give(buffer);
      }
    }
  }

  /** Packet worker: decrypt one SRTP/SRTCP datagram and pass it on. */
  private void decrypt(Buffer buffer) {
    boolean held = false;
    try {
      SrtpSession session = srtp;
      if (session == null) {
        held = holdUntilKeys(buffer);
        if (!held) {
          counters.drop(TransportCounters.Drop.NO_KEYS);
        }
        return;
      }
      byte[] bytes = buffer.getBuffer();
      int offset = buffer.getOffset();
      if (PacketClassifier.classify(bytes, offset, buffer.getLength())
          == PacketClassifier.Kind.RTCP) {
        int length = session.unprotectRtcp(bytes, offset, buffer.getLength());
        if (length > 0) {
          counters.rtcpPacketsDecrypted++;
          sink.onRtcp(bytes, offset, length);
        } else {
          counters.drop(dropReason(length));
        }
        return;
      }
      // A padded packet's padding count is encrypted: such packets always go through decryption.
      // So does a stream's first packet: skipping from the start, a stream whose sequence numbers
      // wrapped before its first decrypted packet would fail authentication for good.
      if (rtp.wrap(bytes, offset, buffer.getLength())
          && !rtp.hasPadding()
          && session.hasRtpContext(rtp.ssrc())
          && sink.skipsDecryption(rtp)) {
        counters.rtpPacketsUndecrypted++;
        sink.onUndecrypted(rtp);
        return;
      }
      int length = session.unprotectRtp(bytes, offset, buffer.getLength());
      if (length > 0 && rtp.wrap(bytes, offset, length)) {
        counters.rtpPacketsDecrypted++;
        counters.countPayloadType(rtp.payloadType());
        sink.onRtp(rtp);
      } else {
        counters.drop(dropReason(length));
      }
    } finally {
      if (!held) {
        IcePort.give(buffer);
      }
    }
  }

  /**
   * The peer's first SRTP packets can overtake our handshake bookkeeping: it may send as soon as
   * our Finished reaches it, before the handshake thread has installed the keys here. Those packets
   * wait (a few, bounded) and are decrypted once the keys exist, instead of being lost.
   */
  private boolean holdUntilKeys(Buffer buffer) {
    synchronized (early) {
      if (dtlsState != DtlsState.CONNECTING
          || closeReason != null
          || early.size() >= MAX_EARLY_PACKETS) {
        return false;
      }
      early.add(buffer);
      return true;
    }
  }

  /** Keys are installed: what arrived before them goes through the receive queue again. */
  private void releaseEarly() {
    synchronized (early) {
      Buffer buffer;
      while ((buffer = early.poll()) != null) {
        if (!received.offer(buffer)) {
          counters.drop(TransportCounters.Drop.QUEUE_FULL);
        }
      }
    }
  }

  private static TransportCounters.Drop dropReason(int status) {
    if (status >= 0) {
      return TransportCounters.Drop.MALFORMED; // decrypted, but not a valid RTP packet
    }
    return switch (SrtpDrop.ofStatus(status)) {
      case AUTH, CRYPTO_FAILED -> TransportCounters.Drop.AUTH;
      case REPLAY -> TransportCounters.Drop.REPLAY;
      case UNKNOWN_SSRC_LIMIT -> TransportCounters.Drop.SSRC_LIMIT;
      case MALFORMED, NO_ROOM, CLOSED -> TransportCounters.Drop.MALFORMED;
    };
  }

  private void onIceStateChange(PropertyChangeEvent event) {
    if (!Agent.PROPERTY_ICE_PROCESSING_STATE.equals(event.getPropertyName())) {
      return;
    }
    var state = (IceProcessingState) event.getNewValue();
    var old = (IceProcessingState) event.getOldValue();
    if (state == IceProcessingState.COMPLETED) {
      iceState = IceState.CONNECTED;
      context.onIceConnected(this, age(System.nanoTime()));
    } else if (state == IceProcessingState.FAILED
        || (state == IceProcessingState.TERMINATED && old == IceProcessingState.RUNNING)) {
      iceState = IceState.FAILED;
      context.requestClose(this, "ice-failed");
    }
    if (state == IceProcessingState.TERMINATED || state == IceProcessingState.FAILED) {
      endPacer(); // ice4j has just stopped it; this ends it should it have lost the race
    }
  }

  /**
   * Ends ICE's pacer for good. The pacer ({@code ConnectivityCheckClient.PaceMaker}) takes a turn
   * every Ta (20 ms): it sends a check, or with nothing to check (our peer-reflexive-only lists
   * most of the time) it only looks again. It never ends by itself; ice4j stops it when ICE
   * terminates or the agent is freed. That stop can lose a race in ice4j's {@code PeriodicRunnable}
   * (3.2-15-g6da2b08): a cancel that comes while a turn is between its "still running?" check and
   * its reschedule clears the record of the turn, so the reschedule takes itself for a first one
   * and revives the pacer, which no stop reaches any more. It keeps its agent reachable and wakes
   * ice4j's timer and executor every 20 ms for ever (issue 17: 1.25 % of a core after a load;
   * {@code MediaTransportCloseTest} reproduces it). With a negative Ta the next reschedule ends it
   * instead.
   */
  private void endPacer() {
    agent.setTa(ENDING_TA_MS);
  }

  /** The ICE check list, whose checks listeners hear every turn of the pacer (for tests). */
  CheckList iceCheckList() {
    return stream.getCheckList();
  }

  /** The first validated pair makes the transport writable: start DTLS then (JVB does too). */
  private void onPairChange(PropertyChangeEvent event) {
    if (!IceMediaStream.PROPERTY_PAIR_VALIDATED.equals(event.getPropertyName())) {
      return;
    }
    DtlsSession session;
    synchronized (this) {
      session = dtls;
      if (dtlsStarted || closeReason != null || session == null) {
        return;
      }
      dtlsStarted = true;
    }
    dtlsState = DtlsState.CONNECTING;
    session.start();
  }

  /** DTLS outcomes arrive on the blocking executor. */
  private final class DtlsListener implements DtlsSession.Listener {
    @Override
    public void onHandshakeOutcome(DtlsSession session, HandshakeOutcome outcome) {
      if (outcome instanceof HandshakeOutcome.Established established) {
        byte[] keys = established.keyingMaterial();
        srtp = new SrtpSession(established.profile(), keys, DtlsRole.SERVER);
        Arrays.fill(keys, (byte) 0);
        dtlsState = DtlsState.CONNECTED;
        releaseEarly();
        context.onDtlsConnected(MediaTransport.this, established);
      } else if (outcome instanceof HandshakeOutcome.Failed failed) {
        dtlsState = DtlsState.FAILED;
        context.onDtlsFailed(MediaTransport.this, failed);
        context.requestClose(MediaTransport.this, "dtls-" + wireValue(failed.reason()));
      }
    }

    @Override
    public void onClosedByPeer(DtlsSession session) {
      context.requestClose(MediaTransport.this, "dtls-closed");
    }
  }

  /** A failure reason as a metric label and close reason, e.g. {@code bad-certificate}. */
  public static String wireValue(HandshakeOutcome.FailureReason reason) {
    return reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /**
   * Frees everything: listeners, DTLS (close_notify), the agent and its sockets, queued buffers,
   * SRTP keys. Idempotent; runs on the blocking executor because freeing an agent blocks.
   */
  void close(String reason) {
    synchronized (this) {
      if (closeReason != null) {
        return;
      }
      closeReason = reason;
    }
    agent.removeStateChangeListener(iceListener);
    stream.removePairStateChangeListener(pairListener);
    component.setBufferCallback(buffer -> IcePort.give(buffer));
    received.close();
    synchronized (early) {
      Buffer buffer;
      while ((buffer = early.poll()) != null) {
        IcePort.give(buffer);
      }
    }
    DtlsSession session = dtls;
    if (session != null) {
      session.close();
    }
    // Before free(): a pacer that survives free()'s stop reads the ending Ta on its next turn.
    endPacer();
    agent.free();
    SrtpSession keys = srtp;
    if (keys != null) {
      keys.close();
    }
    iceState = IceState.CLOSED;
    dtlsState = dtlsState == DtlsState.CONNECTED ? DtlsState.CLOSED : dtlsState;
    EVENTS.info("transport closed", correlation("reason", reason));
  }

  private static String describe(LocalCandidate candidate) {
    return candidate.getFoundation()
        + " "
        + candidate.getParentComponent().getComponentID()
        + " "
        + candidate.getTransport()
        + " "
        + candidate.getPriority()
        + " "
        + candidate.getTransportAddress().getHostAddress()
        + " "
        + candidate.getTransportAddress().getPort()
        + " typ "
        + candidate.getType();
  }
}

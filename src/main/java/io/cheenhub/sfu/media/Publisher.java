package io.cheenhub.sfu.media;

import io.cheenhub.sfu.rtp.HeaderExtensions;
import io.cheenhub.sfu.rtp.RtpPacket;
import io.cheenhub.sfu.transport.MediaTransport;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A participant's published audio: the sink of its publish transport, which fans each decrypted RTP
 * packet out to the subscribers its {@link ForwardingTable} row lists.
 *
 * <p>Fan-out runs on the publish transport's receive worker: per subscriber one pooled copy (each
 * subscriber encrypts its own bytes in place, so a shared buffer would not survive the first), then
 * a non-blocking offer to the subscriber's send queue. A full queue or an empty pool drops that
 * copy and counts it at the subscriber; the worker never waits. The row is an immutable array
 * published through a volatile field, so fan-out takes no lock.
 *
 * <p>Keep one {@code Publisher} per participant across publish transports (reconnect, re-offer):
 * point each new transport's sink here, and subscribers keep one continuous stream.
 */
public final class Publisher implements MediaTransport.PacketSink {

  /** Why a received packet was not forwarded. Wire values are metric labels. */
  public enum Drop {
    /** Neither the negotiated Opus nor RED payload type (e.g. comfort noise, DTMF). */
    UNSUPPORTED_PAYLOAD_TYPE("unsupported-payload-type"),
    /** Larger than a send buffer holds. */
    TOO_LARGE("too-large"),
    /** Padding only (RFC 3550 §5.1): a bandwidth probe, nothing to hear. */
    PADDING_ONLY("padding-only"),
    /**
     * A layered publisher's packet whose SSRC, mid or rid names none of its negotiated layers (e.g.
     * an RTX stream the server did not negotiate, or a stream the offer did not announce).
     */
    UNKNOWN_LAYER("unknown-layer");

    private final String wireValue;

    Drop(String wireValue) {
      this.wireValue = wireValue;
    }

    /** The metric label value. */
    public String wireValue() {
      return wireValue;
    }
  }

  static final OutgoingStream[] NO_ROUTES = new OutgoingStream[0];

  /**
   * A layer counts as live (a listener can be switched to it) while its last packet is this recent:
   * above Opus DTX's 400 ms between packets in silence, below a second so that a paused layer stops
   * counting quickly.
   */
  static final long LIVE_NANOS = 1_000_000_000L;

  /**
   * A publisher nobody listens to in a large room still has one packet in this many decrypted: at
   * 50 packets a second every 20 s, far inside the 2^15 sequence numbers within which SRTP's
   * rollover counter guess is right.
   */
  static final int DECRYPT_EVERY = 1_024;

  /** SSRCs remembered per publisher: three layers, and room for a restart of each. */
  private static final int LEARNED_SSRCS = 8;

  /** One layer's receive state. */
  private static final class Layer {
    // The server's own RED (RecentFrames) and its NACKs to the publisher, per stream.
    final RecentFrames frames = new RecentFrames();
    final NackGenerator nacks = new NackGenerator();
    // Padding-only packets dropped so far: later packets move down by it.
    int paddingSkipped;
    // When the last packet came (Long.MIN_VALUE: never); the quality tick reads it.
    volatile long lastPacketNanos = Long.MIN_VALUE;
  }

  private final String participantId;
  private final PacketPool pool;
  private final AtomicBoolean inTable = new AtomicBoolean();
  private volatile NegotiatedRtp negotiated;
  private volatile OutgoingStream[] routes = NO_ROUTES;
  private volatile RtcpHandler rtcpHandler = RtcpHandler.NONE;
  private volatile RtcpSender rtcpSender = RtcpSender.NONE;
  private final ReceiverReports receiverReports = new ReceiverReports();
  private final AtomicLong packetsReceived = new AtomicLong();
  private final AtomicLong copiesQueued = new AtomicLong();
  private final AtomicLong rtcpReceived = new AtomicLong();
  private final AtomicLongArray drops = new AtomicLongArray(Drop.values().length);
  private final byte[] cname;
  // Quality adaptation: the controller is confined to the quality tick; the level is read anywhere.
  final QualityController quality = new QualityController();
  private volatile QualityLevel level = QualityLevel.HIGH;
  private volatile double uplinkLoss = Double.NaN;
  // Transport-wide cc feedback to the publisher: one recorder per publish transport, fed and
  // written on that transport's receive worker.
  private volatile TransportCcFeedback transportCc = new TransportCcFeedback();
  private final byte[] feedbackScratch =
      new byte[TransportCcFeedback.MAX_FEEDBACK_BYTES + ReceiverReports.SRTCP_TAIL_BYTES];
  // The SRTP sender of a transport is single-threaded; reports (tick) and feedback (worker) share
  // it.
  private final Object rtcpSendLock = new Object();
  // Per layer (index 0 the best; one without layers): RED history, NACKs, padding skips, when its
  // last packet came. Receive-worker confined, like the fan-out, except what the tick reads.
  private final Layer[] layers = {new Layer(), new Layer(), new Layer()};
  private volatile LayerMap layerMap = LayerMap.SINGLE;
  // Speaker selection in a large room: fed with the audio level of every packet (null: routed).
  private volatile SpeakerMeter speakerMeter;
  private volatile boolean decryptSilent;
  private volatile boolean muted;
  // Skipped decryptions since the last one (receive worker), and the count of those packets.
  private int skippedSinceDecrypt;
  private final AtomicLong undecrypted = new AtomicLong();
  private final LongAdder layerSwitches;
  // The map the learned SSRCs belong to, and SSRC -> layer learned from packets' mid or rid.
  private LayerMap learnedFor = LayerMap.SINGLE;
  private final int[] learnedSsrcs = new int[LEARNED_SSRCS];
  private final byte[] learnedLayers = new byte[LEARNED_SSRCS];
  private int learnedCount;
  private int nextLearned;
  // Layers the publisher is asked to send (bit i = layer i): the quality tick decides.
  final LayerPauses pauses = new LayerPauses();
  private final byte[] nackScratch =
      new byte[NackGenerator.MAX_PACKET_BYTES + ReceiverReports.SRTCP_TAIL_BYTES];
  private final byte[] redScratch = new byte[OutgoingPacket.MAX_PACKET_BYTES];
  private final AtomicLong feedbackSent = new AtomicLong();
  private volatile boolean transportCcFeedback = true;
  // Cascade: where a relayed speaker is connected (null: here), and this speaker's SSRC on relays.
  private final String origin;
  private volatile int relaySsrc;

  /**
   * @param negotiated the publish m-line's Opus payload type and extension ids
   * @param pool where the per-subscriber copies come from
   */
  public Publisher(String participantId, NegotiatedRtp negotiated, PacketPool pool) {
    this(participantId, negotiated, pool, new LongAdder(), null);
  }

  /**
   * @param layerSwitches counts its listeners' layer switches (server-wide; bumped per switch)
   * @param origin the instance a cascade relay brings this speaker's audio from, or null for a
   *     participant connected here
   */
  Publisher(
      String participantId,
      NegotiatedRtp negotiated,
      PacketPool pool,
      LongAdder layerSwitches,
      String origin) {
    this.origin = origin;
    this.participantId = Objects.requireNonNull(participantId);
    this.negotiated = Objects.requireNonNull(negotiated);
    this.pool = Objects.requireNonNull(pool);
    this.cname = participantId.getBytes(StandardCharsets.UTF_8);
    this.layerSwitches = Objects.requireNonNull(layerSwitches);
  }

  /** The instance a cascade relay brings this speaker from, or null for a participant here. */
  public String origin() {
    return origin;
  }

  /** Whether the participant is connected to this instance (not relayed from another). */
  public boolean isLocal() {
    return origin == null;
  }

  /** The SSRC of this speaker's audio on relays to other instances (0: none, a remote one). */
  public int relaySsrc() {
    return relaySsrc;
  }

  void setRelaySsrc(int ssrc) {
    relaySsrc = ssrc;
  }

  /** Its speaker meter's noise floor in dB above digital silence (0 without a meter). */
  float speakerFloorDb() {
    SpeakerMeter meter = speakerMeter;
    return meter == null ? 0 : meter.floorDb();
  }

  /** A listener of this publisher was switched to another layer. */
  void countLayerSwitch() {
    layerSwitches.increment();
  }

  /** The audio quality level this publisher is asked to send at. */
  public QualityLevel level() {
    return level;
  }

  void setLevel(QualityLevel level) {
    this.level = level;
  }

  /** How many times the level changed. */
  public long levelChanges() {
    return quality.changes();
  }

  /** Uplink loss (0..1) the server measured in its last receiver-report interval, NaN if none. */
  public double uplinkLoss() {
    return uplinkLoss;
  }

  void setUplinkLoss(double loss) {
    uplinkLoss = loss;
  }

  /** The CNAME the subscribe offers announce for this publisher's streams (its id), UTF-8. */
  byte[] cname() {
    return cname;
  }

  /** The participant that publishes. */
  public String participantId() {
    return participantId;
  }

  /** What the current publish negotiation agreed; applies to packets received from now on. */
  public void setNegotiated(NegotiatedRtp negotiated) {
    this.negotiated = Objects.requireNonNull(negotiated);
  }

  /** Sends one plain RTCP packet toward the publisher (encrypting it in place). */
  @FunctionalInterface
  public interface RtcpSender {
    boolean sendRtcp(byte[] buffer, int offset, int length);

    /** No transport yet. */
    RtcpSender NONE = (buffer, offset, length) -> false;
  }

  /** Where the server's own RTCP toward the publisher goes: its current publish transport. */
  public void setRtcpSender(RtcpSender sender) {
    synchronized (rtcpSendLock) {
      this.rtcpSender = Objects.requireNonNull(sender);
      this.transportCc = new TransportCcFeedback(); // numbering starts over on a new transport
    }
  }

  private boolean sendRtcp(byte[] buffer, int offset, int length) {
    synchronized (rtcpSendLock) {
      return rtcpSender.sendRtcp(buffer, offset, length);
    }
  }

  /**
   * Whether this publisher gets transport-wide feedback where it negotiated transport-cc (the
   * server's default is no, see {@code QualitySettings#publisherFeedback}).
   */
  public void setTransportCcFeedback(boolean enabled) {
    transportCcFeedback = enabled;
  }

  /** Transport-wide congestion control feedback packets sent to the publisher. */
  public long feedbackSent() {
    return feedbackSent.get();
  }

  /**
   * Sends a receiver report for what was received since the last one (RFC 3550 §6.4.2), if there is
   * anything to report. {@code scratch} needs {@link ReceiverReports#BUFFER_BYTES}.
   */
  public void sendReceiverReport(byte[] scratch, long nowNanos) {
    int length = writeReceiverReport(scratch, 0, nowNanos);
    if (length > 0) {
      sendRtcp(scratch, 0, length);
    }
  }

  /** Where RTCP from the publisher goes (sender reports, SDES, BYE). */
  public void setRtcpHandler(RtcpHandler handler) {
    this.rtcpHandler = Objects.requireNonNull(handler);
  }

  /**
   * Which layers the publish negotiation announced ({@link LayerMap#SINGLE} without layers);
   * applies to packets received from now on.
   */
  public void setLayers(LayerMap map) {
    layerMap = Objects.requireNonNull(map);
  }

  /** The publisher's layers. */
  public LayerMap layers() {
    return layerMap;
  }

  /** The layers this publisher is asked to send (bit i: layer i); the best one until told. */
  public int activeLayers() {
    return pauses.activeMask();
  }

  /** Whether its participant muted the microphone (it then takes no speaker slot). */
  boolean isMuted() {
    return muted;
  }

  void setMuted(boolean muted) {
    this.muted = muted;
  }

  /** Feeds {@code meter} with this publisher's audio levels (the room went to speaker slots). */
  void setSpeakerMeter(SpeakerMeter meter) {
    speakerMeter = meter;
  }

  /** Whether layer {@code index} had a packet within {@link #LIVE_NANOS} of {@code nowNanos}. */
  boolean isLive(int index, long nowNanos) {
    long last = layers[index].lastPacketNanos;
    return last != Long.MIN_VALUE && nowNanos - last < LIVE_NANOS;
  }

  /** Fans out a decrypted packet received now. Called on the publish transport's worker. */
  @Override
  public void onRtp(RtpPacket packet) {
    onRtp(packet, System.nanoTime());
  }

  /**
   * Fans out a decrypted packet; {@code packet} is valid only during the call.
   *
   * @param receivedNanos {@link System#nanoTime()} when it reached the server: the start of the
   *     measured forwarding latency, and the clock for splicing a restarted stream
   */
  public void onRtp(RtpPacket packet, long receivedNanos) {
    NegotiatedRtp source = negotiated;
    LayerMap map = layerMap;
    int index = observe(packet, source, map, receivedNanos);
    if (index == LayerMap.UNKNOWN) {
      return;
    }
    Layer layer = layers[index];
    int payloadType = packet.payloadType();
    // RED (RFC 2198) goes on as it came; each subscriber keeps it or strips it to the primary.
    if (payloadType != source.opusPayloadType() && payloadType != source.redPayloadType()) {
      drops.incrementAndGet(Drop.UNSUPPORTED_PAYLOAD_TYPE.ordinal());
      return;
    }
    if (packet.payloadLength() == 0) {
      // Padding only: libwebrtc's bandwidth probes (they follow our transport-cc feedback), sent
      // with the audio SSRC. Not forwarded, and later packets move down one sequence number, so
      // subscribers see no gap (a gap would read as loss and lower everyone's quality).
      layer.paddingSkipped++;
      drops.incrementAndGet(Drop.PADDING_ONLY.ordinal());
      return;
    }
    int length = packet.length();
    if (length > OutgoingPacket.MAX_PACKET_BYTES) {
      drops.incrementAndGet(Drop.TOO_LARGE.ordinal());
      return;
    }
    RecentFrames frames = layer.frames;
    long primary = frames.remember(packet, source);
    int sequence = (packet.sequenceNumber() - layer.paddingSkipped) & 0xFFFF;
    OutgoingStream[] row = routes;
    boolean layered = map.isLayered();
    int live = layered ? liveLayers(map, receivedNanos) : 1;
    int queued = 0;
    int redLength = -1; // the server's RED version of this packet, built once when a route needs it
    for (OutgoingStream stream : row) {
      if (!stream.isActive() || !stream.subscriber().isReady()) {
        continue;
      }
      if (stream.publisher() != this) {
        continue; // a slot that passed to another speaker since this row was read
      }
      if (layered && !stream.takesLayer(this, index, live, receivedNanos)) {
        continue; // another layer of this speaker is the one this listener gets
      }
      queued++;
      OutgoingPacket copy = pool.take();
      if (copy == null) {
        stream.subscriber().countPoolEmpty();
        continue;
      }
      if (primary >= 0 && stream.isRedKept() && stream.subscriber().acceptsRed()) {
        if (redLength < 0) {
          redLength = frames.encode(packet, primary, source.opusPayloadType(), redScratch, 0);
        }
        if (redLength > 0) {
          copy.fill(redScratch, 0, redLength, receivedNanos, stream, source);
          copy.setSequenceNumber(sequence);
          copy.setServerRed(frames.lastBlocks());
          stream.subscriber().enqueue(copy);
          continue;
        }
      }
      copy.fill(packet.buffer(), packet.offset(), length, receivedNanos, stream, source);
      copy.setSequenceNumber(sequence);
      stream.subscriber().enqueue(copy);
    }
    copiesQueued.addAndGet(queued);
  }

  /**
   * What every packet feeds, whether its payload is needed or not, all from the clear RTP header:
   * reception statistics, transport-wide feedback, the layer's NACKs and liveness, the speaker
   * meter.
   *
   * @return its layer, or {@link LayerMap#UNKNOWN} (counted)
   */
  private int observe(RtpPacket packet, NegotiatedRtp source, LayerMap map, long receivedNanos) {
    packetsReceived.incrementAndGet();
    // Every packet of the source counts, forwarded or not: one sequence space per SSRC.
    receiverReports.onRtp(
        packet.ssrc(), packet.sequenceNumber(), packet.timestamp(), receivedNanos);
    if (transportCcFeedback) {
      recordTransportCc(packet, source, receivedNanos);
    }
    int index = map.isLayered() ? layerOf(packet, source, map) : 0;
    if (index == LayerMap.UNKNOWN) {
      drops.incrementAndGet(Drop.UNKNOWN_LAYER.ordinal());
      return index;
    }
    Layer layer = layers[index];
    if (source.nack()) {
      requestMissing(layer.nacks, packet, receivedNanos);
    }
    layer.lastPacketNanos = receivedNanos;
    SpeakerMeter meter = speakerMeter;
    if (meter != null) {
      meterLevel(meter, packet, source, index, map, receivedNanos);
    }
    return index;
  }

  /**
   * In a room on speaker slots, a publisher that speaks in no slot feeds nobody: its packets need
   * not be decrypted at all (docs/architecture.md, "Large rooms"). One in {@link #DECRYPT_EVERY}
   * still is, so that the SRTP context sees the sequence numbers move and keeps its rollover
   * counter right (RFC 3711 §3.3.1 guesses it from the highest number it saw) and the stream stays
   * authenticated now and then. Receive worker only.
   */
  @Override
  public boolean skipsDecryption(RtpPacket header) {
    if (speakerMeter == null || routes.length != 0 || decryptSilent) {
      return false;
    }
    if (++skippedSinceDecrypt >= DECRYPT_EVERY) {
      skippedSinceDecrypt = 0;
      return false;
    }
    return true;
  }

  /**
   * Decrypts every packet even where {@link #skipsDecryption} would not ({@code
   * sfu.room.decrypt-silent}: for measuring what the skip saves).
   */
  public void setDecryptSilent(boolean enabled) {
    decryptSilent = enabled;
  }

  /** A packet {@link #skipsDecryption} let through encrypted: only its clear header is used. */
  @Override
  public void onUndecrypted(RtpPacket header) {
    long receivedNanos = System.nanoTime();
    undecrypted.incrementAndGet();
    observe(header, negotiated, layerMap, receivedNanos);
  }

  /** Packets used from their clear header only (a large room's silent publishers). */
  public long packetsUndecrypted() {
    return undecrypted.get();
  }

  /**
   * Feeds the transport-wide sequence number to the feedback recorder and, every 100 ms, sends the
   * publisher its feedback, so the browser's own bandwidth estimator works (draft-holmer-...-01).
   */
  private void recordTransportCc(RtpPacket packet, NegotiatedRtp source, long receivedNanos) {
    int id = source.transportCcId();
    if (id == 0) {
      return;
    }
    int sequence = HeaderExtensions.transportSequenceNumber(packet, id);
    if (sequence < 0) {
      return;
    }
    TransportCcFeedback feedback = transportCc;
    feedback.onPacket(sequence, receivedNanos);
    if (feedback.isDue(receivedNanos)) {
      int length =
          feedback.write(
              feedbackScratch, 0, receiverReports.senderSsrc(), packet.ssrc(), receivedNanos);
      if (length > 0 && sendRtcp(feedbackScratch, 0, length)) {
        feedbackSent.incrementAndGet();
      }
    }
  }

  /**
   * The layer of a packet from a layered publisher: an SSRC seen before, one the offer announced,
   * else the rid (RFC 8853) or mid (web client form) its header extension names; {@link
   * LayerMap#UNKNOWN} if none. Only an SSRC's first packets read the extension (a String each).
   */
  private int layerOf(RtpPacket packet, NegotiatedRtp source, LayerMap map) {
    if (learnedFor != map) {
      learnedFor = map; // a new negotiation: SSRCs may mean something else now
      learnedCount = 0;
      nextLearned = 0;
    }
    int ssrc = packet.ssrc();
    for (int i = 0; i < learnedCount; i++) {
      if (learnedSsrcs[i] == ssrc) {
        return learnedLayers[i];
      }
    }
    int index = map.layerOfSsrc(ssrc);
    if (index == LayerMap.UNKNOWN) {
      if (map.byRid()) {
        String rid = source.ridId() == 0 ? null : HeaderExtensions.rid(packet, source.ridId());
        index = rid == null ? LayerMap.UNKNOWN : map.layerOfRid(rid);
      } else {
        String mid = source.midId() == 0 ? null : HeaderExtensions.mid(packet, source.midId());
        index = mid == null ? LayerMap.UNKNOWN : map.layerOfMid(mid);
      }
    }
    if (index != LayerMap.UNKNOWN) {
      learnedSsrcs[nextLearned] = ssrc;
      learnedLayers[nextLearned] = (byte) index;
      nextLearned = (nextLearned + 1) % LEARNED_SSRCS;
      learnedCount = Math.min(learnedCount + 1, LEARNED_SSRCS);
    }
    return index;
  }

  /**
   * The RFC 6464 level of one packet per 20 ms to the speaker meter: of a layered publisher only
   * the best live layer's (its layers carry the same microphone, and the meter counts packets as
   * frames).
   */
  private void meterLevel(
      SpeakerMeter meter,
      RtpPacket packet,
      NegotiatedRtp source,
      int index,
      LayerMap map,
      long receivedNanos) {
    if (map.isLayered() && Integer.numberOfTrailingZeros(liveLayers(map, receivedNanos)) != index) {
      return;
    }
    int id = source.idOf(NegotiatedRtp.AUDIO_LEVEL_KIND);
    int raw = id == 0 ? HeaderExtensions.NOT_FOUND : HeaderExtensions.audioLevel(packet, id);
    if (raw == HeaderExtensions.NOT_FOUND) {
      return;
    }
    meter.onAudioLevel(
        HeaderExtensions.levelDbov(raw), HeaderExtensions.voiceActivity(raw), receivedNanos);
  }

  /** Bit i set: layer i is live at {@code nowNanos}. */
  private int liveLayers(LayerMap map, long nowNanos) {
    int live = 0;
    for (int i = 0; i < map.count(); i++) {
      if (isLive(i, nowNanos)) {
        live |= 1 << i;
      }
    }
    return live;
  }

  private void requestMissing(NackGenerator nacks, RtpPacket packet, long receivedNanos) {
    nacks.onPacket(packet.ssrc(), packet.sequenceNumber(), receivedNanos);
    if (nacks.isDue(receivedNanos)) {
      int length = nacks.write(nackScratch, 0, receiverReports.senderSsrc(), receivedNanos);
      if (length > 0) {
        sendRtcp(nackScratch, 0, length);
      }
    }
  }

  /** Packets the server asked the publisher to resend (RFC 4585 generic NACK), attempts counted. */
  public long nacksSent() {
    long total = 0;
    for (Layer layer : layers) {
      total += layer.nacks.requested();
    }
    return total;
  }

  /** Asked-for packets that then arrived. */
  public long nacksRecovered() {
    long total = 0;
    for (Layer layer : layers) {
      total += layer.nacks.recovered();
    }
    return total;
  }

  /** RTCP from the publisher: terminated here, handed to the {@link RtcpHandler}. */
  @Override
  public void onRtcp(byte[] buffer, int offset, int length) {
    rtcpReceived.incrementAndGet();
    receiverReports.onRtcp(buffer, offset, length, System.nanoTime());
    rtcpHandler.onRtcp(buffer, offset, length);
  }

  /**
   * Writes the server's receiver report to this publisher (RTCP compound RR + SDES CNAME, RFC 3550
   * §6.1), to be sent with the publish transport's {@code sendRtcp}; see {@link
   * ReceiverReports#write}.
   *
   * @param buf needs {@link ReceiverReports#BUFFER_BYTES} from {@code off} (SRTCP tail included)
   * @return the length to send, or 0 when nothing was received lately (send nothing)
   */
  public int writeReceiverReport(byte[] buf, int off, long nowNanos) {
    return receiverReports.write(buf, off, nowNanos);
  }

  /** The reception statistics and receiver-report state of this publisher's sources. */
  public ReceiverReports receiverReports() {
    return receiverReports;
  }

  /** RTP packets received (forwarded or not). */
  public long packetsReceived() {
    return packetsReceived.get();
  }

  /** Copies handed to subscribers (or dropped there for a full queue or an empty pool). */
  public long copiesQueued() {
    return copiesQueued.get();
  }

  /** RTCP datagrams received. */
  public long rtcpReceived() {
    return rtcpReceived.get();
  }

  /** Packets not forwarded for {@code reason}. */
  public long dropped(Drop reason) {
    return drops.get(reason.ordinal());
  }

  /** The streams this publisher currently feeds (a copy; for tests and diagnostics). */
  OutgoingStream[] routes() {
    return routes.clone();
  }

  /** Publishes a new row of the forwarding table; called under the table's lock. */
  void setRoutes(OutgoingStream[] row) {
    routes = row;
  }

  /** Claims this publisher for one table; false if a table already has it. */
  boolean attach() {
    return inTable.compareAndSet(false, true);
  }

  @Override
  public String toString() {
    return "publisher participant=" + participantId;
  }
}

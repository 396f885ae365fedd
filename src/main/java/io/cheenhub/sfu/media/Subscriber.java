package io.cheenhub.sfu.media;

import io.cheenhub.sfu.packet.PacketWorkers;
import io.cheenhub.sfu.packet.SerialQueue;
import io.cheenhub.sfu.rtp.HeaderExtensions;
import io.cheenhub.sfu.rtp.RedPayload;
import io.cheenhub.sfu.rtp.RtpPacket;
import io.cheenhub.sfu.transport.MediaTransport;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

/**
 * A participant's subscribe side: a bounded serial send queue of packet copies from every publisher
 * it hears, drained on the packet workers, where each copy is rewritten for its {@link
 * OutgoingStream} and handed to the {@link Sender} (the subscribe transport: encrypt in place,
 * send), then its buffer goes back to the pool.
 *
 * <p>Also the sink of the subscribe transport, whose only expected input is RTCP (receiver reports
 * from the browser), terminated here.
 */
public final class Subscriber implements MediaTransport.PacketSink {

  private static final Logger LOG = Logger.getLogger(Subscriber.class.getName());

  /**
   * Default send queue length. At 50 packets/s per publisher, 256 packets hold about 0.25 s of a
   * 20-publisher room: a worker stall shorter than that loses nothing, a stuck subscriber holds at
   * most 256 pool buffers.
   */
  public static final int DEFAULT_QUEUE_PACKETS = 256;

  /** The participant id of a relay subscriber starts with this (no participant id has a colon). */
  public static final String RELAY_PREFIX = "relay:";

  /** Longest wait in {@link #close()} for a send in progress (sending never blocks in practice). */
  private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

  private static final long CLOSE_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

  /**
   * Sends one plain RTP packet: encrypts in place (the buffer has tail room for the SRTP tag) and
   * sends; returns false if it could not. In production {@code MediaTransport::sendRtp}.
   */
  @FunctionalInterface
  public interface Sender {
    boolean sendRtp(byte[] buffer, int offset, int length);

    /**
     * Whether packets can go out now (the transport's DTLS finished). Until then publishers make no
     * copies for this subscriber: nothing to drop, nothing counted as a failed send.
     */
    default boolean isReady() {
      return true;
    }

    /** Encrypts an RTCP packet in place (tail room for index and tag) and sends it. */
    default boolean sendRtcp(byte[] buffer, int offset, int length) {
      return false;
    }

    /** Sends nothing (no transport yet): every packet counts as {@link Drop#SEND_FAILED}. */
    Sender NONE = (buffer, offset, length) -> false;
  }

  /** Why a copy for this subscriber was not sent. Wire values are metric labels. */
  public enum Drop {
    /** The send queue was full: the subscriber's worker fell behind. */
    QUEUE_FULL("queue-full"),
    /** No pooled buffer was free for the copy. */
    POOL_EMPTY("pool-empty"),
    /** The transport refused it (not connected yet, closed, socket error). */
    SEND_FAILED("send-failed"),
    /** Its stream or this subscriber was removed while it was queued. */
    REMOVED("removed"),
    /** A RED packet to be stripped had no usable primary block (RFC 2198). */
    MALFORMED_RED("malformed-red"),
    /**
     * A reordered packet from before its stream's splice point (a layer switch or a publisher's
     * restart): its sequence number was already used.
     */
    BEFORE_SWITCH("before-switch");

    private final String wireValue;

    Drop(String wireValue) {
      this.wireValue = wireValue;
    }

    /** The metric label value. */
    public String wireValue() {
      return wireValue;
    }
  }

  private final String participantId;
  private final String relayTo;
  private final SerialQueue<OutgoingPacket> queue;
  private final LatencyHistogram latency;
  private final RtpPacket view = new RtpPacket();
  private final AtomicBoolean inTable = new AtomicBoolean();
  private final AtomicInteger sending = new AtomicInteger();
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicLong unexpectedRtp = new AtomicLong();
  private final AtomicLong rtcpReceived = new AtomicLong();
  private final AtomicLong rtcpSent = new AtomicLong();
  private final AtomicLong rtcpDropped = new AtomicLong();
  private final AtomicLongArray drops = new AtomicLongArray(Drop.values().length);
  private volatile NegotiatedRtp negotiated;
  private volatile Sender sender = Sender.NONE;
  private volatile RtcpHandler rtcpHandler = RtcpHandler.NONE;
  private volatile boolean closed;
  // SSRCs this subscriber's session has used; never reused (RFC 3550 §8). Guarded by the table.
  private final Set<Integer> usedSsrcs = new HashSet<>();
  private final SendHistory sendHistory = new SendHistory();
  private final AtomicLong resent = new AtomicLong();
  private final AtomicLong resendMissed = new AtomicLong();
  // Send-queue confined; created when NACK was agreed.
  private SentPackets sentPackets;
  private byte[] resendBuffer;
  private final DownlinkEstimate downlink = new DownlinkEstimate();
  // The quality tick's reading of the transport-wide feedback this second; tick-confined.
  double tickLoss = Double.NaN;
  // Ticks in a row with that loss above 10 % (QualityTick.lossyTicks); tick-confined.
  int lossyTicks;
  // Its downlink estimate shared over the streams it receives; tick-confined.
  double tickBudgetBps = Double.NaN;
  // setLayerPreference: the best layer index accepted from everyone, and per publisher.
  private volatile int layerCap;
  private volatile Map<String, Integer> layerCapByPublisher = Map.of();

  /**
   * @param negotiated the subscribe m-lines' Opus payload type and extension ids (the server's
   *     offer fixes them; pass what the answer accepted)
   * @param workers the packet workers that drain the send queue
   * @param queuePackets send queue length, e.g. {@link #DEFAULT_QUEUE_PACKETS}
   * @param latency where the forwarding latency of each sent packet is recorded (shared per room or
   *     per server as the caller likes)
   */
  public Subscriber(
      String participantId,
      NegotiatedRtp negotiated,
      PacketWorkers workers,
      int queuePackets,
      LatencyHistogram latency) {
    this(participantId, negotiated, workers, queuePackets, latency, null);
  }

  /**
   * @param relayTo for a cascade relay subscriber, the instance it carries a room's selected
   *     speakers to; null for a listener
   */
  public Subscriber(
      String participantId,
      NegotiatedRtp negotiated,
      PacketWorkers workers,
      int queuePackets,
      LatencyHistogram latency,
      String relayTo) {
    this.relayTo = relayTo;
    this.participantId = Objects.requireNonNull(participantId);
    this.negotiated = Objects.requireNonNull(negotiated);
    this.latency = Objects.requireNonNull(latency);
    this.queue =
        new SerialQueue<>(
            "subscriber-" + participantId, queuePackets, workers, this::send, this::discard);
  }

  /** The instance this relay subscriber carries speakers to, or null for a listener. */
  public String relayTo() {
    return relayTo;
  }

  /** Whether this is a cascade relay (to another instance) rather than a listener. */
  public boolean isRelay() {
    return relayTo != null;
  }

  /** The participant that listens. */
  public String participantId() {
    return participantId;
  }

  /** Where packets go from now on, e.g. {@code transport::sendRtp} once the transport exists. */
  public void setSender(Sender sender) {
    this.sender = Objects.requireNonNull(sender);
  }

  /** What the current subscribe negotiation agreed; applies to packets sent from now on. */
  public void setNegotiated(NegotiatedRtp negotiated) {
    this.negotiated = Objects.requireNonNull(negotiated);
  }

  /** Where RTCP from the subscriber goes (receiver reports, feedback). */
  public void setRtcpHandler(RtcpHandler handler) {
    this.rtcpHandler = Objects.requireNonNull(handler);
  }

  /** A recvonly m-line carries no RTP from the browser: counted and ignored. */
  @Override
  public void onRtp(RtpPacket packet) {
    unexpectedRtp.incrementAndGet();
  }

  /** RTCP from the subscriber: terminated here, handed to the {@link RtcpHandler}. */
  @Override
  public void onRtcp(byte[] buffer, int offset, int length) {
    rtcpReceived.incrementAndGet();
    rtcpHandler.onRtcp(buffer, offset, length);
  }

  /** Whether the sender can send now; publishers skip this subscriber until it can. */
  boolean isReady() {
    return sender.isReady();
  }

  /**
   * Caps the layers this listener receives (setLayerPreference): from every publisher when {@code
   * publisherId} is null, else from that one; {@code bestLayer} 0 lifts the cap.
   */
  public void capLayers(String publisherId, int bestLayer) {
    if (bestLayer < 0 || bestLayer >= LayerMap.MAX_LAYERS) {
      throw new IllegalArgumentException("layer index must be 0.." + (LayerMap.MAX_LAYERS - 1));
    }
    if (publisherId == null) {
      layerCap = bestLayer;
      return;
    }
    synchronized (this) {
      var caps = new HashMap<>(layerCapByPublisher);
      if (bestLayer == 0) {
        caps.remove(publisherId);
      } else {
        caps.put(publisherId, bestLayer);
      }
      layerCapByPublisher = Map.copyOf(caps);
    }
  }

  /** The best layer index this listener accepts from {@code publisherId}, 0 without a cap. */
  public int layerCap(String publisherId) {
    return Math.max(layerCap, layerCapByPublisher.getOrDefault(publisherId, 0));
  }

  /** What the browser's transport-wide feedback says about this subscriber's downlink. */
  public DownlinkEstimate downlink() {
    return downlink;
  }

  /** What was sent, by transport-wide sequence number (for the feedback). */
  SendHistory sendHistory() {
    return sendHistory;
  }

  /** Packets sent. */
  public long forwarded() {
    return forwarded.get();
  }

  /** Copies not sent for {@code reason}. */
  public long dropped(Drop reason) {
    return drops.get(reason.ordinal());
  }

  /** Copies waiting in the send queue. */
  public int queued() {
    return queue.size();
  }

  /** RTP packets the browser sent on the subscribe transport (none expected). */
  public long unexpectedRtp() {
    return unexpectedRtp.get();
  }

  /** RTCP datagrams received from the subscriber. */
  public long rtcpReceived() {
    return rtcpReceived.get();
  }

  /** The histogram this subscriber records its forwarding latency in. */
  public LatencyHistogram latency() {
    return latency;
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Stops sending: queued copies go back to the pool, and once this returns no packet is sent any
   * more (a send in progress is waited for). Idempotent; {@link ForwardingTable#removeSubscriber}
   * calls it.
   */
  public void close() {
    closed = true;
    queue.close();
    awaitNoSend();
  }

  /** Receive worker: queue a copy, or drop it (the queue returns it to the pool). */
  void enqueue(OutgoingPacket packet) {
    if (!queue.offer(packet)) {
      drops.incrementAndGet((closed ? Drop.REMOVED : Drop.QUEUE_FULL).ordinal());
    }
  }

  /**
   * Queues the server's own RTCP (sender reports) behind the RTP already queued, so that one thread
   * at a time encrypts for this transport (the SRTP sender is single-threaded).
   */
  void enqueueRtcp(OutgoingPacket packet) {
    if (!queue.offer(packet)) {
      rtcpDropped.incrementAndGet();
    }
  }

  /** RTCP packets of the server's own sent to this subscriber. */
  public long rtcpSent() {
    return rtcpSent.get();
  }

  /** The server's own RTCP packets that could not be queued or sent. */
  public long rtcpDropped() {
    return rtcpDropped.get();
  }

  void countPoolEmpty() {
    drops.incrementAndGet(Drop.POOL_EMPTY.ordinal());
  }

  /**
   * Send worker, one copy at a time. The {@code sending} count and the {@code closed} flags form a
   * Dekker handshake with {@link #close()} and {@link #awaitNoSend()}: either this sees the flag,
   * or the closer sees the count and waits, so nothing is sent after a removal completes.
   */
  private void send(OutgoingPacket packet) {
    sending.incrementAndGet();
    try {
      if (packet.resend) {
        resend(packet);
        return;
      }
      if (packet.rtcp) {
        if (!closed && sender.sendRtcp(packet.buffer, OutgoingPacket.OFFSET, packet.length)) {
          rtcpSent.incrementAndGet();
        } else {
          rtcpDropped.incrementAndGet();
        }
        return;
      }
      OutgoingStream stream = packet.stream;
      if (closed || stream.isClosed()) {
        drops.incrementAndGet(Drop.REMOVED.ordinal());
        return;
      }
      if (!view.wrap(packet.buffer, OutgoingPacket.OFFSET, packet.length)) {
        // The publisher's view validated these bytes; a failure here is a bug, fail loudly.
        throw new IllegalStateException("forwarded copy is not RTP: " + view.problem());
      }
      NegotiatedRtp target = negotiated;
      NegotiatedRtp source = packet.source;
      if (!stream.rewrite(view, packet.receivedNanos)) {
        drops.incrementAndGet(Drop.BEFORE_SWITCH.ordinal());
        return;
      }
      int transportCc = HeaderExtensionRewriter.rewrite(view, source, target);
      if (relayTo != null) {
        levelAboveFloor(view, target, stream.publisher());
      }
      // The server's own RED goes out as RED; the browser's RED is stripped to its primary (its
      // redundancy already went into the server's, see RecentFrames).
      boolean red = packet.serverRed;
      if (red) {
        if (source.opusPayloadType() != target.opusPayloadType()) {
          setBlockPayloadTypes(packet, view.payloadOffset(), target.opusPayloadType());
        }
      } else if (view.payloadType() == source.redPayloadType() && !stripRed(packet, source)) {
        return;
      }
      view.setPayloadType(red ? target.redPayloadType() : target.opusPayloadType());
      if (transportCc != HeaderExtensionRewriter.NO_TRANSPORT_CC) {
        // This transport's own number in the publisher's slot: the browser's feedback is then
        // about the server → subscriber path (DownlinkEstimate).
        numberTransportCc(packet.buffer, transportCc, packet.length);
      }
      if (target.nack()) {
        sentPackets()
            .keep(
                packet.buffer,
                OutgoingPacket.OFFSET,
                packet.length,
                stream.ssrc(),
                view.sequenceNumber());
      }
      int payloadBytes = view.payloadLength();
      if (sender.sendRtp(packet.buffer, OutgoingPacket.OFFSET, packet.length)) {
        latency.recordNanos(System.nanoTime() - packet.receivedNanos);
        forwarded.incrementAndGet();
        stream.onSent(payloadBytes, red);
      } else {
        drops.incrementAndGet(Drop.SEND_FAILED.ordinal());
      }
    } finally {
      sending.decrementAndGet();
      packet.release();
    }
  }

  /**
   * On a relay, the audio level becomes the level above the speaker's noise floor here (as if its
   * floor were digital silence): the other instance sees only the packets of selected speakers,
   * never their quiet ones, so it could not learn the floor itself, and it meters relayed speakers
   * from a floor of 0 ({@code SpeakerMeter#assumeFloor}). Both instances then rank everyone alike.
   */
  private static void levelAboveFloor(RtpPacket packet, NegotiatedRtp target, Publisher speaker) {
    int id = target.idOf(NegotiatedRtp.AUDIO_LEVEL_KIND);
    int raw =
        id == 0 || speaker == null
            ? HeaderExtensions.NOT_FOUND
            : HeaderExtensions.audioLevel(packet, id);
    if (raw == HeaderExtensions.NOT_FOUND) {
      return;
    }
    int level = HeaderExtensions.levelDbov(raw);
    if (level >= HeaderExtensions.SILENCE_DBOV) {
      return;
    }
    float above = HeaderExtensions.SILENCE_DBOV - level - speaker.speakerFloorDb();
    int relayed =
        above <= 0
            ? HeaderExtensions.SILENCE_DBOV - 1
            : HeaderExtensions.SILENCE_DBOV - Math.round(above);
    HeaderExtensions.setAudioLevel(
        packet, id, HeaderExtensions.voiceActivity(raw), Math.max(0, Math.min(126, relayed)));
  }

  private void numberTransportCc(byte[] buf, int at, int length) {
    int sequence = sendHistory.nextSequence();
    buf[at] = (byte) (sequence >>> 8);
    buf[at + 1] = (byte) sequence;
    sendHistory.record(sequence, length, System.nanoTime());
  }

  private SentPackets sentPackets() {
    if (sentPackets == null) {
      sentPackets = new SentPackets(); // once, on the first packet after NACK was agreed
      resendBuffer = new byte[OutgoingPacket.BUFFER_BYTES];
    }
    return sentPackets;
  }

  /**
   * Queues a NACK's (SSRC, sequence number) pairs behind the RTP already queued: the send queue
   * owns {@link SentPackets}, so it serves them. {@code pool} gives the request's buffer.
   */
  void requestResend(PacketPool pool, int ssrc, int[] sequences, int count) {
    OutgoingPacket request = pool.take();
    if (request == null) {
      return;
    }
    int entries = Math.min(count, OutgoingPacket.MAX_RESEND_ENTRIES);
    for (int i = 0; i < entries; i++) {
      int at = OutgoingPacket.OFFSET + i * OutgoingPacket.RESEND_ENTRY_BYTES;
      request.buffer[at] = (byte) (ssrc >>> 24);
      request.buffer[at + 1] = (byte) (ssrc >>> 16);
      request.buffer[at + 2] = (byte) (ssrc >>> 8);
      request.buffer[at + 3] = (byte) ssrc;
      request.buffer[at + 4] = (byte) (sequences[i] >>> 8);
      request.buffer[at + 5] = (byte) sequences[i];
    }
    request.setResend(entries);
    if (!queue.offer(request)) {
      resendMissed.incrementAndGet();
    }
  }

  /** Sends again what a resend request asks for and is still kept; counts the rest as missed. */
  private void resend(OutgoingPacket request) {
    if (closed || sentPackets == null) {
      resendMissed.addAndGet(request.length);
      return;
    }
    for (int i = 0; i < request.length; i++) {
      int at = OutgoingPacket.OFFSET + i * OutgoingPacket.RESEND_ENTRY_BYTES;
      byte[] b = request.buffer;
      int ssrc =
          (b[at] & 0xFF) << 24
              | (b[at + 1] & 0xFF) << 16
              | (b[at + 2] & 0xFF) << 8
              | b[at + 3] & 0xFF;
      int sequence = (b[at + 4] & 0xFF) << 8 | b[at + 5] & 0xFF;
      int slot = sentPackets.find(ssrc, sequence);
      if (slot < 0) {
        resendMissed.incrementAndGet();
        continue;
      }
      // Byte for byte as first sent, transport-wide number included: SRTP derives its nonce from
      // SSRC and sequence number, so a changed header under the same nonce would reuse an AES-GCM
      // nonce with different data (RFC 7714 §8.1). Identical input gives the identical packet.
      int length = sentPackets.copy(slot, resendBuffer, OutgoingPacket.OFFSET);
      if (sender.sendRtp(resendBuffer, OutgoingPacket.OFFSET, length)) {
        resent.incrementAndGet();
      } else {
        resendMissed.incrementAndGet();
      }
    }
  }

  /** Packets sent again on the subscriber's NACK. */
  public long resent() {
    return resent.get();
  }

  /** NACKed packets not sent again (no longer kept, or the request could not be queued). */
  public long resendMissed() {
    return resendMissed.get();
  }

  /** RFC 2198 §3: each redundant header starts with F=1 and the PT, the primary's is the PT. */
  private static void setBlockPayloadTypes(OutgoingPacket packet, int payloadOffset, int pt) {
    int at = payloadOffset;
    for (int i = 0; i < packet.redBlocks; i++, at += RedPayload.REDUNDANT_HEADER_BYTES) {
      packet.buffer[at] = (byte) (0x80 | pt);
    }
    packet.buffer[at] = (byte) pt;
  }

  /** Whether this subscriber accepted RED (the server then sends it RED on a lossy path). */
  boolean acceptsRed() {
    return negotiated.hasRed();
  }

  /** Replaces a RED packet by its primary block in place; false (counted) if it has none. */
  private boolean stripRed(OutgoingPacket packet, NegotiatedRtp source) {
    int length = RedPayload.stripToPrimary(view, source.redPayloadType());
    if (length <= 0 || !view.wrap(packet.buffer, OutgoingPacket.OFFSET, length)) {
      drops.incrementAndGet(Drop.MALFORMED_RED.ordinal());
      return false;
    }
    packet.length = length;
    return true;
  }

  private void discard(OutgoingPacket packet) {
    packet.release();
  }

  /** Waits until no send is in progress (bounded: a sender that blocks is a bug elsewhere). */
  void awaitNoSend() {
    long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
    while (sending.get() != 0) {
      if (System.nanoTime() - deadline > 0) {
        LOG.warning(() -> "send still in progress after 5 s subscriber=" + participantId);
        return;
      }
      LockSupport.parkNanos(CLOSE_POLL_NANOS);
    }
  }

  /** A fresh random SSRC for a new stream of this subscriber; call under the table's lock. */
  int allocateSsrc() {
    while (true) {
      int ssrc = ThreadLocalRandom.current().nextInt();
      if (ssrc != 0 && usedSsrcs.add(ssrc)) {
        return ssrc;
      }
    }
  }

  /** Claims this subscriber for one table; false if a table already has it. */
  boolean attach() {
    return inTable.compareAndSet(false, true);
  }

  @Override
  public String toString() {
    return "subscriber participant=" + participantId;
  }
}

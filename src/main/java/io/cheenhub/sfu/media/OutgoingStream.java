package io.cheenhub.sfu.media;

import io.cheenhub.sfu.rtp.RtpPacket;

/**
 * One publisher's audio as one subscriber receives it: a server-chosen SSRC (announced in the
 * subscriber's offer) and one continuous sequence/timestamp space, whatever the publisher's own
 * stream does.
 *
 * <p>Within one publisher SSRC, sequence numbers and timestamps are shifted by fixed deltas, so the
 * publisher's losses, reordering and silence gaps reach the subscriber unchanged (RFC 3550 §7.2: a
 * translator keeps them). When the publisher's SSRC changes (a reconnect or re-offer starts a new
 * stream), the deltas are re-based so the next sequence number follows the last one sent and the
 * timestamp advances by the wall-clock gap in the 48 kHz clock; mediasoup's SimpleConsumer and
 * JVB's audio forwarding do the same. Without that the browser's jitter buffer would see a jump of
 * random size, or a new SSRC it was never told about, and go silent.
 *
 * <p>The rewrite state is confined to the subscriber's send queue (one worker at a time); the
 * counters are single-writer volatiles that metrics and RTCP sender reports may read.
 */
public final class OutgoingStream {

  /** RFC 7587 §4.1: the Opus RTP clock is always 48 kHz. */
  static final long CLOCK_RATE_HZ = 48_000;

  private static final long NANOS_PER_MICRO = 1_000;
  private static final long MICROS_PER_SECOND = 1_000_000;
  private static final int SEQUENCE_MASK = 0xFFFF;
  private static final long TIMESTAMP_MASK = 0xFFFF_FFFFL;
  // RFC 1982 serial arithmetic over 16 bits: b is newer than a if 0 < b - a < 2^15.
  private static final int HALF_SEQUENCE_SPACE = 0x8000;

  /** An Opus frame of 20 ms, what browsers send: the splice unit until a stream shows its own. */
  static final long DEFAULT_FRAME_TICKS = 960;

  /** RFC 6716 §2.1.4: an Opus packet lasts at most 120 ms; a longer step is a DTX gap. */
  private static final long MAX_FRAME_TICKS = 5_760;

  /**
   * A packet of the layer switched to that arrives this soon after the old layer's last one holds
   * the same audio (the layers encode the same microphone at once): it is not sent, so the switch
   * neither repeats nor skips a frame. Half a 20 ms frame.
   */
  static final long SAME_FRAME_NANOS = 10_000_000L;

  /**
   * How far behind its source's newest packet a reordered packet may be and still be sent: 512
   * packets, 10 s of 20 ms audio; anything older predates a splice or is no use to a jitter buffer.
   */
  private static final int REORDER_WINDOW = 512;

  /**
   * A relay stream whose source jumps ahead by more than this many packets (1 s of 20 ms audio)
   * resumed after its speaker held no slot: it is spliced like a new source, so the other instance
   * sees one continuous stream. Its SRTP receiver guesses the rollover counter from the sequence
   * number (RFC 3711 §3.3.1) and would fail every packet after a pause of more than 2^15 packets
   * (11 minutes) if the gap showed; a smaller gap would count as loss there.
   */
  static final int RELAY_RESUME_GAP = 50;

  /** A relay stream's source silent for longer than this (1 s) resumed after a pause. */
  static final long RELAY_RESUME_NANOS = 1_000_000_000L;

  private final Publisher publisher;
  private final Subscriber subscriber;
  private final int ssrc;
  // Speaker slots (large rooms): which slot this stream is (-1: a routed stream of one
  // publisher), and who speaks in it now (set by the table under its lock; null: nobody).
  private final int slot;
  // A cascade relay's stream: its publisher's packets pause while it holds no slot.
  private final boolean relay;
  private volatile Publisher holder;
  private volatile boolean closed;
  private volatile boolean active;
  private final ReceptionReport receptionReport = new ReceptionReport();

  // Rewrite state, confined to the subscriber's send queue.
  private boolean started;
  private int sourceSsrc;
  private int sequenceDelta;
  private long timestampDelta;
  private int lastSequence;
  private long lastTimestamp;
  private long lastReceivedNanos;
  private long frameTicks = DEFAULT_FRAME_TICKS;
  private int spliceSourceSequence;

  // Layers: the target the listener's selector chose (tick writes, publisher worker reads) and the
  // layer forwarded now (publisher-worker confined; a volatile copy for stats and the tick), and
  // whose layers those are (a slot's speaker changes; a routed stream has one publisher).
  private volatile int targetLayer;
  private Publisher layerSource;
  private int forwardedLayer = -1;
  private long lastTakenNanos;
  private volatile int receivedLayer = -1;
  private volatile long layerSwitches;
  // Quality tick state: the selector for the publisher's current layer count, and the loss of a
  // receiver report that arrived since the last tick (NaN if none), its evidence once.
  LayerSelector selector;
  int reportedLayer = -1;
  long packetsSentAtTick;
  double newReportLoss = Double.NaN;

  private volatile long packetsSent;
  private volatile long payloadBytesSent;
  private volatile long redPacketsSent;
  private volatile long sourceRestarts;
  // What the last sent packet carried, for sender reports (read by the quality tick).
  private volatile long lastSentTimestamp;
  private volatile long lastSentReceivedNanos;
  private volatile boolean redKept;

  // Quality tick state, confined to the one thread that runs the tick.
  final RedPolicy redPolicy = new RedPolicy();
  private long reportsSeen;
  private long priorExtendedHighest;
  private long priorCumulativeLost;
  private volatile double downlinkLoss = Double.NaN;
  private volatile long downlinkLossNanos;

  OutgoingStream(Publisher publisher, Subscriber subscriber, int ssrc) {
    this(publisher, subscriber, ssrc, -1);
  }

  private OutgoingStream(Publisher publisher, Subscriber subscriber, int ssrc, int slot) {
    this.publisher = publisher;
    this.subscriber = subscriber;
    this.ssrc = ssrc;
    this.slot = slot;
    this.relay = subscriber != null && subscriber.isRelay();
  }

  /**
   * Speaker slot {@code slot} of {@code subscriber} in a large room: one m-line and one SSRC that
   * carry whoever speaks in that slot (docs/architecture.md, "Large rooms").
   */
  static OutgoingStream slot(Subscriber subscriber, int ssrc, int slot) {
    if (slot < 0) {
      throw new IllegalArgumentException("slot must be >= 0, was " + slot);
    }
    return new OutgoingStream(null, subscriber, ssrc, slot);
  }

  /**
   * The publisher whose packets this stream carries; for a slot, whoever speaks in it now (null
   * while it is empty).
   */
  public Publisher publisher() {
    return slot < 0 ? publisher : holder;
  }

  /** The speaker slot this stream is, or -1 for a stream of one publisher. */
  public int slot() {
    return slot;
  }

  /** Whether this is a speaker slot rather than one publisher's stream. */
  public boolean isSlot() {
    return slot >= 0;
  }

  /** A slot's new speaker (or null); under the table's lock. */
  void setHolder(Publisher speaker) {
    holder = speaker;
  }

  /**
   * The id the subscriber's offer and {@code trackAdded} name this stream by: the publisher's
   * participant id, or {@code slot-<k>}.
   */
  public String trackOwner() {
    return slot < 0 ? publisher.participantId() : "slot-" + slot;
  }

  /** The subscriber that receives them. */
  public Subscriber subscriber() {
    return subscriber;
  }

  /**
   * The SSRC the subscriber sees, for its offer's {@code a=ssrc} (use {@link
   * Integer#toUnsignedLong} for SDP).
   */
  public int ssrc() {
    return ssrc;
  }

  /**
   * Whether the subscriber's browser knows this stream (it answered an offer with its m-line):
   * until then the publisher does not copy packets for it, so the browser never sees an SSRC it was
   * not told about.
   */
  public boolean isActive() {
    return active;
  }

  /** The subscriber's answer covered this stream's m-line: start forwarding. */
  public void activate() {
    active = true;
  }

  /** Whether the stream was removed from its table; its queued packets are then discarded. */
  public boolean isClosed() {
    return closed;
  }

  /** RTP packets sent to the subscriber (RFC 3550 §6.4.1 sender's packet count). */
  public long packetsSent() {
    return packetsSent;
  }

  /** Payload bytes sent (RFC 3550 §6.4.1 sender's octet count). */
  public long payloadBytesSent() {
    return payloadBytesSent;
  }

  /** What the subscriber last reported about this stream (RTCP receiver reports). */
  public ReceptionReport receptionReport() {
    return receptionReport;
  }

  /** How often the publisher's stream restarted (new SSRC) and was spliced on. */
  public long sourceRestarts() {
    return sourceRestarts;
  }

  void close() {
    closed = true;
  }

  /** The layer index this stream's listener should get (0 the best); set by its selector. */
  public int targetLayer() {
    return targetLayer;
  }

  void setTargetLayer(int layer) {
    targetLayer = layer;
  }

  /** The layer of the publisher this stream forwards now, -1 before its first packet. */
  public int receivedLayer() {
    return receivedLayer;
  }

  /** How often the forwarded layer changed. */
  public long layerSwitches() {
    return layerSwitches;
  }

  /**
   * Whether a packet of layer {@code layer} goes to this listener; publisher worker only. The
   * listener gets the live layer closest to its target at or below it (else the closest above, so
   * that it hears something while its layer starts). A switch waits for a packet of the new layer,
   * so the stream never goes quiet in between, and happens on a packet boundary; the rewrite then
   * splices the new SSRC on (see {@link #rewrite}).
   *
   * @param live bit i set: layer i is live
   */
  boolean takesLayer(Publisher from, int layer, int live, long receivedNanos) {
    if (from != layerSource) {
      // A slot's new speaker: its layers are not the old speaker's, so this is no layer switch.
      layerSource = from;
      forwardedLayer = -1;
    }
    int target = targetLayer;
    int atOrBelow = live & (-1 << target);
    int wanted =
        atOrBelow != 0
            ? Integer.numberOfTrailingZeros(atOrBelow)
            : 31 - Integer.numberOfLeadingZeros(live);
    if (layer != wanted) {
      if (layer != forwardedLayer) {
        return false;
      }
      lastTakenNanos = receivedNanos; // keep the old layer until the new one's packet comes
      return true;
    }
    if (layer != forwardedLayer) {
      boolean sameFrame = forwardedLayer >= 0 && receivedNanos - lastTakenNanos < SAME_FRAME_NANOS;
      if (forwardedLayer >= 0) {
        layerSwitches++;
        from.countLayerSwitch();
      }
      forwardedLayer = layer;
      receivedLayer = layer;
      if (sameFrame) {
        return false; // its audio just went out in the old layer's packet
      }
    }
    lastTakenNanos = receivedNanos;
    return true;
  }

  /**
   * Rewrites SSRC, sequence number and timestamp of a valid {@code packet} in place. Marker bit,
   * payload and padding stay.
   *
   * @param receivedNanos when the packet reached the server, for the splice after a restart
   * @return false for a packet of the current source from before its splice point (reordered around
   *     a layer switch or restart): sending it would reuse a sequence number already sent
   */
  boolean rewrite(RtpPacket packet, long receivedNanos) {
    int source = packet.ssrc();
    int sequence = packet.sequenceNumber();
    long timestamp = packet.timestamp();
    boolean splice = false;
    if (!started) {
      started = true;
      sourceSsrc = source;
      spliceSourceSequence = sequence;
      splice = true; // the first packet defines the stream: deltas 0
    } else if (source != sourceSsrc || relay && resumed(sequence, receivedNanos)) {
      // RFC 3550 §5.1: sequence numbers +1 per packet; timestamps follow the sampling clock, so
      // the time between the old stream's last packet and the new one's first is its length, in
      // whole frames (at least one), so the jitter buffer neither waits for nor skips audio.
      long gapMicros = Math.max(0, receivedNanos - lastReceivedNanos) / NANOS_PER_MICRO;
      long gapTicks = gapMicros * CLOCK_RATE_HZ / MICROS_PER_SECOND;
      long frames = Math.max(1, (gapTicks + frameTicks / 2) / frameTicks);
      sequenceDelta = (lastSequence + 1 - sequence) & SEQUENCE_MASK;
      timestampDelta = (lastTimestamp + frames * frameTicks - timestamp) & TIMESTAMP_MASK;
      sourceSsrc = source;
      spliceSourceSequence = sequence;
      sourceRestarts++;
      splice = true;
    } else if (!isNewer(sequence, spliceSourceSequence) && sequence != spliceSourceSequence) {
      return false;
    } else if (((sequence - spliceSourceSequence) & SEQUENCE_MASK) > REORDER_WINDOW) {
      // Keep the point within serial-number reach: nothing arrives 10 s late.
      spliceSourceSequence = (sequence - REORDER_WINDOW) & SEQUENCE_MASK;
    }
    int outSequence = (sequence + sequenceDelta) & SEQUENCE_MASK;
    long outTimestamp = (timestamp + timestampDelta) & TIMESTAMP_MASK;
    if (!splice && outSequence == ((lastSequence + 1) & SEQUENCE_MASK)) {
      long step = (outTimestamp - lastTimestamp) & TIMESTAMP_MASK;
      if (step > 0 && step <= MAX_FRAME_TICKS) {
        frameTicks = step; // consecutive packets: one packet's duration (a DTX gap is longer)
      }
    }
    // A late (reordered) packet keeps its place but must not pull the splice point back.
    if (splice || isNewer(outSequence, lastSequence)) {
      lastSequence = outSequence;
      lastTimestamp = outTimestamp;
      lastReceivedNanos = receivedNanos;
    }
    packet.setSsrc(ssrc);
    packet.setSequenceNumber(outSequence);
    packet.setTimestamp(outTimestamp);
    if (splice && (slot >= 0 || relay)) {
      packet.setMarker(true); // RFC 3551 §4.1: the first packet after a silence, a new talkspurt
    }
    return true;
  }

  /**
   * A relay stream's source is back after a pause: more than {@link #RELAY_RESUME_GAP} packets
   * ahead of its last one, or its first packet for more than {@link #RELAY_RESUME_NANOS} (after a
   * long pause the sequence number may have gone anywhere, even just behind the last one).
   */
  private boolean resumed(int sequence, long receivedNanos) {
    int lastSource = (lastSequence - sequenceDelta) & SEQUENCE_MASK;
    int ahead = (sequence - lastSource) & SEQUENCE_MASK;
    return receivedNanos - lastReceivedNanos > RELAY_RESUME_NANOS
        || ahead > RELAY_RESUME_GAP && ahead < HALF_SEQUENCE_SPACE;
  }

  /** Counts a packet the transport accepted. */
  void onSent(int payloadBytes, boolean red) {
    packetsSent++;
    payloadBytesSent += payloadBytes;
    if (red) {
      redPacketsSent++;
    }
    lastSentTimestamp = lastTimestamp;
    lastSentReceivedNanos = lastReceivedNanos;
  }

  /** RED packets sent (the rest were plain Opus). */
  public long redPacketsSent() {
    return redPacketsSent;
  }

  /** Whether this stream currently gets RED kept (see {@link RedPolicy}); else the primary only. */
  public boolean isRedKept() {
    return redKept;
  }

  void setRedKept(boolean kept) {
    redKept = kept;
  }

  /**
   * The RTP timestamp this stream would carry at {@code nowNanos}: the last one sent, advanced by
   * the 48 kHz clock since its packet arrived (RFC 3550 §6.4.1: an SR's RTP timestamp corresponds
   * to its NTP time). -1 before the first packet.
   */
  long rtpTimestampAt(long nowNanos) {
    long sentNanos = lastSentReceivedNanos;
    if (packetsSent == 0) {
      return -1;
    }
    long elapsedMicros = Math.max(0, nowNanos - sentNanos) / NANOS_PER_MICRO;
    return (lastSentTimestamp + elapsedMicros * CLOCK_RATE_HZ / MICROS_PER_SECOND) & TIMESTAMP_MASK;
  }

  /**
   * Loss on this stream since the subscriber's previous report, from its RTCP report blocks (RFC
   * 3550 §6.4.1: both counts are cumulative, so two reports give the interval); NaN when no new
   * report came since the last call. Quality tick only.
   */
  double takeReportedLoss() {
    long reports = receptionReport.reports();
    if (reports == reportsSeen) {
      return Double.NaN;
    }
    long highest = receptionReport.extendedHighestSequence();
    long lost = receptionReport.cumulativeLost();
    boolean first = reportsSeen == 0;
    long expected = highest - priorExtendedHighest;
    long lostInterval = lost - priorCumulativeLost;
    reportsSeen = reports;
    priorExtendedHighest = highest;
    priorCumulativeLost = lost;
    if (first || expected <= 0) {
      // No interval yet: use the fraction the report itself carries (8-bit fixed point).
      double fraction = receptionReport.fractionLost() / 256.0;
      recordDownlinkLoss(fraction, receptionReport.lastReportNanos());
      return fraction;
    }
    double fraction = Math.max(0, Math.min(1, (double) lostInterval / expected));
    recordDownlinkLoss(fraction, receptionReport.lastReportNanos());
    return fraction;
  }

  private void recordDownlinkLoss(double fraction, long reportNanos) {
    downlinkLoss = fraction;
    downlinkLossNanos = reportNanos;
  }

  /** The loss the subscriber last reported on this stream (0..1), or NaN if none yet. */
  public double downlinkLoss() {
    return downlinkLoss;
  }

  /** {@link System#nanoTime()} when the report behind {@link #downlinkLoss()} arrived. */
  public long downlinkLossNanos() {
    return downlinkLossNanos;
  }

  /**
   * The reported loss while it still stands at {@code nowNanos}: a report describes the interval
   * before it (about 5 s) and holds until the next one is due ({@link
   * QualityTick#LISTENER_LOSS_HOLD_NANOS}); NaN once it is older, or if none came.
   */
  double heldDownlinkLoss(long nowNanos) {
    return nowNanos - downlinkLossNanos <= QualityTick.LISTENER_LOSS_HOLD_NANOS
        ? downlinkLoss
        : Double.NaN;
  }

  private static boolean isNewer(int sequence, int than) {
    int difference = (sequence - than) & SEQUENCE_MASK;
    return difference != 0 && difference < HALF_SEQUENCE_SPACE;
  }

  @Override
  public String toString() {
    return "stream ssrc="
        + Integer.toUnsignedString(ssrc)
        + " track="
        + trackOwner()
        + " subscriber="
        + subscriber.participantId();
  }
}

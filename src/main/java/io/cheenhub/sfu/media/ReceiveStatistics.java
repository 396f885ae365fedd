package io.cheenhub.sfu.media;

/**
 * Reception state of one RTP source (SSRC) a publisher sends: RFC 3550 A.1 sequence tracking, A.8
 * interarrival jitter in the 48 kHz Opus clock, and the last sender report, from which A.3 report
 * blocks are made.
 *
 * <p>Not thread-safe: {@link ReceiverReports} owns one per source, updates it under its write lock
 * and gives the reporter copies ({@link #copyFrom}).
 */
public final class ReceiveStatistics {

  // RFC 3550 A.1: the constants of the reference algorithm.
  static final int MAX_DROPOUT = 3000;
  static final int MAX_MISORDER = 100;
  static final int MIN_SEQUENTIAL = 2;
  static final int SEQUENCE_MOD = 1 << 16;
  private static final int SEQUENCE_MASK = SEQUENCE_MOD - 1;

  // RFC 7587 §4.1: the Opus RTP clock is 48 kHz, i.e. 48 ticks per millisecond.
  private static final long TICKS_PER_MILLI = OutgoingStream.CLOCK_RATE_HZ / 1_000;
  private static final long NANOS_PER_MILLI = 1_000_000;
  // RFC 3550 A.8: jitter is kept scaled by 16 so that the 1/16 gain stays in integers.
  private static final int JITTER_SHIFT = 4;

  private int ssrc;
  private int generation;
  private long firstArrivalNanos;
  private long lastArrivalNanos;

  // RFC 3550 A.1 source state.
  private int maxSeq;
  private long cycles;
  private int baseSeq;
  private int badSeq;
  private int probation;
  private long received;

  // RFC 3550 A.8: the previous packet's arrival (in clock ticks) and RTP timestamp.
  private boolean transitKnown;
  private long lastArrivalTicks;
  private long lastRtpTimestamp;
  private long jitterScaled;

  // RFC 3550 §6.4.1: LSR and the local time it arrived, for DLSR.
  private long lastSrNtpMiddle;
  private long lastSrArrivalNanos;
  private boolean srKnown;

  /**
   * Starts over for a new source whose first packet has sequence {@code seq} (RFC 3550 A.1: the
   * source is on probation until {@link #MIN_SEQUENTIAL} packets arrive in sequence).
   */
  void start(int ssrc, int seq, long arrivalNanos) {
    this.ssrc = ssrc;
    firstArrivalNanos = arrivalNanos;
    lastArrivalNanos = arrivalNanos;
    initSequence(seq);
    maxSeq = (seq - 1) & SEQUENCE_MASK;
    probation = MIN_SEQUENTIAL;
    srKnown = false;
    lastSrNtpMiddle = 0;
    lastSrArrivalNanos = 0;
    jitterScaled = 0;
  }

  /**
   * Counts one RTP packet; returns whether RFC 3550 A.1 considers it valid (false while on
   * probation and for the first packet after a large jump).
   */
  boolean onRtp(int seq, long rtpTimestamp, long arrivalNanos) {
    lastArrivalNanos = arrivalNanos;
    if (!updateSequence(seq & SEQUENCE_MASK)) {
      return false;
    }
    updateJitter(rtpTimestamp & 0xFFFF_FFFFL, arrivalNanos);
    return true;
  }

  /** Records a sender report whose NTP timestamp's middle 32 bits are {@code ntpMiddle}. */
  void onSenderReport(long ntpMiddle, long arrivalNanos) {
    lastSrNtpMiddle = ntpMiddle & 0xFFFF_FFFFL;
    lastSrArrivalNanos = arrivalNanos;
    srKnown = true;
  }

  /** RFC 3550 A.1 {@code init_seq}: also a restart, so the report interval starts over. */
  private void initSequence(int seq) {
    baseSeq = seq;
    maxSeq = seq;
    badSeq = SEQUENCE_MOD + 1; // so seq == badSeq is false
    cycles = 0;
    received = 0;
    transitKnown = false; // a restarted sender has a new timestamp base: no D across it
    generation++;
  }

  /** RFC 3550 A.1 {@code update_seq}. */
  private boolean updateSequence(int seq) {
    int delta = (seq - maxSeq) & SEQUENCE_MASK;
    if (probation > 0) {
      // Packet is in sequence.
      if (seq == ((maxSeq + 1) & SEQUENCE_MASK)) {
        probation--;
        maxSeq = seq;
        if (probation == 0) {
          initSequence(seq);
          received++;
          return true;
        }
      } else {
        probation = MIN_SEQUENTIAL - 1;
        maxSeq = seq;
      }
      return false;
    } else if (delta < MAX_DROPOUT) {
      // In order, with permissible gap.
      if (seq < maxSeq) {
        cycles += SEQUENCE_MOD; // sequence number wrapped
      }
      maxSeq = seq;
    } else if (delta <= SEQUENCE_MOD - MAX_MISORDER) {
      // The sequence number made a very large jump.
      if (seq == badSeq) {
        // Two sequential packets: assume the other side restarted without telling us.
        initSequence(seq);
      } else {
        badSeq = (seq + 1) & SEQUENCE_MASK;
        return false;
      }
    }
    // Otherwise a duplicate or reordered packet: counted, as A.1 does.
    received++;
    return true;
  }

  /**
   * RFC 3550 A.8 / §6.4.1: J += (|D| - J) / 16 with D = (Rj - Ri) - (Sj - Si) for this packet and
   * the previous one in arrival order. The RTP difference is taken as a signed 32-bit value so the
   * timestamp may wrap.
   */
  private void updateJitter(long rtpTimestamp, long arrivalNanos) {
    long arrivalTicks = (arrivalNanos - firstArrivalNanos) * TICKS_PER_MILLI / NANOS_PER_MILLI;
    if (transitKnown) {
      long d = (arrivalTicks - lastArrivalTicks) - (int) (rtpTimestamp - lastRtpTimestamp);
      // A.8's integer form: jitter is scaled by 16, rounding the subtracted term.
      jitterScaled += Math.abs(d) - ((jitterScaled + 8) >> JITTER_SHIFT);
    }
    transitKnown = true;
    lastArrivalTicks = arrivalTicks;
    lastRtpTimestamp = rtpTimestamp;
  }

  /** Copies every field of {@code other} (a plain copy; the caller makes it consistent). */
  void copyFrom(ReceiveStatistics other) {
    ssrc = other.ssrc;
    generation = other.generation;
    firstArrivalNanos = other.firstArrivalNanos;
    lastArrivalNanos = other.lastArrivalNanos;
    maxSeq = other.maxSeq;
    cycles = other.cycles;
    baseSeq = other.baseSeq;
    badSeq = other.badSeq;
    probation = other.probation;
    received = other.received;
    transitKnown = other.transitKnown;
    lastArrivalTicks = other.lastArrivalTicks;
    lastRtpTimestamp = other.lastRtpTimestamp;
    jitterScaled = other.jitterScaled;
    lastSrNtpMiddle = other.lastSrNtpMiddle;
    lastSrArrivalNanos = other.lastSrArrivalNanos;
    srKnown = other.srKnown;
  }

  /** The source's SSRC. */
  public int ssrc() {
    return ssrc;
  }

  /** Changes whenever the sequence state starts over (new source, end of probation, restart). */
  int generation() {
    return generation;
  }

  /** Whether the source passed probation, i.e. has something to report. */
  public boolean isValid() {
    return probation == 0;
  }

  /** {@link System#nanoTime()} of the last packet, valid or not. */
  public long lastArrivalNanos() {
    return lastArrivalNanos;
  }

  /** RFC 3550 A.3: extended highest sequence number received (cycles + max_seq). */
  public long extendedHighestSequence() {
    return cycles + maxSeq;
  }

  /** RFC 3550 A.3: packets expected since the (re)start of the sequence state. */
  public long expected() {
    return isValid() ? extendedHighestSequence() - baseSeq + 1 : 0;
  }

  /** Valid packets received, duplicates included (RFC 3550 A.1). */
  public long received() {
    return received;
  }

  /**
   * RFC 3550 A.3: cumulative packets lost, expected minus received; negative with duplicates. Not
   * clamped; {@link io.cheenhub.sfu.rtp.ReportBlock} clamps to 24 bits.
   */
  public long cumulativeLost() {
    return expected() - received;
  }

  /** Interarrival jitter in 48 kHz RTP timestamp units (RFC 3550 §6.4.1). */
  public long jitter() {
    return jitterScaled >> JITTER_SHIFT;
  }

  /** Whether a sender report was received from this source. */
  public boolean hasSenderReport() {
    return srKnown;
  }

  /** LSR: middle 32 bits of the last SR's NTP timestamp, or 0 if none (RFC 3550 §6.4.1). */
  public long lastSenderReportNtpMiddle() {
    return srKnown ? lastSrNtpMiddle : 0;
  }

  /** {@link System#nanoTime()} when the last SR arrived; meaningful if {@link #hasSenderReport}. */
  public long lastSenderReportArrivalNanos() {
    return lastSrArrivalNanos;
  }
}

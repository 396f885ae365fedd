package io.cheenhub.sfu.media;

import io.cheenhub.sfu.rtp.ReportBlock;

/**
 * What a subscriber last reported about one {@link OutgoingStream} (an RFC 3550 §6.4.1 report block
 * from its RR or SR), and the round-trip time derived from it.
 *
 * <p>Written by the subscribe transport's worker (one report at a time), read by metrics and later
 * by quality adaptation. Each field is a volatile of its own: a reader racing a report may see
 * fields of two consecutive reports, which is harmless for statistics; {@link #reports()} is
 * written last.
 */
public final class ReceptionReport {

  /** {@link #rttNanos()} when the round-trip time is unknown (no SR of ours was echoed). */
  public static final long RTT_UNKNOWN = -1;

  private volatile int fractionLost;
  private volatile int cumulativeLost;
  private volatile long extendedHighestSequence;
  private volatile long jitter;
  private volatile long rttNanos = RTT_UNKNOWN;
  private volatile long lastReportNanos;
  private volatile long reports;

  /**
   * Records {@code block}, received at {@code nowNanos}; {@code rttNanos} is {@link #RTT_UNKNOWN}
   * or the round trip it gave. An unknown RTT keeps the last known one.
   */
  void update(ReportBlock block, long rttNanos, long nowNanos) {
    fractionLost = block.fractionLost();
    cumulativeLost = block.cumulativeLost();
    extendedHighestSequence = block.extendedHighestSequence();
    jitter = block.jitter();
    if (rttNanos != RTT_UNKNOWN) {
      this.rttNanos = rttNanos;
    }
    lastReportNanos = nowNanos;
    reports++;
  }

  /** Fraction lost in the subscriber's last interval, 8-bit fixed point (0..255 = 0..255/256). */
  public int fractionLost() {
    return fractionLost;
  }

  /** Cumulative packets lost as the subscriber counts them (may be negative with duplicates). */
  public int cumulativeLost() {
    return cumulativeLost;
  }

  /** Extended highest sequence number the subscriber received. */
  public long extendedHighestSequence() {
    return extendedHighestSequence;
  }

  /** Interarrival jitter in 48 kHz RTP timestamp units. */
  public long jitter() {
    return jitter;
  }

  /** Last known round-trip time (RFC 3550 §6.4.1: A - LSR - DLSR), or {@link #RTT_UNKNOWN}. */
  public long rttNanos() {
    return rttNanos;
  }

  /** {@link System#nanoTime()} of the last report, 0 if none. */
  public long lastReportNanos() {
    return lastReportNanos;
  }

  /** Report blocks received for this stream. */
  public long reports() {
    return reports;
  }
}

package io.cheenhub.sfu.rtp;

/**
 * Mutable holder for one reception report block (RFC 3550 §6.4.1), reused to read and write report
 * blocks without allocation.
 */
public final class ReportBlock {

  /** RFC 3550 §6.4.1: a report block is six 32-bit words. */
  public static final int BYTES = 24;

  // RFC 3550 §6.4.1: cumulative number of packets lost is a 24-bit signed integer; A.3 clamps it.
  static final int MAX_CUMULATIVE_LOST = 0x7F_FFFF;
  static final int MIN_CUMULATIVE_LOST = -0x80_0000;

  private int ssrc;
  private int fractionLost;
  private int cumulativeLost;
  private long extendedHighestSequence;
  private long jitter;
  private long lastSenderReport;
  private long delaySinceLastSenderReport;

  /**
   * Sets every field; {@code fractionLost} is the 8-bit fixed-point fraction (lost/expected * 256),
   * {@code lastSenderReport} the middle 32 bits of the SR's NTP time, {@code delay...} in 1/65536
   * s.
   */
  public ReportBlock set(
      int ssrc,
      int fractionLost,
      int cumulativeLost,
      long extendedHighestSequence,
      long jitter,
      long lastSenderReport,
      long delaySinceLastSenderReport) {
    this.ssrc = ssrc;
    this.fractionLost = fractionLost & 0xFF;
    this.cumulativeLost =
        Math.max(MIN_CUMULATIVE_LOST, Math.min(MAX_CUMULATIVE_LOST, cumulativeLost));
    this.extendedHighestSequence = extendedHighestSequence & 0xFFFF_FFFFL;
    this.jitter = jitter & 0xFFFF_FFFFL;
    this.lastSenderReport = lastSenderReport & 0xFFFF_FFFFL;
    this.delaySinceLastSenderReport = delaySinceLastSenderReport & 0xFFFF_FFFFL;
    return this;
  }

  void readFrom(byte[] b, int i) {
    ssrc = BigEndian.i32(b, i);
    fractionLost = BigEndian.u8(b, i + 4);
    cumulativeLost = BigEndian.s24(b, i + 5);
    extendedHighestSequence = BigEndian.u32(b, i + 8);
    jitter = BigEndian.u32(b, i + 12);
    lastSenderReport = BigEndian.u32(b, i + 16);
    delaySinceLastSenderReport = BigEndian.u32(b, i + 20);
  }

  void writeTo(byte[] b, int i) {
    BigEndian.put32(b, i, ssrc);
    BigEndian.put8(b, i + 4, fractionLost);
    BigEndian.put24(b, i + 5, cumulativeLost);
    BigEndian.put32(b, i + 8, (int) extendedHighestSequence);
    BigEndian.put32(b, i + 12, (int) jitter);
    BigEndian.put32(b, i + 16, (int) lastSenderReport);
    BigEndian.put32(b, i + 20, (int) delaySinceLastSenderReport);
  }

  public int ssrc() {
    return ssrc;
  }

  /** Fraction lost since the previous report, 8-bit fixed point (0..255 = 0..255/256). */
  public int fractionLost() {
    return fractionLost;
  }

  /** Cumulative packets lost, signed (duplicates can make it negative). */
  public int cumulativeLost() {
    return cumulativeLost;
  }

  public long extendedHighestSequence() {
    return extendedHighestSequence;
  }

  /** Interarrival jitter in RTP timestamp units. */
  public long jitter() {
    return jitter;
  }

  /** LSR: middle 32 bits of the last SR's NTP timestamp, 0 if none. */
  public long lastSenderReport() {
    return lastSenderReport;
  }

  /** DLSR in units of 1/65536 s. */
  public long delaySinceLastSenderReport() {
    return delaySinceLastSenderReport;
  }
}

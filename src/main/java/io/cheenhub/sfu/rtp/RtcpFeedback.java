package io.cheenhub.sfu.rtp;

/**
 * Common part of RTCP feedback messages (RFC 4585 §6.1): packet sender SSRC, media source SSRC and
 * the feedback control information (FCI) of one message type.
 */
public abstract sealed class RtcpFeedback extends RtcpPacket
    permits RtcpNack, RtcpTransportCc, RtcpPli, RtcpFir, RtcpRemb {

  // RFC 4585 §6.1: header, SSRC of packet sender, SSRC of media source, then FCI.
  static final int FCI_AT = HEADER_BYTES + 2 * SSRC_BYTES;

  private final int expectedType;
  private final int expectedFormat;

  RtcpFeedback(int packetType, int format) {
    this.expectedType = packetType;
    this.expectedFormat = format;
  }

  @Override
  final boolean parse(byte[] b, int o, int n) {
    boolean ok =
        n >= FCI_AT && BigEndian.u8(b, o + 1) == expectedType && (b[o] & 0x1F) == expectedFormat;
    if (!ok) {
      parseFci(b, o, 0);
      return false;
    }
    return parseFci(b, o + FCI_AT, n - FCI_AT);
  }

  /**
   * Checks the FCI {@code buf[at, at + length)} and caches what the getters need; also called with
   * length 0 after a header mismatch, to reset.
   */
  abstract boolean parseFci(byte[] b, int at, int length);

  /** Feedback message type (FMT), the 5-bit count field of feedback packets. */
  public final int format() {
    return count();
  }

  public final int senderSsrc() {
    return BigEndian.i32(buf, off + HEADER_BYTES);
  }

  public final int mediaSsrc() {
    return BigEndian.i32(buf, off + HEADER_BYTES + SSRC_BYTES);
  }

  final int fciOffset() {
    return off + FCI_AT;
  }

  final int fciLength() {
    return len - FCI_AT;
  }
}

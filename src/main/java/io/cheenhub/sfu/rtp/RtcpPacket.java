package io.cheenhub.sfu.rtp;

/**
 * Reusable zero-copy view of one RTCP packet (RFC 3550 §6.4) as delimited by {@link RtcpCompound};
 * subclasses read one packet type.
 *
 * <p>{@link #wrap} checks the common header (version 2, length field equal to the given length,
 * padding) and the type-specific layout; a view whose last wrap failed reads as zeros and reports
 * no items, so no getter can throw.
 */
public abstract sealed class RtcpPacket
    permits RtcpSenderReport, RtcpReceiverReport, RtcpSdes, RtcpBye, RtcpFeedback, RtcpXr {

  /** RFC 3550 §6.4.1: sender report. */
  public static final int TYPE_SR = 200;

  /** RFC 3550 §6.4.2: receiver report. */
  public static final int TYPE_RR = 201;

  /** RFC 3550 §6.5: source description. */
  public static final int TYPE_SDES = 202;

  /** RFC 3550 §6.6: goodbye. */
  public static final int TYPE_BYE = 203;

  /** RFC 3550 §6.7: application-defined. */
  public static final int TYPE_APP = 204;

  /** RFC 4585 §6.1: transport layer feedback. */
  public static final int TYPE_RTPFB = 205;

  /** RFC 4585 §6.1: payload-specific feedback. */
  public static final int TYPE_PSFB = 206;

  /** RFC 3611 §2: extended report. */
  public static final int TYPE_XR = 207;

  /** RFC 3550 §6.4.1: version, padding, count, packet type and length. */
  public static final int HEADER_BYTES = 4;

  static final int RTCP_VERSION = 2;
  static final int WORD_BYTES = 4;
  static final int SSRC_BYTES = 4;

  // Large enough for every fixed offset a getter reads, so an invalid view reads zeros.
  private static final int NO_PACKET_BYTES = 64;
  private static final byte[] NO_PACKET = new byte[NO_PACKET_BYTES];

  byte[] buf = NO_PACKET;
  int off;
  int len;
  private boolean valid;

  RtcpPacket() {}

  /**
   * Points the view at one RTCP packet {@code buf[off, off + len)}; returns false if it is not a
   * well-formed packet of this view's type.
   */
  public final boolean wrap(byte[] buf, int off, int len) {
    int content = contentLength(buf, off, len);
    valid = content >= HEADER_BYTES && parse(buf, off, content);
    if (valid) {
      this.buf = buf;
      this.off = off;
      this.len = content;
    } else {
      this.buf = NO_PACKET;
      this.off = 0;
      this.len = 0;
      parse(NO_PACKET, 0, 0);
    }
    return valid;
  }

  /** Wraps the packet the compound iterator is positioned on. */
  public final boolean wrap(RtcpCompound compound) {
    return wrap(compound.buffer(), compound.packetOffset(), compound.packetLength());
  }

  /**
   * Checks the type-specific layout of {@code buf[off, off + len)} (padding already removed) and
   * caches positions; called with an empty range to reset the state of an invalid view.
   */
  abstract boolean parse(byte[] buf, int off, int len);

  /** Length without padding, or -1 if the common header is not valid for exactly this length. */
  static int contentLength(byte[] b, int o, int n) {
    if (!BigEndian.inBounds(b, o, n) || n < HEADER_BYTES) {
      return -1;
    }
    int first = b[o] & 0xFF;
    if (first >>> 6 != RTCP_VERSION) {
      return -1;
    }
    // RFC 3550 §6.4.1: length is in 32-bit words minus one, header and padding included.
    if ((BigEndian.u16(b, o + 2) + 1) * WORD_BYTES != n) {
      return -1;
    }
    if ((first & 0x20) == 0) {
      return n;
    }
    int padding = b[o + n - 1] & 0xFF;
    return padding == 0 || padding > n - HEADER_BYTES ? -1 : n - padding;
  }

  public final boolean isValid() {
    return valid;
  }

  public final byte[] buffer() {
    return buf;
  }

  public final int offset() {
    return off;
  }

  /** Length in bytes without padding. */
  public final int length() {
    return len;
  }

  public final int packetType() {
    return buf[off + 1] & 0xFF;
  }

  /** The 5-bit header field: report count, source count or feedback message type. */
  public final int count() {
    return buf[off] & 0x1F;
  }
}

package io.cheenhub.sfu.transport.srtp;

/**
 * Header checks done before a packet reaches jitsi-srtp, which trusts the header and would read
 * past a truncated one. Returns -1 for anything that is not a well-formed packet of the kind asked.
 */
final class PacketChecks {

  // RFC 3550 §5.1 and §6.4.1.
  static final int RTP_FIXED_HEADER_BYTES = 12;
  static final int RTCP_HEADER_BYTES = 8;
  private static final int VERSION = 2;
  private static final int CSRC_BYTES = 4;
  private static final int EXTENSION_HEADER_BYTES = 4;
  private static final int EXTENSION_WORD_BYTES = 4;
  // RFC 5761 §4: with rtcp-mux, a second byte of 192..223 is RTCP, never RTP.
  private static final int RTCP_TYPE_FIRST = 192;
  private static final int RTCP_TYPE_LAST = 223;

  private PacketChecks() {}

  static boolean inBounds(byte[] buf, int off, int len) {
    return buf != null && off >= 0 && len >= 0 && off <= buf.length - len;
  }

  /**
   * RTP header length (fixed header, CSRCs, extension) of {@code buf[off, off + len)}, or -1 if it
   * is not RTP or the header with {@code trailerBytes} after it does not fit in {@code len}.
   */
  static int rtpHeaderLength(byte[] buf, int off, int len, int trailerBytes) {
    if (len < RTP_FIXED_HEADER_BYTES + trailerBytes) {
      return -1;
    }
    int first = buf[off] & 0xFF;
    int second = buf[off + 1] & 0xFF;
    if (first >>> 6 != VERSION || (second >= RTCP_TYPE_FIRST && second <= RTCP_TYPE_LAST)) {
      return -1;
    }
    int header = RTP_FIXED_HEADER_BYTES + CSRC_BYTES * (first & 0x0F);
    if ((first & 0x10) != 0) {
      if (header + EXTENSION_HEADER_BYTES > len) {
        return -1;
      }
      int words = (buf[off + header + 2] & 0xFF) << 8 | (buf[off + header + 3] & 0xFF);
      header += EXTENSION_HEADER_BYTES + EXTENSION_WORD_BYTES * words;
    }
    return header + trailerBytes <= len ? header : -1;
  }

  /**
   * Whether {@code buf[off, off + len)} starts like RTCP (version 2, packet type 192..223) and
   * holds the 8-byte header plus {@code trailerBytes}.
   */
  static boolean isRtcp(byte[] buf, int off, int len, int trailerBytes) {
    if (len < RTCP_HEADER_BYTES + trailerBytes) {
      return false;
    }
    int type = buf[off + 1] & 0xFF;
    return (buf[off] & 0xFF) >>> 6 == VERSION && type >= RTCP_TYPE_FIRST && type <= RTCP_TYPE_LAST;
  }

  static int ssrcOfRtp(byte[] buf, int off) {
    return readInt(buf, off + 8);
  }

  /** RTCP §6.4.1: the first packet's sender SSRC, which keys the SRTCP context. */
  static int ssrcOfRtcp(byte[] buf, int off) {
    return readInt(buf, off + 4);
  }

  private static int readInt(byte[] b, int i) {
    return (b[i] & 0xFF) << 24
        | (b[i + 1] & 0xFF) << 16
        | (b[i + 2] & 0xFF) << 8
        | (b[i + 3] & 0xFF);
  }
}

package io.cheenhub.sfu.rtp;

/** Demultiplexes a datagram received on the shared 5-tuple by its first byte (RFC 7983 §7). */
public final class PacketClassifier {

  /** What a datagram carries. */
  public enum Kind {
    STUN,
    ZRTP,
    DTLS,
    TURN_CHANNEL,
    RTP,
    RTCP,
    UNKNOWN
  }

  // RFC 7983 §7: inclusive first-byte ranges.
  private static final int STUN_LAST = 3;
  private static final int ZRTP_FIRST = 16;
  private static final int ZRTP_LAST = 19;
  private static final int DTLS_FIRST = 20;
  private static final int DTLS_LAST = 63;
  private static final int TURN_CHANNEL_FIRST = 64;
  private static final int TURN_CHANNEL_LAST = 79;
  private static final int RTP_FIRST = 128;
  private static final int RTP_LAST = 191;

  // RFC 5761 §4: with rtcp-mux, a second byte (marker + payload type) of 192..223 is RTCP.
  private static final int RTCP_TYPE_FIRST = 192;
  private static final int RTCP_TYPE_LAST = 223;

  private PacketClassifier() {}

  /**
   * Classifies {@code buf[off, off + len)}; empty or out-of-range input is {@link Kind#UNKNOWN}.
   */
  public static Kind classify(byte[] buf, int off, int len) {
    if (len < 1 || !BigEndian.inBounds(buf, off, len)) {
      return Kind.UNKNOWN;
    }
    int first = buf[off] & 0xFF;
    if (first <= STUN_LAST) {
      return Kind.STUN;
    }
    if (first >= ZRTP_FIRST && first <= ZRTP_LAST) {
      return Kind.ZRTP;
    }
    if (first >= DTLS_FIRST && first <= DTLS_LAST) {
      return Kind.DTLS;
    }
    if (first >= TURN_CHANNEL_FIRST && first <= TURN_CHANNEL_LAST) {
      return Kind.TURN_CHANNEL;
    }
    if (first >= RTP_FIRST && first <= RTP_LAST && len >= 2) {
      int second = buf[off + 1] & 0xFF;
      return second >= RTCP_TYPE_FIRST && second <= RTCP_TYPE_LAST ? Kind.RTCP : Kind.RTP;
    }
    return Kind.UNKNOWN;
  }
}

package io.cheenhub.sfu.transport.srtp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cheenhub.sfu.rtp.PacketClassifier;

/**
 * Coverage-guided fuzzing of what a datagram meets before any key (docs/quality.md, "Fuzzing"): the
 * RFC 7983 first-byte demux, then the header checks that guard jitsi-srtp. Oracle: nothing throws,
 * the classification matches RFC 7983 §7 / RFC 5761 §4 written out here, the checks only accept
 * what the demux routed to them, and an accepted header (plus the SRTP trailer) fits.
 *
 * <p>Seeds under {@code DemuxFuzzTestInputs/}: STUN binding request, DTLS ClientHello head, RTP and
 * RTCP packets, TURN ChannelData; plain {@code mvn test} replays them.
 */
class DemuxFuzzTest {

  /** Trailer sizes of the SRTP profiles we negotiate (RFC 3711 §4.2, RFC 7714 §9.2) plus none. */
  private static final int[] TRAILERS = {0, 4, 10, 14, 16, 20};

  @FuzzTest(maxDuration = "60s")
  void classifyThenCheckHeaders(byte[] input) {
    // The datagram at the end of a larger receive buffer, as ice4j hands it over.
    int off = 5;
    byte[] buf = new byte[off + input.length];
    System.arraycopy(input, 0, buf, off, input.length);
    int len = input.length;

    PacketClassifier.Kind kind = PacketClassifier.classify(buf, off, len);
    check(kind == reference(input), "classification of first bytes differs from RFC 7983", kind);
    check(
        PacketClassifier.classify(buf, off + 1, len) == PacketClassifier.Kind.UNKNOWN,
        "out-of-range datagram was classified",
        kind);

    for (int trailer : TRAILERS) {
      int header = PacketChecks.rtpHeaderLength(buf, off, len, trailer);
      if (header >= 0) {
        check(kind == PacketClassifier.Kind.RTP, "RTP header accepted for another kind", kind);
        check(header >= PacketChecks.RTP_FIXED_HEADER_BYTES, "RTP header too short", kind);
        check(header + trailer <= len, "RTP header and trailer past the end", kind);
        PacketChecks.ssrcOfRtp(buf, off);
      }
      if (PacketChecks.isRtcp(buf, off, len, trailer)) {
        check(kind == PacketClassifier.Kind.RTCP, "RTCP accepted for another kind", kind);
        check(PacketChecks.RTCP_HEADER_BYTES + trailer <= len, "RTCP header past the end", kind);
        PacketChecks.ssrcOfRtcp(buf, off);
      }
    }
  }

  /** RFC 7983 §7 byte ranges, RFC 5761 §4 for RTP versus RTCP. */
  private static PacketClassifier.Kind reference(byte[] p) {
    if (p.length == 0) {
      return PacketClassifier.Kind.UNKNOWN;
    }
    int b = Byte.toUnsignedInt(p[0]);
    if (b <= 3) {
      return PacketClassifier.Kind.STUN;
    } else if (b >= 16 && b <= 19) {
      return PacketClassifier.Kind.ZRTP;
    } else if (b >= 20 && b <= 63) {
      return PacketClassifier.Kind.DTLS;
    } else if (b >= 64 && b <= 79) {
      return PacketClassifier.Kind.TURN_CHANNEL;
    } else if (b >= 128 && b <= 191 && p.length >= 2) {
      int type = Byte.toUnsignedInt(p[1]);
      return type >= 192 && type <= 223 ? PacketClassifier.Kind.RTCP : PacketClassifier.Kind.RTP;
    }
    return PacketClassifier.Kind.UNKNOWN;
  }

  private static void check(boolean condition, String what, PacketClassifier.Kind kind) {
    if (!condition) {
      throw new AssertionError(what + " (classified " + kind + ")");
    }
  }
}

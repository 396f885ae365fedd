package io.cheenhub.sfu.rtp;

import static io.cheenhub.sfu.rtp.TestPackets.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.rtp.PacketClassifier.Kind;
import org.junit.jupiter.api.Test;

class PacketClassifierTest {

  private static Kind classify(int first, int second) {
    return PacketClassifier.classify(bytes(first, second), 0, 2);
  }

  @Test
  void firstByteRangesFollowRfc7983() {
    for (int b = 0; b < 256; b++) {
      Kind expected;
      if (b <= 3) {
        expected = Kind.STUN;
      } else if (b >= 16 && b <= 19) {
        expected = Kind.ZRTP;
      } else if (b >= 20 && b <= 63) {
        expected = Kind.DTLS;
      } else if (b >= 64 && b <= 79) {
        expected = Kind.TURN_CHANNEL;
      } else if (b >= 128 && b <= 191) {
        expected = Kind.RTP;
      } else {
        expected = Kind.UNKNOWN;
      }
      assertThat(classify(b, 111)).as("first byte %d", b).isEqualTo(expected);
    }
  }

  @Test
  void rtcpIsPayloadType192To223PerRfc5761() {
    assertThat(classify(0x80, 191)).isEqualTo(Kind.RTP);
    assertThat(classify(0x80, 192)).isEqualTo(Kind.RTCP);
    assertThat(classify(0x80, 200)).isEqualTo(Kind.RTCP);
    assertThat(classify(0x80, 223)).isEqualTo(Kind.RTCP);
    assertThat(classify(0x80, 224)).isEqualTo(Kind.RTP);
    // Opus PT 111 with the marker bit: 0xEF = 239 stays RTP.
    assertThat(classify(0x80, 0xEF)).isEqualTo(Kind.RTP);
  }

  @Test
  void realPacketsAndOffsets() {
    byte[] rtp = TestPackets.embed(TestPackets.CHROME_OPUS, 5, 3);
    assertThat(PacketClassifier.classify(rtp, 5, TestPackets.CHROME_OPUS.length))
        .isEqualTo(Kind.RTP);
    for (byte[] rtcp : TestPackets.RTCP) {
      assertThat(PacketClassifier.classify(rtcp, 0, rtcp.length)).isEqualTo(Kind.RTCP);
    }
  }

  @Test
  void emptyTruncatedOrOutOfBoundsIsUnknown() {
    byte[] one = bytes(0x80);
    assertThat(PacketClassifier.classify(one, 0, 0)).isEqualTo(Kind.UNKNOWN);
    assertThat(PacketClassifier.classify(one, 0, 1)).isEqualTo(Kind.UNKNOWN);
    assertThat(PacketClassifier.classify(bytes(0x16), 0, 1)).isEqualTo(Kind.DTLS);
    assertThat(PacketClassifier.classify(one, 1, 1)).isEqualTo(Kind.UNKNOWN);
    assertThat(PacketClassifier.classify(one, -1, 1)).isEqualTo(Kind.UNKNOWN);
    assertThat(PacketClassifier.classify(null, 0, 1)).isEqualTo(Kind.UNKNOWN);
  }
}

package io.cheenhub.sfu.rtp;

import static io.cheenhub.sfu.rtp.TestPackets.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.rtp.RtpPacket.Problem;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RtpPacketTest {

  private static final int OFF = 7;

  private final RtpPacket rtp = new RtpPacket();

  private byte[] wrapEmbedded(byte[] packet) {
    byte[] buf = TestPackets.embed(packet, OFF, 5);
    assertThat(rtp.wrap(buf, OFF, packet.length)).isTrue();
    return buf;
  }

  @Test
  void chromeOpusFixedHeader() {
    byte[] buf = wrapEmbedded(TestPackets.CHROME_OPUS);
    assertThat(rtp.isValid()).isTrue();
    assertThat(rtp.problem()).isEqualTo(Problem.NONE);
    assertThat(rtp.buffer()).isSameAs(buf);
    assertThat(rtp.offset()).isEqualTo(OFF);
    assertThat(rtp.length()).isEqualTo(TestPackets.CHROME_OPUS.length);
    assertThat(rtp.version()).isEqualTo(2);
    assertThat(rtp.hasPadding()).isFalse();
    assertThat(rtp.hasExtension()).isTrue();
    assertThat(rtp.csrcCount()).isZero();
    assertThat(rtp.marker()).isFalse();
    assertThat(rtp.payloadType()).isEqualTo(111);
    assertThat(rtp.sequenceNumber()).isEqualTo(23456);
    assertThat(rtp.timestamp()).isEqualTo(3_000_000_000L);
    assertThat(rtp.ssrc()).isEqualTo(TestPackets.OPUS_SSRC);
    assertThat(rtp.headerLength()).isEqualTo(TestPackets.CHROME_OPUS_HEADER_BYTES);
    assertThat(rtp.payloadOffset()).isEqualTo(OFF + TestPackets.CHROME_OPUS_HEADER_BYTES);
    assertThat(rtp.payloadLength()).isEqualTo(TestPackets.CHROME_OPUS_PAYLOAD_BYTES);
    assertThat(rtp.paddingLength()).isZero();
    assertThat(rtp.extensionProfile()).isEqualTo(RtpPacket.ONE_BYTE_PROFILE);
    assertThat(buf[rtp.payloadOffset()]).isEqualTo((byte) 0x78);
  }

  @Test
  void chromeOpusExtensions() {
    wrapEmbedded(TestPackets.CHROME_OPUS);
    int level = HeaderExtensions.audioLevel(rtp, TestPackets.AUDIO_LEVEL_ID);
    assertThat(level).isEqualTo(0x9E);
    assertThat(HeaderExtensions.voiceActivity(level)).isTrue();
    assertThat(HeaderExtensions.levelDbov(level)).isEqualTo(30);
    assertThat(HeaderExtensions.absSendTime(rtp, TestPackets.ABS_SEND_TIME_ID)).isEqualTo(0x123456);
    assertThat(HeaderExtensions.transportSequenceNumber(rtp, TestPackets.TRANSPORT_CC_ID))
        .isEqualTo(0x0A0B);
    assertThat(HeaderExtensions.mid(rtp, TestPackets.MID_ID)).isEqualTo("0");

    assertThat(rtp.findExtension(2)).isEqualTo(OFF + 19);
    assertThat(rtp.extensionLength()).isEqualTo(3);
    for (int id : new int[] {0, 5, 14, 15, 16, -1, 256}) {
      assertThat(rtp.findExtension(id)).as("id %d", id).isEqualTo(RtpPacket.NOT_FOUND);
      assertThat(rtp.extensionLength()).isZero();
    }
  }

  @Test
  void csrcTwoByteExtensionAndPadding() {
    byte[] buf = wrapEmbedded(TestPackets.CSRC_TWO_BYTE_PADDED);
    assertThat(rtp.hasPadding()).isTrue();
    assertThat(rtp.marker()).isTrue();
    assertThat(rtp.payloadType()).isEqualTo(96);
    assertThat(rtp.sequenceNumber()).isEqualTo(65535);
    assertThat(rtp.timestamp()).isEqualTo(1L);
    assertThat(rtp.ssrc()).isEqualTo(0x01020304);
    assertThat(rtp.csrcCount()).isEqualTo(2);
    assertThat(rtp.csrc(0)).isEqualTo(0xAAAAAAAA);
    assertThat(rtp.csrc(1)).isEqualTo(0xBBBBBBBB);
    assertThat(rtp.extensionProfile()).isEqualTo(0x1007);
    assertThat(rtp.headerLength()).isEqualTo(36);
    assertThat(rtp.paddingLength()).isEqualTo(3);
    assertThat(rtp.payloadLength()).isEqualTo(2);
    assertThat(buf[rtp.payloadOffset()]).isEqualTo((byte) 0xDE);

    assertThat(HeaderExtensions.audioLevel(rtp, 1)).isEqualTo(0x85);
    assertThat(rtp.findExtension(7)).isEqualTo(OFF + 30);
    assertThat(rtp.extensionLength()).isZero();
    int at = rtp.findExtension(16);
    assertThat(rtp.extensionLength()).isEqualTo(3);
    assertThat(Arrays.copyOfRange(buf, at, at + 3)).containsExactly(1, 2, 3);
    assertThat(HeaderExtensions.absSendTime(rtp, 16)).isEqualTo(0x010203);
    assertThat(rtp.findExtension(2)).isEqualTo(RtpPacket.NOT_FOUND);
  }

  @Test
  void minimalPacketWithoutExtension() {
    byte[] packet = bytes(0x80, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3);
    assertThat(rtp.wrap(packet, 0, packet.length)).isTrue();
    assertThat(rtp.hasExtension()).isFalse();
    assertThat(rtp.payloadLength()).isZero();
    assertThat(rtp.payloadOffset()).isEqualTo(12);
    assertThat(rtp.extensionProfile()).isZero();
    assertThat(rtp.findExtension(1)).isEqualTo(RtpPacket.NOT_FOUND);
  }

  @Test
  void oneByteIdFifteenStopsParsing() {
    byte[] packet =
        bytes(
            0x90, 0x6F, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, // header with X
            0xBE, 0xDE, 0x00, 0x02, // 2 words
            0x10, 0x01, // id 1
            0xF0, // id 15: stop (RFC 8285 §4.2)
            0x20, 0x02, // id 2 after the stop: not considered
            0x00, 0x00, 0x00);
    assertThat(rtp.wrap(packet, 0, packet.length)).isTrue();
    assertThat(rtp.findExtension(1)).isEqualTo(17);
    assertThat(rtp.findExtension(2)).isEqualTo(RtpPacket.NOT_FOUND);
  }

  @Test
  void malformedElementIsNotFoundButPacketStaysValid() {
    byte[] packet =
        bytes(
            0x90, 0x6F, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, // header with X
            0xBE, 0xDE, 0x00, 0x01, // 1 word
            0x10, 0x01, // id 1
            0x23, 0x00); // id 2 claims 4 bytes, only 1 left in the block
    assertThat(rtp.wrap(packet, 0, packet.length)).isTrue();
    assertThat(rtp.findExtension(1)).isEqualTo(17);
    assertThat(rtp.findExtension(2)).isEqualTo(RtpPacket.NOT_FOUND);
    assertThat(HeaderExtensions.setAbsSendTime(rtp, 2, 1)).isFalse();
  }

  @Test
  void unknownProfileHasNoElements() {
    byte[] packet =
        bytes(0x90, 0x6F, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x12, 0x34, 0x00, 0x01, 0x10, 1, 0, 0);
    assertThat(rtp.wrap(packet, 0, packet.length)).isTrue();
    assertThat(rtp.extensionProfile()).isEqualTo(0x1234);
    assertThat(rtp.findExtension(1)).isEqualTo(RtpPacket.NOT_FOUND);
  }

  @Test
  void rewritesChangeOnlyTheirBytes() {
    byte[] original = TestPackets.embed(TestPackets.CHROME_OPUS, OFF, 5);
    byte[] buf = original.clone();
    assertThat(rtp.wrap(buf, OFF, TestPackets.CHROME_OPUS.length)).isTrue();

    assertThat(rtp.setSequenceNumber(0x1_2345)).isTrue();
    assertThat(rtp.setTimestamp(0x1_0000_0001L)).isTrue();
    assertThat(rtp.setSsrc(0x0BADCAFE)).isTrue();
    assertThat(rtp.setMarker(true)).isTrue();
    assertThat(rtp.setPayloadType(0xFF)).isTrue();

    assertThat(rtp.sequenceNumber()).isEqualTo(0x2345);
    assertThat(rtp.timestamp()).isEqualTo(1L);
    assertThat(rtp.ssrc()).isEqualTo(0x0BADCAFE);
    assertThat(rtp.marker()).isTrue();
    assertThat(rtp.payloadType()).isEqualTo(0x7F);

    byte[] expected = original.clone();
    System.arraycopy(
        bytes(0xFF, 0x23, 0x45, 0x00, 0x00, 0x00, 0x01, 0x0B, 0xAD, 0xCA, 0xFE),
        0,
        expected,
        OFF + 1,
        11);
    assertThat(buf).containsExactly(expected);

    rtp.setMarker(false);
    rtp.setPayloadType(111);
    assertThat(buf[OFF + 1]).isEqualTo((byte) 111);
    rtp.setPayloadType(96);
    rtp.setMarker(true);
    assertThat(buf[OFF + 1]).isEqualTo((byte) 0xE0);
    assertThat(rtp.payloadType()).isEqualTo(96);
  }

  @Test
  void invalidPacketsAreReportedWithTheirProblem() {
    assertProblem(bytes(0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), Problem.TOO_SHORT);
    assertProblem(bytes(0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), Problem.BAD_VERSION);
    assertProblem(bytes(0xC0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), Problem.BAD_VERSION);
    assertProblem(bytes(0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3), Problem.CSRC_OVERRUN);
    assertProblem(bytes(0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE), Problem.EXTENSION_OVERRUN);
    assertProblem(
        bytes(0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0, 1, 0x10, 0),
        Problem.EXTENSION_OVERRUN);
    assertProblem(bytes(0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0), Problem.BAD_PADDING);
    assertProblem(bytes(0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 3), Problem.BAD_PADDING);
    assertThat(rtp.wrap(new byte[12], 1, 12)).isFalse();
    assertThat(rtp.problem()).isEqualTo(Problem.OUT_OF_BOUNDS);
    assertThat(rtp.wrap(null, 0, 12)).isFalse();
    assertThat(rtp.problem()).isEqualTo(Problem.OUT_OF_BOUNDS);
  }

  @Test
  void paddingMayCoverTheWholePayload() {
    byte[] packet = bytes(0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4);
    assertThat(rtp.wrap(packet, 0, packet.length)).isTrue();
    assertThat(rtp.payloadLength()).isZero();
    assertThat(rtp.paddingLength()).isEqualTo(4);
  }

  @Test
  void invalidViewReadsZerosAndRefusesRewrites() {
    wrapEmbedded(TestPackets.CHROME_OPUS);
    byte[] junk = bytes(0x00, 0x01, 0x02);
    assertThat(rtp.wrap(junk, 0, junk.length)).isFalse();
    assertThat(rtp.isValid()).isFalse();
    assertThat(rtp.length()).isZero();
    assertThat(rtp.sequenceNumber()).isZero();
    assertThat(rtp.ssrc()).isZero();
    assertThat(rtp.payloadLength()).isZero();
    assertThat(rtp.findExtension(1)).isEqualTo(RtpPacket.NOT_FOUND);
    assertThat(rtp.setSequenceNumber(5)).isFalse();
    assertThat(rtp.setTimestamp(5)).isFalse();
    assertThat(rtp.setSsrc(5)).isFalse();
    assertThat(rtp.setMarker(true)).isFalse();
    assertThat(rtp.setPayloadType(5)).isFalse();
    assertThat(rtp.sequenceNumber()).isZero();
    assertThat(junk).containsExactly(0, 1, 2);
  }

  private void assertProblem(byte[] packet, Problem problem) {
    assertThat(rtp.wrap(packet, 0, packet.length)).isFalse();
    assertThat(rtp.problem()).isEqualTo(problem);
  }
}

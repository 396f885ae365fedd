package io.cheenhub.sfu.rtp;

import static io.cheenhub.sfu.rtp.TestPackets.CHROME_OPUS_HEADER_BYTES;
import static io.cheenhub.sfu.rtp.TestPackets.CHROME_RED;
import static io.cheenhub.sfu.rtp.TestPackets.RED_PAYLOAD;
import static io.cheenhub.sfu.rtp.TestPackets.RED_PAYLOAD_OPUS_PT;
import static io.cheenhub.sfu.rtp.TestPackets.RED_PRIMARY_BYTES;
import static io.cheenhub.sfu.rtp.TestPackets.RED_PT;
import static io.cheenhub.sfu.rtp.TestPackets.RED_REDUNDANT_BYTES;
import static io.cheenhub.sfu.rtp.TestPackets.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RedPayloadTest {

  private static final int OPUS_PT = 111;
  private static final int OPUS_FRAME_TICKS = 960; // 20 ms at 48 kHz
  private static final int LEAD = 7;
  private static final int TAIL = 5;

  private final RedPayload red = new RedPayload();
  private final RtpPacket rtp = new RtpPacket();

  @Test
  void parsesTheCapturedPayload() {
    byte[] buf = TestPackets.embed(RED_PAYLOAD, LEAD, TAIL);

    assertThat(red.wrap(buf, LEAD, RED_PAYLOAD.length)).isTrue();

    assertThat(red.problem()).isEqualTo(RedPayload.Problem.NONE);
    assertThat(red.blockCount()).isEqualTo(2);
    assertThat(red.blockPayloadType(0)).isEqualTo(RED_PAYLOAD_OPUS_PT);
    assertThat(red.blockTimestampOffset(0)).isEqualTo(OPUS_FRAME_TICKS);
    assertThat(red.blockOffset(0)).isEqualTo(LEAD + 5);
    assertThat(red.blockLength(0)).isEqualTo(RED_REDUNDANT_BYTES);
    assertThat(red.primaryPayloadType()).isEqualTo(RED_PAYLOAD_OPUS_PT);
    assertThat(red.blockTimestampOffset(1)).isZero();
    assertThat(red.primaryOffset())
        .isEqualTo(LEAD + 5 + RED_REDUNDANT_BYTES)
        .isEqualTo(red.blockOffset(1));
    assertThat(red.primaryLength()).isEqualTo(RED_PRIMARY_BYTES).isEqualTo(red.blockLength(1));
    // Both blocks are Opus frames with the same TOC byte (RFC 6716 §3.1).
    assertThat(buf[red.blockOffset(0)]).isEqualTo((byte) 0x68);
    assertThat(buf[red.primaryOffset()]).isEqualTo((byte) 0x68);
  }

  @Test
  void reEncodingTheCapturedBlocksGivesTheSameBytes() {
    red.wrap(RED_PAYLOAD, 0, RED_PAYLOAD.length);
    byte[] out = new byte[200];

    int n =
        RedPayload.encode(
            out,
            3,
            RED_PAYLOAD_OPUS_PT,
            RED_PAYLOAD,
            red.primaryOffset(),
            red.primaryLength(),
            RED_PAYLOAD,
            red.blockOffset(0),
            red.blockLength(0),
            red.blockTimestampOffset(0));

    assertThat(n).isEqualTo(RED_PAYLOAD.length);
    assertThat(Arrays.copyOfRange(out, 3, 3 + n)).isEqualTo(RED_PAYLOAD);
  }

  @Test
  void stripsTheCapturedPacketToItsPrimaryInPlace() {
    byte[] buf = TestPackets.embed(CHROME_RED, LEAD, TAIL);
    byte[] before = buf.clone();
    assertThat(rtp.wrap(buf, LEAD, CHROME_RED.length)).isTrue();
    int audioLevel = HeaderExtensions.audioLevel(rtp, TestPackets.AUDIO_LEVEL_ID);

    int n = RedPayload.stripToPrimary(rtp, RED_PT);

    assertThat(n).isEqualTo(CHROME_OPUS_HEADER_BYTES + RED_PRIMARY_BYTES);
    assertThat(rtp.isValid()).isTrue();
    assertThat(rtp.length()).isEqualTo(n);
    assertThat(rtp.payloadType()).isEqualTo(RED_PAYLOAD_OPUS_PT);
    assertThat(rtp.payloadLength()).isEqualTo(RED_PRIMARY_BYTES);
    int primaryStart = LEAD + CHROME_OPUS_HEADER_BYTES + 5 + RED_REDUNDANT_BYTES;
    assertThat(
            Arrays.copyOfRange(buf, rtp.payloadOffset(), rtp.payloadOffset() + rtp.payloadLength()))
        .isEqualTo(Arrays.copyOfRange(before, primaryStart, primaryStart + RED_PRIMARY_BYTES));
    // Header (except PT) and extensions stay; bytes outside the packet are untouched.
    assertThat(buf[LEAD]).isEqualTo(before[LEAD]);
    assertThat(Arrays.copyOfRange(buf, LEAD + 2, LEAD + CHROME_OPUS_HEADER_BYTES))
        .isEqualTo(Arrays.copyOfRange(before, LEAD + 2, LEAD + CHROME_OPUS_HEADER_BYTES));
    assertThat(HeaderExtensions.audioLevel(rtp, TestPackets.AUDIO_LEVEL_ID)).isEqualTo(audioLevel);
    assertThat(Arrays.copyOfRange(buf, 0, LEAD)).isEqualTo(Arrays.copyOfRange(before, 0, LEAD));
    assertThat(Arrays.copyOfRange(buf, buf.length - TAIL, buf.length))
        .isEqualTo(Arrays.copyOfRange(before, buf.length - TAIL, buf.length));
  }

  @Test
  void stripKeepsTheMarkerAndDropsPadding() {
    byte[] payload = new byte[64];
    int payloadLength = encodeTwoFrames(payload, frame(10, 1), frame(12, 2));
    byte[] packet = rtpPacket(true, payload, payloadLength, 4);
    assertThat(rtp.wrap(packet, 0, packet.length)).isTrue();
    assertThat(rtp.paddingLength()).isEqualTo(4);

    int n = RedPayload.stripToPrimary(rtp, RED_PT);

    assertThat(n).isEqualTo(RtpPacket.FIXED_HEADER_BYTES + 12);
    assertThat(rtp.hasPadding()).isFalse();
    assertThat(rtp.paddingLength()).isZero();
    assertThat(rtp.marker()).isTrue();
    assertThat(rtp.payloadType()).isEqualTo(OPUS_PT);
    assertThat(Arrays.copyOfRange(packet, rtp.payloadOffset(), n)).isEqualTo(frame(12, 2));
    assertThat(new RtpPacket().wrap(packet, 0, n)).as("what the caller sends is valid").isTrue();
  }

  @Test
  void nonRedPacketsAreLeftAlone() {
    byte[] buf = TestPackets.CHROME_OPUS.clone();
    rtp.wrap(buf, 0, buf.length);

    assertThat(RedPayload.stripToPrimary(rtp, RED_PT)).isEqualTo(buf.length);
    assertThat(buf).isEqualTo(TestPackets.CHROME_OPUS);
  }

  @Test
  void redWithOnlyRedundancyIsReportedAndLeftAlone() {
    byte[] payload = new byte[64];
    int payloadLength = encodeTwoFrames(payload, frame(10, 1), new byte[0]);
    byte[] packet = rtpPacket(false, payload, payloadLength, 0);
    byte[] before = packet.clone();
    rtp.wrap(packet, 0, packet.length);

    assertThat(red.wrap(rtp)).isTrue();
    assertThat(red.primaryLength()).isZero();
    assertThat(RedPayload.stripToPrimary(rtp, RED_PT)).isEqualTo(RedPayload.EMPTY_PRIMARY);
    assertThat(packet).isEqualTo(before);
  }

  @Test
  void primaryHeaderAloneIsAnEmptyPrimary() {
    assertThat(red.wrap(bytes(OPUS_PT), 0, 1)).isTrue();
    assertThat(red.blockCount()).isOne();
    assertThat(red.primaryPayloadType()).isEqualTo(OPUS_PT);
    assertThat(red.primaryLength()).isZero();
  }

  @Test
  void roundTripsZeroToSevenRedundantBlocks() {
    for (int count = 0; count < RedPayload.MAX_BLOCKS; count++) {
      byte[][] redundant = new byte[count][];
      int[] lengths = new int[count];
      int[] offsets = new int[count];
      for (int i = 0; i < count; i++) {
        redundant[i] = frame(20 + i, i);
        lengths[i] = redundant[i].length;
        offsets[i] = (count - i) * OPUS_FRAME_TICKS;
      }
      byte[] primary = frame(40, 99);
      byte[] out = new byte[1500];

      int n =
          RedPayload.encode(
              out, 2, OPUS_PT, redundant, lengths, offsets, count, primary, 0, primary.length);

      assertThat(n).isEqualTo(count * 4 + 1 + Arrays.stream(lengths).sum() + primary.length);
      assertThat(red.wrap(out, 2, n)).as("%d redundant", count).isTrue();
      assertThat(red.blockCount()).isEqualTo(count + 1);
      for (int i = 0; i < count; i++) {
        assertThat(red.blockPayloadType(i)).isEqualTo(OPUS_PT);
        assertThat(red.blockTimestampOffset(i)).isEqualTo(offsets[i]);
        assertThat(slice(out, red.blockOffset(i), red.blockLength(i))).isEqualTo(redundant[i]);
      }
      assertThat(red.primaryPayloadType()).isEqualTo(OPUS_PT);
      assertThat(slice(out, red.primaryOffset(), red.primaryLength())).isEqualTo(primary);
    }
  }

  @Test
  void roundTripsTheFieldLimits() {
    byte[] redundant = frame(RedPayload.MAX_BLOCK_LENGTH, 3);
    byte[] primary = frame(5, 4);
    byte[] out = new byte[2048];

    int n =
        RedPayload.encode(
            out,
            0,
            127,
            primary,
            0,
            5,
            redundant,
            0,
            redundant.length,
            RedPayload.MAX_TIMESTAMP_OFFSET);

    assertThat(red.wrap(out, 0, n)).isTrue();
    assertThat(red.blockPayloadType(0)).isEqualTo(127);
    assertThat(red.blockTimestampOffset(0)).isEqualTo(RedPayload.MAX_TIMESTAMP_OFFSET);
    assertThat(red.blockLength(0)).isEqualTo(RedPayload.MAX_BLOCK_LENGTH);
    assertThat(red.primaryLength()).isEqualTo(5);
  }

  @Test
  void encodeRefusesWhatTheFieldsOrTheBufferCannotHold() {
    byte[] f = frame(10, 1);
    byte[] big = new byte[RedPayload.MAX_BLOCK_LENGTH + 1];
    byte[] out = new byte[2048];
    int maxTs = RedPayload.MAX_TIMESTAMP_OFFSET;
    assertThat(RedPayload.encode(out, 0, OPUS_PT, f, 0, 10, big, 0, big.length, 960))
        .isEqualTo(RedPayload.DOES_NOT_FIT);
    assertThat(RedPayload.encode(out, 0, OPUS_PT, f, 0, 10, f, 0, 10, maxTs + 1))
        .isEqualTo(RedPayload.DOES_NOT_FIT);
    assertThat(RedPayload.encode(out, 0, 128, f, 0, 10, f, 0, 10, 960))
        .isEqualTo(RedPayload.DOES_NOT_FIT);
    assertThat(RedPayload.encode(new byte[24], 0, OPUS_PT, f, 0, 10, f, 0, 10, 960))
        .isEqualTo(RedPayload.DOES_NOT_FIT);
    assertThat(RedPayload.encode(new byte[25], 0, OPUS_PT, f, 0, 10, f, 0, 10, 960)).isEqualTo(25);
    assertThat(RedPayload.encode(out, 0, OPUS_PT, f, 0, 11, null, 0, 0, 0))
        .isEqualTo(RedPayload.DOES_NOT_FIT);
    assertThat(RedPayload.encode(out, 0, OPUS_PT, f, 0, 10, null, 0, 0, 0)).isEqualTo(11);
    byte[][] eight = new byte[8][];
    Arrays.fill(eight, f);
    int[] lengths = new int[8];
    Arrays.fill(lengths, 10);
    int[] offsets = new int[8];
    assertThat(RedPayload.encode(out, 0, OPUS_PT, eight, lengths, offsets, 8, f, 0, 10))
        .isEqualTo(RedPayload.DOES_NOT_FIT);
    assertThat(RedPayload.encode(out, 0, OPUS_PT, eight, lengths, offsets, 7, f, 0, 10))
        .isEqualTo(7 * 14 + 11);
  }

  @Test
  void malformedPayloadsAreRejectedWithTheirProblem() {
    assertProblem(bytes(), RedPayload.Problem.NO_BLOCKS);
    // Truncated inside the first redundant header.
    assertProblem(bytes(0xEF, 0x0F, 0x00), RedPayload.Problem.TRUNCATED_HEADER);
    // F bit set on the last header: no primary header follows.
    assertProblem(bytes(0xEF, 0x0F, 0x00, 0x00), RedPayload.Problem.TRUNCATED_HEADER);
    assertProblem(bytes(0xEF, 0x0F, 0x00, 0x00, 0xEF), RedPayload.Problem.TRUNCATED_HEADER);
    // Block length 63 with only 3 data bytes.
    assertProblem(bytes(0xEF, 0x0F, 0x00, 0x3F, 0x6F, 1, 2, 3), RedPayload.Problem.BLOCK_OVERRUN);
    // Two redundant blocks whose lengths only together exceed the payload.
    assertProblem(
        bytes(0xEF, 0, 0, 2, 0xEF, 0, 0, 2, 0x6F, 1, 2, 3), RedPayload.Problem.BLOCK_OVERRUN);
    byte[] nine = new byte[8 * 4 + 1];
    for (int i = 0; i < 8; i++) {
      nine[4 * i] = (byte) 0xEF; // 8 redundant headers, length 0
    }
    nine[32] = 0x6F;
    assertProblem(nine, RedPayload.Problem.TOO_MANY_BLOCKS);
    byte[] eight = Arrays.copyOfRange(nine, 4, nine.length);
    assertThat(red.wrap(eight, 0, eight.length)).isTrue();
    assertThat(red.blockCount()).isEqualTo(RedPayload.MAX_BLOCKS);
  }

  @Test
  void callerBugsAreReportedNotThrown() {
    assertThat(red.wrap(null, 0, 0)).isFalse();
    assertThat(red.problem()).isEqualTo(RedPayload.Problem.OUT_OF_BOUNDS);
    assertThat(red.wrap(RED_PAYLOAD, 1, RED_PAYLOAD.length)).isFalse();
    assertThat(red.problem()).isEqualTo(RedPayload.Problem.OUT_OF_BOUNDS);
    assertThat(red.blockCount()).isZero();
    assertThat(red.primaryOffset()).isEqualTo(-1);
    assertThat(red.primaryPayloadType()).isEqualTo(-1);
    assertThatThrownBy(() -> red.blockLength(0)).isInstanceOf(IndexOutOfBoundsException.class);
    rtp.wrap(new byte[3], 0, 3);
    assertThat(RedPayload.stripToPrimary(rtp, RED_PT)).isEqualTo(RedPayload.MALFORMED);
  }

  @Test
  void aFailedWrapForgetsThePreviousBlocks() {
    assertThat(red.wrap(RED_PAYLOAD, 0, RED_PAYLOAD.length)).isTrue();
    assertThat(red.wrap(RED_PAYLOAD, 0, 3)).isFalse();
    assertThat(red.blockCount()).isZero();
    assertThat(red.primaryLength()).isZero();
  }

  private void assertProblem(byte[] payload, RedPayload.Problem problem) {
    byte[] buf = TestPackets.embed(payload, LEAD, 0);
    assertThat(red.wrap(buf, LEAD, payload.length)).as(Arrays.toString(payload)).isFalse();
    assertThat(red.problem()).isEqualTo(problem);
    assertThat(red.blockCount()).isZero();
    byte[] packet = rtpPacket(false, payload, payload.length, 0);
    byte[] before = packet.clone();
    assertThat(rtp.wrap(packet, 0, packet.length)).isTrue();
    assertThat(RedPayload.stripToPrimary(rtp, RED_PT)).isEqualTo(RedPayload.MALFORMED);
    assertThat(packet).as("a malformed packet is left as it was").isEqualTo(before);
  }

  /** A RED payload as libwebrtc sends it: the previous frame 20 ms back, then the current one. */
  private static int encodeTwoFrames(byte[] dst, byte[] previous, byte[] current) {
    return RedPayload.encode(
        dst,
        0,
        OPUS_PT,
        current,
        0,
        current.length,
        previous,
        0,
        previous.length,
        OPUS_FRAME_TICKS);
  }

  /** A plain RTP header with PT 63 and the given payload, then {@code padding} bytes. */
  private static byte[] rtpPacket(boolean marker, byte[] payload, int length, int padding) {
    byte[] packet = new byte[RtpPacket.FIXED_HEADER_BYTES + length + padding];
    packet[0] = (byte) (padding > 0 ? 0xA0 : 0x80);
    packet[1] = (byte) ((marker ? 0x80 : 0) | RED_PT);
    packet[3] = 1;
    packet[11] = 9;
    System.arraycopy(payload, 0, packet, RtpPacket.FIXED_HEADER_BYTES, length);
    if (padding > 0) {
      packet[packet.length - 1] = (byte) padding;
    }
    return packet;
  }

  private static byte[] frame(int length, int seed) {
    byte[] frame = new byte[length];
    for (int i = 0; i < length; i++) {
      frame[i] = (byte) (seed * 31 + i);
    }
    return frame;
  }

  private static byte[] slice(byte[] b, int off, int len) {
    return Arrays.copyOfRange(b, off, off + len);
  }
}

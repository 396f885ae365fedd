package io.cheenhub.sfu.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RTCP extended reports (RFC 3611): reading RRT and DLRR blocks, skipping others, and writing. */
class RtcpXrTest {

  // pion/rtcp extended_report_test.go, encodedPacket(): a hand-built XR (not a capture) with one
  // block of each RFC 3611 type 1..7: loss RLE, duplicate RLE, receipt times, RRT, DLRR with three
  // sub-blocks, statistics summary, VoIP metrics.
  static final byte[] PION_ALL_BLOCK_TYPES =
      HexFormat.of()
          .parseHex(
              "80cf003301020304"
                  + "010c0004123456890005000c4006000687650000"
                  + "02060004123456890005000c41233fffffff0000"
                  + "03030007987654323c483cd9"
                  + "1111111122222222333333334444444455555555"
                  + "04000002"
                  + "0102030405060708"
                  + "05000009"
                  + "888888881234567899999999"
                  + "09090909"
                  + "1234567899999999"
                  + "11223344"
                  + "1234567899999999"
                  + "06e80009fedcba98123456781111111122222222333333334444444455555555"
                  + "6666666601020304"
                  + "0700000889abcdef05060708111122223333444411223344556677889900112233445566");

  private static final int OFF = 5;

  private final RtcpXr xr = new RtcpXr();
  private final RtcpCompound compound = new RtcpCompound();
  private final byte[] dst = new byte[256];

  @Test
  void readsReferenceTimeAndDlrrAndSkipsTheOtherBlockTypes() {
    assertThat(PION_ALL_BLOCK_TYPES).hasSize(208);
    compound.wrap(PION_ALL_BLOCK_TYPES, 0, PION_ALL_BLOCK_TYPES.length);
    assertThat(compound.next()).isTrue();
    assertThat(compound.packetType()).isEqualTo(RtcpPacket.TYPE_XR);
    assertThat(xr.wrap(compound)).isTrue();
    assertThat(xr.senderSsrc()).isEqualTo(0x01020304);

    assertThat(xr.nextBlock()).isTrue();
    assertThat(xr.blockType()).isEqualTo(RtcpXr.RECEIVER_REFERENCE_TIME);
    assertThat(xr.ntpTimestamp()).isEqualTo(0x0102030405060708L);
    assertThat(xr.dlrrCount()).isZero();

    assertThat(xr.nextBlock()).isTrue();
    assertThat(xr.blockType()).isEqualTo(RtcpXr.DLRR);
    assertThat(xr.ntpTimestamp()).isZero();
    assertThat(xr.dlrrCount()).isEqualTo(3);
    int[] ssrcs = {0x88888888, 0x09090909, 0x11223344};
    for (int i = 0; i < 3; i++) {
      assertThat(xr.dlrrSsrc(i)).isEqualTo(ssrcs[i]);
      assertThat(xr.lastRr(i)).isEqualTo(0x12345678L);
      assertThat(xr.delaySinceLastRr(i)).isEqualTo(0x99999999L);
    }
    assertThatThrownBy(() -> xr.dlrrSsrc(3)).isInstanceOf(IndexOutOfBoundsException.class);

    assertThat(xr.nextBlock()).as("types 6 and 7 are skipped").isFalse();
    assertThat(xr.blockType()).isZero();
    assertThat(compound.next()).isFalse();
    assertThat(compound.problem()).isEqualTo(RtcpCompound.Problem.NONE);
  }

  @Test
  void receiverReferenceTimeRoundTrip() {
    int n = RtcpWriter.receiverReferenceTime(dst, OFF, 0x11223344, 0xE1234567_89ABCDEFL);
    assertThat(n).isEqualTo(20);
    assertThat(HexFormat.of().formatHex(dst, OFF, OFF + n))
        .isEqualTo("80cf0004" + "11223344" + "04000002" + "e123456789abcdef");
    assertThat(xr.wrap(dst, OFF, n)).isTrue();
    assertThat(xr.senderSsrc()).isEqualTo(0x11223344);
    assertThat(xr.nextBlock()).isTrue();
    assertThat(xr.ntpTimestamp()).isEqualTo(0xE1234567_89ABCDEFL);
    assertThat(xr.nextBlock()).isFalse();
  }

  @Test
  void dlrrRoundTrip() {
    int n = RtcpWriter.dlrr(dst, OFF, 0x11223344, 0x9ABCDEF0, 0xFEDCBA98L, 0x0001_8000L);
    assertThat(n).isEqualTo(24);
    assertThat(HexFormat.of().formatHex(dst, OFF, OFF + n))
        .isEqualTo("80cf0005" + "11223344" + "05000003" + "9abcdef0" + "fedcba98" + "00018000");
    assertThat(xr.wrap(dst, OFF, n)).isTrue();
    assertThat(xr.nextBlock()).isTrue();
    assertThat(xr.blockType()).isEqualTo(RtcpXr.DLRR);
    assertThat(xr.dlrrCount()).isEqualTo(1);
    assertThat(xr.dlrrSsrc(0)).isEqualTo(0x9ABCDEF0);
    assertThat(xr.lastRr(0)).isEqualTo(0xFEDCBA98L);
    assertThat(xr.delaySinceLastRr(0)).isEqualTo(0x18000L);
  }

  @Test
  void writersRefuseTooSmallDestinations() {
    assertThat(RtcpWriter.receiverReferenceTime(dst, dst.length - 19, 1, 2))
        .isEqualTo(RtcpWriter.NO_ROOM);
    assertThat(RtcpWriter.dlrr(dst, dst.length - 23, 1, 2, 3, 4)).isEqualTo(RtcpWriter.NO_ROOM);
    assertThat(RtcpWriter.dlrr(null, 0, 1, 2, 3, 4)).isEqualTo(RtcpWriter.NO_ROOM);
    assertThat(RtcpWriter.receiverReferenceTime(dst, -1, 1, 2)).isEqualTo(RtcpWriter.NO_ROOM);
  }

  @Test
  void malformedBlocksRejectThePacket() {
    int n = RtcpWriter.receiverReferenceTime(dst, 0, 1, 2);
    byte[] wrongRrtLength = dst.clone();
    wrongRrtLength[11] = 1; // RRT must be 2 words
    assertThat(xr.wrap(wrongRrtLength, 0, n)).isFalse();
    assertThat(xr.nextBlock()).isFalse();

    byte[] overrun = dst.clone();
    overrun[11] = 3; // block longer than the packet
    assertThat(xr.wrap(overrun, 0, n)).isFalse();

    n = RtcpWriter.dlrr(dst, 0, 1, 2, 3, 4);
    byte[] partialSubBlock = dst.clone();
    partialSubBlock[3] = 4; // packet one word shorter
    partialSubBlock[11] = 2; // DLRR content of 2 words is not whole sub-blocks
    assertThat(xr.wrap(partialSubBlock, 0, n - 4)).isFalse();

    byte[] notXr = dst.clone();
    notXr[1] = (byte) RtcpPacket.TYPE_RR;
    assertThat(xr.wrap(notXr, 0, n)).isFalse();
  }

  @Test
  void emptyReportAndEmptyDlrrAreValid() {
    byte[] empty = HexFormat.of().parseHex("80cf0001" + "01020304");
    assertThat(xr.wrap(empty, 0, empty.length)).isTrue();
    assertThat(xr.nextBlock()).isFalse();
    byte[] emptyDlrr = HexFormat.of().parseHex("80cf0002" + "01020304" + "05000000");
    assertThat(xr.wrap(emptyDlrr, 0, emptyDlrr.length)).isTrue();
    assertThat(xr.nextBlock()).isTrue();
    assertThat(xr.dlrrCount()).isZero();
  }
}

package io.cheenhub.sfu.rtp;

import static io.cheenhub.sfu.rtp.TestPackets.OPUS_SSRC;
import static io.cheenhub.sfu.rtp.TestPackets.OTHER_SSRC;
import static io.cheenhub.sfu.rtp.TestPackets.RECEIVER_SSRC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RtcpWriterTest {

  private static final int OFF = 9;
  private static final byte[] CNAME = "a1b2c3d4e5f6g7h8".getBytes(StandardCharsets.UTF_8);

  private final byte[] dst = new byte[1500];
  private final RtcpCompound compound = new RtcpCompound();
  private final ReportBlock read = new ReportBlock();

  private static ReportBlock[] twoBlocks() {
    return new ReportBlock[] {
      new ReportBlock().set(OPUS_SSRC, 25, -3, 0x15BA0L, 291, 0x6F3B8000L, 0x18000L),
      new ReportBlock().set(OTHER_SSRC, 0, 258, 0x20001L, 45, 0, 0)
    };
  }

  private void assertSameBlock(ReportBlock actual, ReportBlock expected) {
    assertThat(actual.ssrc()).isEqualTo(expected.ssrc());
    assertThat(actual.fractionLost()).isEqualTo(expected.fractionLost());
    assertThat(actual.cumulativeLost()).isEqualTo(expected.cumulativeLost());
    assertThat(actual.extendedHighestSequence()).isEqualTo(expected.extendedHighestSequence());
    assertThat(actual.jitter()).isEqualTo(expected.jitter());
    assertThat(actual.lastSenderReport()).isEqualTo(expected.lastSenderReport());
    assertThat(actual.delaySinceLastSenderReport())
        .isEqualTo(expected.delaySinceLastSenderReport());
  }

  @Test
  void receiverReportMatchesTheReferenceBytes() {
    int n = RtcpWriter.receiverReport(dst, OFF, RECEIVER_SSRC, twoBlocks(), 2);
    assertThat(n).isEqualTo(TestPackets.RR_TWO_BLOCKS.length);
    assertThat(Arrays.copyOfRange(dst, OFF, OFF + n)).containsExactly(TestPackets.RR_TWO_BLOCKS);
  }

  @Test
  void receiverReportRoundTripsWithZeroToManyBlocks() {
    ReportBlock[] blocks = new ReportBlock[31];
    for (int i = 0; i < blocks.length; i++) {
      blocks[i] = new ReportBlock().set(i * 7919, i, -i * 1000, 1L << i, i * 3L, i, 0xFFFF_FFFFL);
    }
    RtcpReceiverReport rr = new RtcpReceiverReport();
    for (int count : new int[] {0, 1, 2, 31}) {
      int n = RtcpWriter.receiverReport(dst, OFF, RECEIVER_SSRC, blocks, count);
      assertThat(n).isEqualTo(8 + 24 * count);
      assertThat(rr.wrap(dst, OFF, n)).isTrue();
      assertThat(rr.senderSsrc()).isEqualTo(RECEIVER_SSRC);
      assertThat(rr.reportCount()).isEqualTo(count);
      for (int i = 0; i < count; i++) {
        assertSameBlock(rr.readReportBlock(i, read), blocks[i]);
      }
    }
  }

  @Test
  void cumulativeLostIsClampedTo24BitsSigned() {
    ReportBlock[] blocks = {
      new ReportBlock().set(1, 0, Integer.MAX_VALUE, 0, 0, 0, 0),
      new ReportBlock().set(2, 0, Integer.MIN_VALUE, 0, 0, 0, 0)
    };
    int n = RtcpWriter.receiverReport(dst, 0, RECEIVER_SSRC, blocks, 2);
    RtcpReceiverReport rr = new RtcpReceiverReport();
    assertThat(rr.wrap(dst, 0, n)).isTrue();
    assertThat(rr.readReportBlock(0, read).cumulativeLost()).isEqualTo(0x7FFFFF);
    assertThat(rr.readReportBlock(1, read).cumulativeLost()).isEqualTo(-0x800000);
  }

  @Test
  void senderReportRoundTrip() {
    ReportBlock[] blocks = twoBlocks();
    int n =
        RtcpWriter.senderReport(
            dst, OFF, OPUS_SSRC, 0xEA1C6F3B_80000000L, 3_000_000_000L, 1234, 98765, blocks, 2);
    assertThat(n).isEqualTo(28 + 48);
    RtcpSenderReport sr = new RtcpSenderReport();
    assertThat(sr.wrap(dst, OFF, n)).isTrue();
    assertThat(sr.senderSsrc()).isEqualTo(OPUS_SSRC);
    assertThat(sr.ntpTimestamp()).isEqualTo(0xEA1C6F3B_80000000L);
    assertThat(sr.rtpTimestamp()).isEqualTo(3_000_000_000L);
    assertThat(sr.packetCount()).isEqualTo(1234);
    assertThat(sr.octetCount()).isEqualTo(98765);
    assertThat(sr.reportCount()).isEqualTo(2);
    assertSameBlock(sr.readReportBlock(0, read), blocks[0]);
    assertSameBlock(sr.readReportBlock(1, read), blocks[1]);

    int n0 =
        RtcpWriter.senderReport(
            dst, OFF, OPUS_SSRC, 0xEA1C6F3B_80000000L, 3_000_000_000L, 1234, 98765, blocks, 0);
    assertThat(Arrays.copyOfRange(dst, OFF, OFF + n0))
        .containsExactly(Arrays.copyOf(TestPackets.SR_SDES, 28));
  }

  @Test
  void sdesCnameMatchesTheReferenceAndPadsEveryLength() {
    int n = RtcpWriter.sdesCname(dst, OFF, OPUS_SSRC, CNAME);
    assertThat(Arrays.copyOfRange(dst, OFF, OFF + n))
        .containsExactly(Arrays.copyOfRange(TestPackets.SR_SDES, 28, 56));

    RtcpSdes sdes = new RtcpSdes();
    for (int length = 0; length <= 255; length++) {
      byte[] cname = new byte[length];
      Arrays.fill(cname, (byte) 'c');
      Arrays.fill(dst, (byte) 0x5A);
      int written = RtcpWriter.sdesCname(dst, OFF, OTHER_SSRC, cname);
      assertThat(written % 4).isZero();
      assertThat(written).isBetween(4 + 4 + 2 + length + 1, 4 + 4 + 2 + length + 4);
      assertThat(sdes.wrap(dst, OFF, written)).as("cname length %d", length).isTrue();
      assertThat(sdes.nextChunk()).isTrue();
      assertThat(sdes.chunkSsrc()).isEqualTo(OTHER_SSRC);
      assertThat(sdes.cnameLength()).isEqualTo(length);
      assertThat(sdes.cname()).isEqualTo(new String(cname, StandardCharsets.UTF_8));
      assertThat(dst[OFF + written]).isEqualTo((byte) 0x5A);
    }
    assertThatThrownBy(() -> RtcpWriter.sdesCname(dst, 0, 1, new byte[256]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void compoundReceiverReportAndCname() {
    int n = RtcpWriter.receiverReportWithCname(dst, OFF, RECEIVER_SSRC, twoBlocks(), 2, CNAME);
    assertThat(n).isEqualTo(56 + 28);
    assertThat(compound.wrap(dst, OFF, n)).isTrue();
    RtcpReceiverReport rr = new RtcpReceiverReport();
    RtcpSdes sdes = new RtcpSdes();
    assertThat(compound.next()).isTrue();
    assertThat(rr.wrap(compound)).isTrue();
    assertSameBlock(rr.readReportBlock(0, read), twoBlocks()[0]);
    assertThat(compound.next()).isTrue();
    assertThat(sdes.wrap(compound)).isTrue();
    assertThat(sdes.nextChunk()).isTrue();
    assertThat(sdes.chunkSsrc()).isEqualTo(RECEIVER_SSRC);
    assertThat(sdes.cname()).isEqualTo("a1b2c3d4e5f6g7h8");
    assertThat(compound.next()).isFalse();
    assertThat(compound.problem()).isEqualTo(RtcpCompound.Problem.NONE);
  }

  @Test
  void nackMatchesTheReferenceAndRoundTrips() {
    int n =
        RtcpWriter.nack(
            dst, OFF, RECEIVER_SSRC, OPUS_SSRC, new int[] {23456}, new int[] {0b101}, 1);
    assertThat(Arrays.copyOfRange(dst, OFF, OFF + n)).containsExactly(TestPackets.NACK);

    int[] pids = {0, 65535, 12345};
    int[] masks = {0xFFFF, 0, 0x8001};
    n = RtcpWriter.nack(dst, OFF, RECEIVER_SSRC, OPUS_SSRC, pids, masks, 3);
    RtcpNack nack = new RtcpNack();
    assertThat(nack.wrap(dst, OFF, n)).isTrue();
    assertThat(nack.entryCount()).isEqualTo(3);
    for (int i = 0; i < 3; i++) {
      assertThat(nack.packetId(i)).isEqualTo(pids[i]);
      assertThat(nack.lostBitmask(i)).isEqualTo(masks[i]);
    }
    assertThatThrownBy(() -> RtcpWriter.nack(dst, 0, 1, 2, pids, masks, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pliMatchesTheReference() {
    int n = RtcpWriter.pli(dst, OFF, RECEIVER_SSRC, OPUS_SSRC);
    assertThat(Arrays.copyOfRange(dst, OFF, OFF + n)).containsExactly(TestPackets.PLI);
    RtcpPli pli = new RtcpPli();
    assertThat(pli.wrap(dst, OFF, n)).isTrue();
    assertThat(pli.mediaSsrc()).isEqualTo(OPUS_SSRC);
  }

  @Test
  void rembMatchesTheReferenceAndRoundTrips() {
    int n =
        RtcpWriter.remb(dst, OFF, RECEIVER_SSRC, 1_500_000, new int[] {OPUS_SSRC, OTHER_SSRC}, 2);
    assertThat(Arrays.copyOfRange(dst, OFF, OFF + n)).containsExactly(TestPackets.REMB);

    RtcpRemb remb = new RtcpRemb();
    for (long bps : new long[] {0, 1, 262_143, 262_144, 32_000, 64_000, 2_500_000_000L}) {
      n = RtcpWriter.remb(dst, OFF, RECEIVER_SSRC, bps, new int[] {OPUS_SSRC}, 1);
      assertThat(remb.wrap(dst, OFF, n)).isTrue();
      assertThat(remb.ssrcCount()).isEqualTo(1);
      assertThat(remb.ssrc(0)).isEqualTo(OPUS_SSRC);
      // Exact below 2^18; otherwise rounded down by less than one part in 2^17.
      assertThat(remb.bitrateBps()).isLessThanOrEqualTo(bps).isGreaterThan(bps - (bps >> 17) - 1);
    }
    long max = Long.MAX_VALUE;
    n = RtcpWriter.remb(dst, OFF, RECEIVER_SSRC, max, new int[0], 0);
    assertThat(remb.wrap(dst, OFF, n)).isTrue();
    assertThat(remb.ssrcCount()).isZero();
    assertThat(remb.bitrateBps()).isLessThanOrEqualTo(max).isGreaterThan(max - (max >> 17));
  }

  @Test
  void writersReportNoRoomAndWriteNothing() {
    byte[] small = new byte[40];
    Arrays.fill(small, (byte) 0x77);
    byte[] before = small.clone();
    assertThat(RtcpWriter.receiverReport(small, 0, 1, twoBlocks(), 2))
        .isEqualTo(RtcpWriter.NO_ROOM);
    assertThat(RtcpWriter.receiverReportWithCname(small, 0, 1, twoBlocks(), 1, CNAME))
        .isEqualTo(RtcpWriter.NO_ROOM);
    assertThat(RtcpWriter.senderReport(small, 20, 1, 0, 0, 0, 0, twoBlocks(), 0))
        .isEqualTo(RtcpWriter.NO_ROOM);
    assertThat(RtcpWriter.sdesCname(small, 20, 1, CNAME)).isEqualTo(RtcpWriter.NO_ROOM);
    assertThat(RtcpWriter.pli(small, 30, 1, 2)).isEqualTo(RtcpWriter.NO_ROOM);
    assertThat(RtcpWriter.nack(small, 30, 1, 2, new int[] {1}, new int[] {0}, 1))
        .isEqualTo(RtcpWriter.NO_ROOM);
    assertThat(RtcpWriter.remb(small, 20, 1, 1000, new int[] {1}, 1)).isEqualTo(RtcpWriter.NO_ROOM);
    assertThat(small).containsExactly(before);
    assertThatThrownBy(() -> RtcpWriter.receiverReport(dst, 0, 1, new ReportBlock[32], 32))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

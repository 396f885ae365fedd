package io.cheenhub.sfu.rtp;

import static io.cheenhub.sfu.rtp.TestPackets.OPUS_SSRC;
import static io.cheenhub.sfu.rtp.TestPackets.OTHER_SSRC;
import static io.cheenhub.sfu.rtp.TestPackets.RECEIVER_SSRC;
import static io.cheenhub.sfu.rtp.TestPackets.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.rtp.RtcpCompound.Problem;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RtcpCompoundTest {

  private static final int OFF = 5;

  private final RtcpCompound compound = new RtcpCompound();
  private final ReportBlock block = new ReportBlock();

  /** Embeds {@code datagram} at {@link #OFF}, iterates it and returns the packet types seen. */
  private List<Integer> iterate(byte[] datagram) {
    byte[] buf = TestPackets.embed(datagram, OFF, 3);
    compound.wrap(buf, OFF, datagram.length);
    List<Integer> types = new ArrayList<>();
    while (compound.next()) {
      types.add(compound.packetType());
    }
    return types;
  }

  private void positionOn(byte[] datagram, int packetType) {
    byte[] buf = TestPackets.embed(datagram, OFF, 3);
    assertThat(compound.wrap(buf, OFF, datagram.length)).isTrue();
    while (compound.next()) {
      if (compound.packetType() == packetType) {
        return;
      }
    }
    throw new AssertionError("no packet of type " + packetType);
  }

  @Test
  void senderReportPlusSdes() {
    assertThat(iterate(TestPackets.SR_SDES))
        .containsExactly(RtcpPacket.TYPE_SR, RtcpPacket.TYPE_SDES);
    assertThat(compound.problem()).isEqualTo(Problem.NONE);

    positionOn(TestPackets.SR_SDES, RtcpPacket.TYPE_SR);
    assertThat(compound.packetOffset()).isEqualTo(OFF);
    assertThat(compound.packetLength()).isEqualTo(28);
    assertThat(compound.count()).isZero();
    RtcpSenderReport sr = new RtcpSenderReport();
    assertThat(sr.wrap(compound)).isTrue();
    assertThat(sr.packetType()).isEqualTo(200);
    assertThat(sr.senderSsrc()).isEqualTo(OPUS_SSRC);
    assertThat(sr.ntpTimestamp()).isEqualTo(0xEA1C6F3B_80000000L);
    assertThat(sr.ntpMiddle32()).isEqualTo(0x6F3B8000L);
    assertThat(sr.rtpTimestamp()).isEqualTo(3_000_000_000L);
    assertThat(sr.packetCount()).isEqualTo(1234);
    assertThat(sr.octetCount()).isEqualTo(98765);
    assertThat(sr.reportCount()).isZero();

    positionOn(TestPackets.SR_SDES, RtcpPacket.TYPE_SDES);
    assertThat(compound.packetOffset()).isEqualTo(OFF + 28);
    RtcpSdes sdes = new RtcpSdes();
    assertThat(sdes.wrap(compound)).isTrue();
    assertThat(sdes.sourceCount()).isEqualTo(1);
    assertThat(sdes.nextChunk()).isTrue();
    assertThat(sdes.chunkSsrc()).isEqualTo(OPUS_SSRC);
    assertThat(sdes.cnameOffset()).isEqualTo(OFF + 28 + 10);
    assertThat(sdes.cnameLength()).isEqualTo(16);
    assertThat(sdes.cname()).isEqualTo("a1b2c3d4e5f6g7h8");
    assertThat(sdes.nextChunk()).isFalse();
    assertThat(new RtcpReceiverReport().wrap(compound)).isFalse();
  }

  @Test
  void receiverReportWithTwoBlocks() {
    positionOn(TestPackets.RR_TWO_BLOCKS, RtcpPacket.TYPE_RR);
    RtcpReceiverReport rr = new RtcpReceiverReport();
    assertThat(rr.wrap(compound)).isTrue();
    assertThat(rr.senderSsrc()).isEqualTo(RECEIVER_SSRC);
    assertThat(rr.reportCount()).isEqualTo(2);

    rr.readReportBlock(0, block);
    assertThat(block.ssrc()).isEqualTo(OPUS_SSRC);
    assertThat(block.fractionLost()).isEqualTo(25);
    assertThat(block.cumulativeLost()).isEqualTo(-3);
    assertThat(block.extendedHighestSequence()).isEqualTo(0x15BA0L);
    assertThat(block.jitter()).isEqualTo(291);
    assertThat(block.lastSenderReport()).isEqualTo(0x6F3B8000L);
    assertThat(block.delaySinceLastSenderReport()).isEqualTo(0x18000L);

    rr.readReportBlock(1, block);
    assertThat(block.ssrc()).isEqualTo(OTHER_SSRC);
    assertThat(block.fractionLost()).isZero();
    assertThat(block.cumulativeLost()).isEqualTo(258);
    assertThat(block.extendedHighestSequence()).isEqualTo(0x20001L);
    assertThat(block.jitter()).isEqualTo(45);
    assertThat(block.lastSenderReport()).isZero();
    assertThat(block.delaySinceLastSenderReport()).isZero();
  }

  @Test
  void lonePliIsAcceptedAsReducedSizeRtcp() {
    assertThat(iterate(TestPackets.PLI)).containsExactly(RtcpPacket.TYPE_PSFB);
    assertThat(compound.problem()).isEqualTo(Problem.NONE);
    positionOn(TestPackets.PLI, RtcpPacket.TYPE_PSFB);
    RtcpPli pli = new RtcpPli();
    assertThat(pli.wrap(compound)).isTrue();
    assertThat(pli.format()).isEqualTo(RtcpPli.FORMAT);
    assertThat(pli.senderSsrc()).isEqualTo(RECEIVER_SSRC);
    assertThat(pli.mediaSsrc()).isEqualTo(OPUS_SSRC);
    assertThat(new RtcpFir().wrap(compound)).isFalse();
    assertThat(new RtcpRemb().wrap(compound)).isFalse();
    assertThat(new RtcpNack().wrap(compound)).isFalse();
  }

  @Test
  void genericNack() {
    positionOn(TestPackets.NACK, RtcpPacket.TYPE_RTPFB);
    RtcpNack nack = new RtcpNack();
    assertThat(nack.wrap(compound)).isTrue();
    assertThat(nack.senderSsrc()).isEqualTo(RECEIVER_SSRC);
    assertThat(nack.mediaSsrc()).isEqualTo(OPUS_SSRC);
    assertThat(nack.entryCount()).isEqualTo(1);
    assertThat(nack.packetId(0)).isEqualTo(23456);
    assertThat(nack.lostBitmask(0)).isEqualTo(0b101);
    assertThat(new RtcpTransportCc().wrap(compound)).isFalse();
  }

  @Test
  void remb() {
    positionOn(TestPackets.REMB, RtcpPacket.TYPE_PSFB);
    RtcpRemb remb = new RtcpRemb();
    assertThat(remb.wrap(compound)).isTrue();
    assertThat(remb.format()).isEqualTo(15);
    assertThat(remb.senderSsrc()).isEqualTo(RECEIVER_SSRC);
    assertThat(remb.mediaSsrc()).isZero();
    assertThat(remb.exponent()).isEqualTo(3);
    assertThat(remb.mantissa()).isEqualTo(187_500);
    assertThat(remb.bitrateBps()).isEqualTo(1_500_000L);
    assertThat(remb.ssrcCount()).isEqualTo(2);
    assertThat(remb.ssrc(0)).isEqualTo(OPUS_SSRC);
    assertThat(remb.ssrc(1)).isEqualTo(OTHER_SSRC);
    assertThat(new RtcpPli().wrap(compound)).isFalse();
  }

  @Test
  void rembWithoutIdentifierOrWithTooManySsrcsIsInvalid() {
    byte[] other = TestPackets.REMB.clone();
    other[12] = 'X';
    assertThat(new RtcpRemb().wrap(other, 0, other.length)).isFalse();
    byte[] tooMany = TestPackets.REMB.clone();
    tooMany[16] = 3;
    assertThat(new RtcpRemb().wrap(tooMany, 0, tooMany.length)).isFalse();
  }

  @Test
  void rembBitrateSaturates() {
    byte[] huge = TestPackets.REMB.clone();
    huge[17] = (byte) 0xFF; // exp 63, mantissa high bits 3
    RtcpRemb remb = new RtcpRemb();
    assertThat(remb.wrap(huge, 0, huge.length)).isTrue();
    assertThat(remb.exponent()).isEqualTo(63);
    assertThat(remb.bitrateBps()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void transportCcHeaderWithPadding() {
    assertThat(iterate(TestPackets.TRANSPORT_CC)).containsExactly(RtcpPacket.TYPE_RTPFB);
    assertThat(compound.problem()).isEqualTo(Problem.NONE);
    positionOn(TestPackets.TRANSPORT_CC, RtcpPacket.TYPE_RTPFB);
    assertThat(compound.packetLength()).isEqualTo(28);
    RtcpTransportCc twcc = new RtcpTransportCc();
    assertThat(twcc.wrap(compound)).isTrue();
    assertThat(twcc.length()).isEqualTo(25);
    assertThat(twcc.senderSsrc()).isEqualTo(RECEIVER_SSRC);
    assertThat(twcc.mediaSsrc()).isEqualTo(OPUS_SSRC);
    assertThat(twcc.baseSequenceNumber()).isEqualTo(0x0A0B);
    assertThat(twcc.packetStatusCount()).isEqualTo(3);
    assertThat(twcc.referenceTime()).isEqualTo(-2);
    assertThat(twcc.referenceTimeMillis()).isEqualTo(-128);
    assertThat(twcc.feedbackPacketCount()).isEqualTo(7);
    assertThat(twcc.chunksOffset()).isEqualTo(OFF + 20);
    assertThat(twcc.chunksLength()).isEqualTo(5);
    assertThat(twcc.buffer()[twcc.chunksOffset()]).isEqualTo((byte) 0x20);
    assertThat(new RtcpNack().wrap(compound)).isFalse();
  }

  @Test
  void fullIntraRequest() {
    positionOn(TestPackets.FIR, RtcpPacket.TYPE_PSFB);
    RtcpFir fir = new RtcpFir();
    assertThat(fir.wrap(compound)).isTrue();
    assertThat(fir.entryCount()).isEqualTo(1);
    assertThat(fir.entrySsrc(0)).isEqualTo(OPUS_SSRC);
    assertThat(fir.entrySequenceNumber(0)).isEqualTo(42);
  }

  @Test
  void bye() {
    positionOn(TestPackets.BYE, RtcpPacket.TYPE_BYE);
    RtcpBye bye = new RtcpBye();
    assertThat(bye.wrap(compound)).isTrue();
    assertThat(bye.ssrcCount()).isEqualTo(2);
    assertThat(bye.ssrc(0)).isEqualTo(OPUS_SSRC);
    assertThat(bye.ssrc(1)).isEqualTo(OTHER_SSRC);
    assertThat(bye.hasReason()).isTrue();
    assertThat(bye.reason()).isEqualTo("bye");

    byte[] plain = bytes(0x81, 0xCB, 0x00, 0x01, 0x9A, 0xBC, 0xDE, 0xF0);
    assertThat(bye.wrap(plain, 0, plain.length)).isTrue();
    assertThat(bye.hasReason()).isFalse();
    assertThat(bye.reason()).isNull();
  }

  @Test
  void sdesWithSeveralChunksAndItems() {
    byte[] sdes =
        bytes(
            0x82, 0xCA, 0x00, 0x05, // SC=2, length 5 words
            0x01, 0x01, 0x01, 0x01, // chunk 1 SSRC
            0x02, 0x01, 'x', // NAME item "x"
            0x01, 0x02, 'a', 'b', // CNAME "ab"
            0x00, // end: chunk is 12 bytes, aligned
            0x02, 0x02, 0x02, 0x02, // chunk 2 SSRC
            0x00, 0x00, 0x00, 0x00); // no items
    RtcpSdes view = new RtcpSdes();
    assertThat(view.wrap(sdes, 0, sdes.length)).isTrue();
    assertThat(view.nextChunk()).isTrue();
    assertThat(view.chunkSsrc()).isEqualTo(0x01010101);
    assertThat(view.cname()).isEqualTo("ab");
    assertThat(view.nextChunk()).isTrue();
    assertThat(view.chunkSsrc()).isEqualTo(0x02020202);
    assertThat(view.cnameOffset()).isEqualTo(RtcpSdes.NOT_FOUND);
    assertThat(view.cname()).isNull();
    assertThat(view.nextChunk()).isFalse();

    byte[] missingTerminator = sdes.clone();
    missingTerminator[15] = 0x05; // an item type where the end octet was
    assertThat(view.wrap(missingTerminator, 0, missingTerminator.length)).isFalse();
    assertThat(view.nextChunk()).isFalse();
  }

  @Test
  void concatenatedCompoundIsWalkedInOrder() {
    byte[] all = concat(TestPackets.RTCP.subList(0, TestPackets.RTCP.size() - 1));
    byte[] withBye = concat(List.of(all, TestPackets.BYE));
    // TRANSPORT_CC is padded, so it may only be last: everything after it is rejected.
    assertThat(iterate(withBye)).hasSize(6);
    assertThat(compound.problem()).isEqualTo(Problem.BAD_PADDING);

    byte[] ordered =
        concat(
            List.of(
                TestPackets.RR_TWO_BLOCKS,
                TestPackets.SR_SDES,
                TestPackets.NACK,
                TestPackets.REMB,
                TestPackets.FIR,
                TestPackets.BYE,
                TestPackets.TRANSPORT_CC));
    assertThat(iterate(ordered)).containsExactly(201, 200, 202, 205, 206, 206, 203, 205);
    assertThat(compound.problem()).isEqualTo(Problem.NONE);
  }

  @Test
  void malformedDatagramsAreReported() {
    assertProblem(new byte[0], Problem.TRUNCATED_HEADER, 0);
    assertProblem(bytes(0x80, 0xC9, 0x00), Problem.TRUNCATED_HEADER, 0);
    assertProblem(bytes(0x40, 0xC9, 0x00, 0x00), Problem.BAD_VERSION, 0);
    assertProblem(bytes(0x80, 0xC9, 0x00, 0x01, 0, 0, 0), Problem.LENGTH_OVERRUN, 0);
    byte[] trailing = concat(List.of(TestPackets.PLI, bytes(0x81, 0xCE)));
    assertProblem(trailing, Problem.TRUNCATED_HEADER, 1);
    byte[] paddedFirst = concat(List.of(TestPackets.TRANSPORT_CC, TestPackets.PLI));
    assertProblem(paddedFirst, Problem.BAD_PADDING, 0);
    assertProblem(bytes(0xA0, 0xC9, 0x00, 0x00), Problem.BAD_PADDING, 0);
    assertProblem(bytes(0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 5), Problem.BAD_PADDING, 0);

    assertThat(compound.wrap(new byte[4], 2, 4)).isFalse();
    assertThat(compound.problem()).isEqualTo(Problem.OUT_OF_BOUNDS);
    assertThat(compound.next()).isFalse();
    assertThat(compound.packetType()).isZero();
  }

  @Test
  void typedViewsRejectLengthMismatchAndBadHeaders() {
    RtcpReceiverReport rr = new RtcpReceiverReport();
    byte[] rrBytes = TestPackets.RR_TWO_BLOCKS;
    assertThat(rr.wrap(rrBytes, 0, rrBytes.length - 4)).isFalse();
    byte[] threeBlocks = rrBytes.clone();
    threeBlocks[0] = (byte) 0x83;
    assertThat(rr.wrap(threeBlocks, 0, threeBlocks.length)).isFalse();
    assertThat(rr.reportCount()).isZero();
    assertThat(rr.senderSsrc()).isZero();
    byte[] version1 = rrBytes.clone();
    version1[0] = (byte) 0x42;
    assertThat(rr.wrap(version1, 0, version1.length)).isFalse();
    assertThat(rr.wrap(null, 0, 8)).isFalse();
    assertThat(new RtcpSenderReport().wrap(rrBytes, 0, rrBytes.length)).isFalse();
  }

  private void assertProblem(byte[] datagram, Problem problem, int goodPackets) {
    assertThat(iterate(datagram)).hasSize(goodPackets);
    assertThat(compound.problem()).isEqualTo(problem);
    assertThat(compound.next()).isFalse();
  }

  static byte[] concat(List<byte[]> parts) {
    int total = 0;
    for (byte[] p : parts) {
      total += p.length;
    }
    byte[] out = new byte[total];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}

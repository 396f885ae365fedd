package io.cheenhub.sfu.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves the per-packet work allocates nothing: classify, parse and rewrite RTP with its header
 * extensions, read RED and strip it to the primary in place, walk RTCP compounds with the typed
 * views, and write the feedback the SFU sends.
 */
class HotPathAllocationTest {

  private static final int WARM_UP_ROUNDS = 200_000;
  private static final int MEASURED_ROUNDS = 1_000_000;
  // Slack for the measurement itself (thread-local buffer refills, JIT bookkeeping), not per round.
  private static final long MAX_ALLOCATED_BYTES = 64 * 1024;

  private final byte[] rtpBuf = TestPackets.embed(TestPackets.CHROME_OPUS, 16, 16);
  private final byte[] redSource = TestPackets.embed(TestPackets.CHROME_RED, 16, 16);
  private final byte[] redBuf = new byte[redSource.length];
  private final byte[] redOut = new byte[1500];
  private final byte[] rtcpBuf =
      RtcpCompoundTest.concat(
          List.of(
              TestPackets.SR_SDES,
              TestPackets.RR_TWO_BLOCKS,
              TestPackets.NACK,
              TestPackets.REMB,
              TestPackets.PLI,
              TestPackets.TRANSPORT_CC));
  private final byte[] out = new byte[1500];
  private final byte[] cname = "a1b2c3d4e5f6g7h8".getBytes(StandardCharsets.UTF_8);
  private final ReportBlock[] blocks = {
    new ReportBlock().set(1, 2, -3, 4, 5, 6, 7), new ReportBlock().set(8, 9, 10, 11, 12, 13, 14)
  };
  private final int[] nackIds = {100, 200};
  private final int[] nackMasks = {0x1, 0x8000};
  private final int[] rembSsrcs = {TestPackets.OPUS_SSRC};

  private final RtpPacket rtp = new RtpPacket();
  private final RedPayload red = new RedPayload();
  private final RtcpCompound compound = new RtcpCompound();
  private final RtcpSenderReport sr = new RtcpSenderReport();
  private final RtcpReceiverReport rr = new RtcpReceiverReport();
  private final RtcpSdes sdes = new RtcpSdes();
  private final RtcpNack nack = new RtcpNack();
  private final RtcpRemb remb = new RtcpRemb();
  private final RtcpPli pli = new RtcpPli();
  private final RtcpTransportCc twcc = new RtcpTransportCc();
  private final ReportBlock block = new ReportBlock();

  @Test
  void parseAndRewriteAllocateNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported(), "allocation counting unsupported");
    threads.setThreadAllocatedMemoryEnabled(true);

    long warm = run(WARM_UP_ROUNDS);
    long before = threads.getCurrentThreadAllocatedBytes();
    long checksum = run(MEASURED_ROUNDS);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    assertThat(checksum).isNotEqualTo(warm);
    assertThat(allocated)
        .as("bytes allocated by %d rounds", MEASURED_ROUNDS)
        .isLessThan(MAX_ALLOCATED_BYTES);
  }

  private long run(int rounds) {
    long checksum = 0;
    int rtpLength = TestPackets.CHROME_OPUS.length;
    for (int round = 0; round < rounds; round++) {
      // Receive side: demultiplex, parse, read the extensions the pipeline needs.
      if (PacketClassifier.classify(rtpBuf, 16, rtpLength) == PacketClassifier.Kind.RTP
          && rtp.wrap(rtpBuf, 16, rtpLength)) {
        int level = HeaderExtensions.audioLevel(rtp, TestPackets.AUDIO_LEVEL_ID);
        checksum +=
            HeaderExtensions.levelDbov(level) + (HeaderExtensions.voiceActivity(level) ? 1 : 0);
        checksum += HeaderExtensions.absSendTime(rtp, TestPackets.ABS_SEND_TIME_ID);
        checksum += HeaderExtensions.transportSequenceNumber(rtp, TestPackets.TRANSPORT_CC_ID);
        checksum += rtp.payloadOffset() + rtp.payloadLength() + rtp.payloadType();
        // Send side: rewrite for a subscriber.
        rtp.setSequenceNumber(rtp.sequenceNumber() + 1);
        rtp.setTimestamp(rtp.timestamp() + 960);
        rtp.setSsrc(rtp.ssrc() ^ round);
        rtp.setMarker(!rtp.marker());
        rtp.setPayloadType(111);
        HeaderExtensions.setTransportSequenceNumber(rtp, TestPackets.TRANSPORT_CC_ID, round);
        HeaderExtensions.setAbsSendTime(rtp, TestPackets.ABS_SEND_TIME_ID, round);
      }
      checksum += redRound(round);
      checksum += readRtcp();
      checksum += writeRtcp(round);
    }
    return checksum;
  }

  /** Reads a RED packet's blocks, re-encodes them and strips the packet to its primary. */
  private long redRound(int round) {
    System.arraycopy(redSource, 0, redBuf, 0, redSource.length);
    if (!rtp.wrap(redBuf, 16, TestPackets.CHROME_RED.length) || !red.wrap(rtp)) {
      return -1;
    }
    long checksum = red.blockCount() + red.blockTimestampOffset(0) + red.primaryPayloadType();
    checksum +=
        RedPayload.encode(
            redOut,
            round & 0xFF,
            red.primaryPayloadType(),
            redBuf,
            red.primaryOffset(),
            red.primaryLength(),
            redBuf,
            red.blockOffset(0),
            red.blockLength(0),
            red.blockTimestampOffset(0));
    return checksum + RedPayload.stripToPrimary(rtp, TestPackets.RED_PT) + rtp.payloadType();
  }

  private long readRtcp() {
    long checksum = 0;
    if (PacketClassifier.classify(rtcpBuf, 0, rtcpBuf.length) != PacketClassifier.Kind.RTCP) {
      return -1;
    }
    compound.wrap(rtcpBuf, 0, rtcpBuf.length);
    while (compound.next()) {
      switch (compound.packetType()) {
        case RtcpPacket.TYPE_SR -> {
          if (sr.wrap(compound)) {
            checksum += sr.ntpMiddle32() + sr.rtpTimestamp() + sr.packetCount();
          }
        }
        case RtcpPacket.TYPE_RR -> {
          if (rr.wrap(compound)) {
            for (int i = 0; i < rr.reportCount(); i++) {
              checksum += rr.readReportBlock(i, block).cumulativeLost() + block.jitter();
            }
          }
        }
        case RtcpPacket.TYPE_SDES -> {
          if (sdes.wrap(compound)) {
            while (sdes.nextChunk()) {
              checksum += sdes.chunkSsrc() + sdes.cnameLength();
            }
          }
        }
        case RtcpPacket.TYPE_RTPFB -> {
          if (nack.wrap(compound)) {
            checksum += nack.packetId(0) + nack.lostBitmask(0);
          } else if (twcc.wrap(compound)) {
            checksum += twcc.baseSequenceNumber() + twcc.referenceTimeMillis();
          }
        }
        case RtcpPacket.TYPE_PSFB -> {
          if (remb.wrap(compound)) {
            checksum += remb.bitrateBps() + remb.ssrc(0);
          } else if (pli.wrap(compound)) {
            checksum += pli.mediaSsrc();
          }
        }
        default -> checksum--;
      }
    }
    return checksum;
  }

  private long writeRtcp(int round) {
    blocks[0].set(round, 1, -round, round, round, round, round);
    int n = RtcpWriter.receiverReportWithCname(out, 0, round, blocks, 2, cname);
    n += RtcpWriter.senderReport(out, n, round, round, round, round, round, blocks, 1);
    n += RtcpWriter.nack(out, n, round, 2, nackIds, nackMasks, 2);
    n += RtcpWriter.pli(out, n, round, 2);
    n += RtcpWriter.remb(out, n, round, 64_000L + round, rembSsrcs, 1);
    return n + out[round % n];
  }
}

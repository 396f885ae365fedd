package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cheenhub.sfu.rtp.ReportBlock;
import io.cheenhub.sfu.rtp.RtcpCompound;
import io.cheenhub.sfu.rtp.RtcpPacket;
import io.cheenhub.sfu.rtp.RtcpReceiverReport;
import io.cheenhub.sfu.rtp.RtcpSdes;
import io.cheenhub.sfu.rtp.RtcpWriter;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The server's receiver reports to a publisher: A.3 arithmetic, LSR/DLSR and the bytes. */
class ReceiverReportsTest {

  private static final int SERVER_SSRC = 0x0BAD_CAFE;
  private static final int SOURCE = 0x1111_2222;
  private static final long T0 = TimeUnit.SECONDS.toNanos(5_000);

  private final ReceiverReports reports = new ReceiverReports(SERVER_SSRC);
  private final byte[] buf = new byte[ReceiverReports.BUFFER_BYTES + 8];
  private final RtcpCompound compound = new RtcpCompound();
  private final RtcpReceiverReport rr = new RtcpReceiverReport();
  private final RtcpSdes sdes = new RtcpSdes();

  private static long ms(long millis) {
    return T0 + TimeUnit.MILLISECONDS.toNanos(millis);
  }

  /** Sends {@code from..to} (inclusive) of {@code ssrc} 20 ms apart, except {@code lost}. */
  private void receive(int ssrc, int from, int to, Set<Integer> lost) {
    for (int seq = from; seq <= to; seq++) {
      if (!lost.contains(seq)) {
        reports.onRtp(ssrc, seq & 0xFFFF, seq * 960L, ms(seq * 20L));
      }
    }
  }

  /** Writes a report at {@code nowNanos} and reads its only block back with the project parser. */
  private ReportBlock report(long nowNanos) {
    int length = reports.write(buf, 8, nowNanos);
    assertThat(length).isPositive();
    assertThat(compound.wrap(buf, 8, length)).isTrue();
    assertThat(compound.next()).isTrue();
    assertThat(rr.wrap(compound)).isTrue();
    assertThat(rr.reportCount()).isEqualTo(1);
    return rr.readReportBlock(0, new ReportBlock());
  }

  @Test
  void nothingReceivedWritesNothing() {
    assertThat(reports.write(buf, 0, ms(0))).isZero();
    reports.onRtp(SOURCE, 7, 0, ms(0)); // one packet: still on probation
    assertThat(reports.write(buf, 0, ms(10))).isZero();
    assertThat(reports.reportsWritten()).isZero();
  }

  @Test
  void theReportIsACompoundRrAndSdesCnameTheProjectParserReads() {
    receive(SOURCE, 100, 120, Set.of());
    int length = reports.write(buf, 8, ms(2_500));
    assertThat(length).isEqualTo(8 + 24 + 28).isLessThanOrEqualTo(ReceiverReports.MAX_REPORT_BYTES);

    assertThat(compound.wrap(buf, 8, length)).isTrue();
    // RFC 3550 §6.1: the compound starts with the RR, then the SDES with the CNAME.
    assertThat(compound.next()).isTrue();
    assertThat(compound.packetType()).isEqualTo(RtcpPacket.TYPE_RR);
    assertThat(rr.wrap(compound)).isTrue();
    assertThat(rr.senderSsrc()).isEqualTo(SERVER_SSRC);
    assertThat(rr.reportCount()).isEqualTo(1);
    ReportBlock block = rr.readReportBlock(0, new ReportBlock());
    assertThat(block.ssrc()).isEqualTo(SOURCE);
    assertThat(block.extendedHighestSequence()).isEqualTo(120);
    assertThat(block.fractionLost()).isZero();
    assertThat(block.cumulativeLost()).isZero();
    assertThat(block.jitter()).isZero();
    assertThat(block.lastSenderReport()).isZero();
    assertThat(block.delaySinceLastSenderReport()).isZero();

    assertThat(compound.next()).isTrue();
    assertThat(compound.packetType()).isEqualTo(RtcpPacket.TYPE_SDES);
    assertThat(sdes.wrap(compound)).isTrue();
    assertThat(sdes.nextChunk()).isTrue();
    assertThat(sdes.chunkSsrc()).isEqualTo(SERVER_SSRC);
    assertThat(sdes.cname())
        .hasSize(16)
        .isEqualTo(new String(ReceiverReports.CNAME, StandardCharsets.US_ASCII));
    assertThat(compound.next()).isFalse();
    assertThat(compound.problem()).isEqualTo(RtcpCompound.Problem.NONE);
    assertThat(reports.reportsWritten()).isEqualTo(1);
  }

  @Test
  void fractionLostIsPerIntervalAndCumulativeLostIsNot() {
    // Probation on 100; base 101. Interval 1: 101..120 minus 105, 106: expected 20, received 18.
    receive(SOURCE, 100, 120, Set.of(105, 106));
    ReportBlock first = report(ms(2_500));
    // A.3: (2 << 8) / 20 = 25 (25.6 truncated).
    assertThat(first.fractionLost()).isEqualTo(25);
    assertThat(first.cumulativeLost()).isEqualTo(2);

    // Interval 2: 121..140 minus 4 packets: expected 20, received 16: (4 << 8) / 20 = 51.
    receive(SOURCE, 121, 140, Set.of(122, 130, 131, 139));
    ReportBlock second = report(ms(3_000));
    assertThat(second.fractionLost()).isEqualTo(51);
    assertThat(second.cumulativeLost()).isEqualTo(6);
    assertThat(second.extendedHighestSequence()).isEqualTo(140);

    // Interval 3: nothing new: expected_interval 0, fraction 0, cumulative unchanged.
    ReportBlock third = report(ms(3_500));
    assertThat(third.fractionLost()).isZero();
    assertThat(third.cumulativeLost()).isEqualTo(6);
  }

  @Test
  void duplicatesInAnIntervalReportNoFractionLost() {
    receive(SOURCE, 100, 110, Set.of());
    report(ms(2_300));
    receive(SOURCE, 111, 112, Set.of());
    receive(SOURCE, 105, 108, Set.of()); // 4 late duplicates: lost_interval = 2 - 6 < 0
    ReportBlock block = report(ms(2_400));
    assertThat(block.fractionLost()).isZero();
    assertThat(block.cumulativeLost()).isEqualTo(-4);
  }

  @Test
  void everyPacketLostReportsTheLargestFraction() {
    receive(SOURCE, 100, 110, Set.of());
    report(ms(2_300));
    // 111..119 lost, 120 received: expected 10, received 1: (9 << 8) / 10 = 230.
    reports.onRtp(SOURCE, 120, 120 * 960L, ms(2_400));
    assertThat(report(ms(2_500)).fractionLost()).isEqualTo(230);
  }

  @Test
  void aRestartStartsTheIntervalOver() {
    receive(SOURCE, 100, 120, Set.of(110));
    report(ms(2_500));
    // The sender restarts far away: the jump is ignored once, then A.1 re-initialises.
    receive(SOURCE, 30_000, 30_010, Set.of(30_005));
    ReportBlock block = report(ms(30_010 * 20L + 100));
    // After init_seq(30001): expected 10 (30001..30010), received 9; priors reset with it.
    assertThat(block.extendedHighestSequence()).isEqualTo(30_010);
    assertThat(block.cumulativeLost()).isEqualTo(1);
    assertThat(block.fractionLost()).isEqualTo((1 << 8) / 10);
  }

  @Test
  void lsrAndDlsrEchoTheLastSenderReport() {
    receive(SOURCE, 100, 110, Set.of());
    byte[] sr = new byte[64];
    long ntp = 0x1234_5678_9ABC_DEF0L;
    int srLength =
        RtcpWriter.senderReport(sr, 4, SOURCE, ntp, 123, 10, 1_000, new ReportBlock[0], 0);
    reports.onRtcp(sr, 4, srLength, ms(2_000));
    assertThat(reports.senderReports()).isEqualTo(1);

    ReportBlock block = report(ms(2_200) + TimeUnit.MILLISECONDS.toNanos(1_300));
    assertThat(block.lastSenderReport()).isEqualTo(0x5678_9ABCL);
    // 1.5 s in 1/65536 s.
    assertThat(block.delaySinceLastSenderReport()).isEqualTo(98_304);
  }

  @Test
  void aSenderReportFromAnUnknownSourceIsIgnored() {
    receive(SOURCE, 100, 110, Set.of());
    byte[] sr = new byte[64];
    int srLength = RtcpWriter.senderReport(sr, 0, 42, 1L << 40, 0, 0, 0, new ReportBlock[0], 0);
    reports.onRtcp(sr, 0, srLength, ms(2_000));
    assertThat(reports.senderReports()).isZero();
    assertThat(report(ms(2_300)).lastSenderReport()).isZero();
  }

  @Test
  void aSilentSourceIsNoLongerReported() {
    receive(SOURCE, 100, 110, Set.of()); // last packet at 2.2 s
    assertThat(reports.write(buf, 0, ms(2_200) + ReceiverReports.SOURCE_TIMEOUT_NANOS))
        .isPositive();
    assertThat(reports.write(buf, 0, ms(2_201) + ReceiverReports.SOURCE_TIMEOUT_NANOS)).isZero();
  }

  @Test
  void twoSourcesGetTwoBlocksAndAFifthEvictsTheOldest() {
    receive(SOURCE, 100, 110, Set.of());
    receive(SOURCE + 1, 200, 210, Set.of());
    int length = reports.write(buf, 0, ms(4_300));
    compound.wrap(buf, 0, length);
    compound.next();
    rr.wrap(compound);
    assertThat(rr.reportCount()).isEqualTo(2);

    for (int s = 2; s <= 4; s++) {
      receive(SOURCE + s, 300, 310, Set.of());
    }
    assertThat(reports.statistics())
        .extracting(ReceiveStatistics::ssrc)
        .hasSize(4)
        .doesNotContain(SOURCE);
  }

  @Test
  void aTooSmallBufferIsACallerBug() {
    receive(SOURCE, 100, 110, Set.of());
    assertThatThrownBy(
            () -> reports.write(new byte[ReceiverReports.BUFFER_BYTES - 1], 0, ms(2_300)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> reports.write(buf, buf.length - ReceiverReports.BUFFER_BYTES + 1, ms(2_300)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void malformedRtcpFromThePublisherIsCountedNeverThrown() {
    receive(SOURCE, 100, 110, Set.of());
    reports.onRtcp(new byte[] {(byte) 0x80, (byte) 200, 0, 100}, 0, 4, ms(2_000)); // overrun
    reports.onRtcp(
        new byte[] {(byte) 0x80, (byte) 200, 0, 1, 0, 0, 0, 0}, 0, 8, ms(2_000)); // short SR
    reports.onRtcp(new byte[8], 0, 8, ms(2_000)); // version 0
    reports.onRtcp(new byte[8], 6, 8, ms(2_000)); // out of bounds
    var random = new Random(42);
    byte[] noise = new byte[64];
    for (int i = 0; i < 10_000; i++) {
      random.nextBytes(noise);
      noise[0] = (byte) (0x80 | noise[0] & 0x3F);
      reports.onRtcp(noise, 0, random.nextInt(noise.length + 1), ms(2_000));
    }
    assertThat(reports.malformedRtcp()).isGreaterThanOrEqualTo(4);
    assertThat(report(ms(2_300)).ssrc()).isEqualTo(SOURCE);
  }

  @Test
  void publisherCountsEveryPacketAndWritesTheReport() {
    var publisher = new Publisher("p", TestRtp.PUBLISHER, new PacketPool(4));
    var view = new io.cheenhub.sfu.rtp.RtpPacket();
    for (int seq = 0; seq < 10; seq++) {
      byte[] packet = TestRtp.packet(SOURCE, seq, seq * 960L, false, 0);
      assertThat(view.wrap(packet, 0, packet.length)).isTrue();
      publisher.onRtp(view, ms(seq * 20L));
    }
    byte[] out = new byte[ReceiverReports.BUFFER_BYTES];
    int length = publisher.writeReceiverReport(out, 0, ms(200));
    assertThat(length).isPositive();
    compound.wrap(out, 0, length);
    compound.next();
    rr.wrap(compound);
    assertThat(rr.senderSsrc()).isEqualTo(publisher.receiverReports().senderSsrc());
    assertThat(rr.readReportBlock(0, new ReportBlock()).extendedHighestSequence()).isEqualTo(9);
  }
}
